"""The workshop board page: a column per stage, cards moved by a button or by drag and drop, the
overdue and held queues beside it, and live updates while the page is open.

Live updates are pushed (:mod:`jewelerp.live`): the page subscribes its tab to the store's board channel
when it loads, every stage move (a new job included) announces itself there once it commits, and each
subscribed tab reloads its board in its own state. Nothing polls; a tab that left the board stops listening
at the next announcement.
"""

from __future__ import annotations

import reflex as rx

from jewelerp.live import subscribe, unsubscribe
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from modules.repairs.board import Board, Card, Column, load_board, move_card
from modules.repairs.records import KIND_LABELS
from modules.repairs.stages import board_channel, stage_label

ROUTE = "/repairs/board"
KINDS = [("repair", "Repairs"), ("custom", "Custom orders")]


class BoardState(AppState):
    """The board of one kind of job: a few dozen cards per column at most, and the queues."""

    kind: str = "repair"
    columns: list[Column] = []
    overdue: list[Card] = []
    overdue_total: int = 0
    held: list[Card] = []
    held_total: int = 0
    held_days: int = 0
    overdue_link: str = ""
    can_edit: bool = False
    _channel: str = ""

    def _show(self, board: Board) -> None:
        self.columns, self.overdue, self.held = board.columns, board.overdue, board.held
        self.overdue_total, self.held_total, self.held_days = board.overdue_total, board.held_total, board.held_days
        self.overdue_link = board.overdue_link

    def _reload(self) -> bool:
        kind = self.kind
        board = self._run(lambda s, a: load_board(s, a, kind), write=False)
        if board is not None:
            self._show(board)
        return board is not None

    @rx.event
    def load(self) -> None:
        """The board of the chosen kind; then listen for moves in the store while the page is open."""
        self.can_edit = bool(self._run(lambda s, a: a.can("repairs.job.edit"), write=False))
        if self._reload():
            store_id = self._run(lambda s, a: a.store_id, write=False)
            self._channel = board_channel(store_id)
            subscribe(self, self._channel)

    def _on_live(self, channel: str) -> None:
        """Someone moved a job in the store (:mod:`jewelerp.live`): reload, unless this tab left the board or
        the store."""
        if channel != self._channel or self.router.url.path.rstrip("/") != ROUTE or not self._reload():
            unsubscribe(self, channel)

    @rx.event
    def choose_kind(self, kind: str | list[str]) -> None:
        """Switch between repairs and custom orders (the switch sends one value)."""
        if isinstance(kind, str) and kind in KIND_LABELS and kind != self.kind:
            self.kind = kind
            self._clear_messages()
            self._reload()

    def _move(self, job_id: int, from_stage: str, to_stage: str) -> None:
        number = self._run(lambda s, a: move_card(s, a, job_id, from_stage, to_stage))
        if number is not None:
            self._say(f"{number} moved to “{stage_label(to_stage)}”.")
        self._reload()  # a refused move may mean someone else moved the card: show where it is now

    @rx.event
    def advance(self, job_id: int, from_stage: str, to_stage: str) -> None:
        """The card's "next stage" button."""
        self._move(job_id, from_stage, to_stage)

    @rx.event
    def drop_card(self, to_stage: str, dragged: str) -> None:
        """A card dropped on a column; ``dragged`` is "<job id>|<its stage>" set when the drag began."""
        job_id, _, from_stage = dragged.partition("|")
        if job_id.isdigit() and from_stage and from_stage != to_stage:
            self._move(int(job_id), from_stage, to_stage)


def _dropped(e: rx.Var) -> tuple[rx.Var[str]]:
    """The drop event's payload: what the card put in the drag data."""
    return (rx.Var(f"{e}.dataTransfer.getData('text/plain')").to(str),)


class _DropColumn(rx.el.Section):
    """A section that takes dropped cards (HTML5 drag and drop; Reflex has no drop trigger on elements)."""

    on_drop: rx.EventHandler[_dropped]


_ALLOW_DROP = rx.Var("(e) => e.preventDefault()")
_START_DRAG = rx.Var(
    "(e) => { e.dataTransfer.effectAllowed = 'move'; "
    "e.dataTransfer.setData('text/plain', e.currentTarget.dataset.job); }"
)


def _badges(card: Card) -> rx.Component:
    return rx.hstack(
        rx.cond(card.overdue, rx.badge("Overdue", color_scheme="red", variant="solid")),
        rx.cond(card.held, rx.badge(f"Held {card.days_in_stage} d", color_scheme="orange")),
        spacing="1",
    )


def _card(card: Card) -> rx.Component:
    return rx.el.article(
        rx.vstack(
            rx.flex(
                rx.link(card.number, href=f"/repairs/jobs/{card.id}", weight="bold", size="2", white_space="nowrap"),
                _badges(card),
                justify="between",
                align="center",
                wrap="wrap",
                gap="1",
                width="100%",
            ),
            rx.text(card.customer, size="2", weight="medium"),
            rx.cond(card.item != "", rx.text(card.item, size="1", color_scheme="gray", trim="both")),
            rx.cond(card.promised != "", rx.text("Promised ", card.promised, size="1")),
            rx.cond(card.karigar != "", rx.text("Karigar: ", card.karigar, size="1", color_scheme="gray")),
            rx.cond(
                BoardState.can_edit & (card.next_stage != ""),
                rx.button(
                    rx.icon("arrow-right", size=14),
                    card.next_title,
                    size="1",
                    variant="soft",
                    on_click=BoardState.advance(card.id, card.stage, card.next_stage),
                    aria_label=f"Move {card.number} to {card.next_title}",
                ),
            ),
            spacing="1",
            align="start",
            width="100%",
        ),
        draggable=BoardState.can_edit,
        custom_attrs={"data-job": f"{card.id}|{card.stage}", "onDragStart": _START_DRAG},
        aria_label=f"Job {card.number}",
        padding="0.6rem",
        border="1px solid var(--gray-a5)",
        border_left=rx.cond(card.overdue, "3px solid var(--red-9)", "1px solid var(--gray-a5)"),
        border_radius="var(--radius-3)",
        background="var(--color-panel-solid)",
        cursor=rx.cond(BoardState.can_edit, "grab", "default"),
        width="100%",
    )


def _column(column: Column) -> rx.Component:
    hidden = column.total - column.cards.length()
    return _DropColumn.create(
        rx.hstack(
            rx.heading(column.title, size="3", as_="h2"),
            rx.badge(column.total.to_string(), variant="soft", color_scheme="gray"),
            justify="between",
            align="center",
            width="100%",
        ),
        rx.vstack(rx.foreach(column.cards, _card), spacing="2", width="100%"),
        rx.cond(hidden > 0, rx.link(f"and {hidden} more", href=column.link, size="1")),
        on_drop=BoardState.drop_card(column.stage).prevent_default,
        custom_attrs={"onDragOver": _ALLOW_DROP},
        aria_label=column.title,
        display="flex",
        flex_direction="column",
        gap="0.6rem",
        min_width="14rem",
        width="14rem",
        padding="0.6rem",
        border_radius="var(--radius-3)",
        background="var(--gray-a2)",
        min_height="12rem",
    )


def _queue_item(card: Card) -> rx.Component:
    return rx.hstack(
        rx.link(card.number, href=f"/repairs/jobs/{card.id}", size="2", weight="medium"),
        rx.text(card.customer, size="1", color_scheme="gray", trim="both", flex="1"),
        rx.text(card.stage_title, size="1"),
        width="100%",
        align="center",
        spacing="2",
    )


def _queue(
    title: str, cards: rx.Var, total: rx.Var, empty: str, note: rx.Var | str, link: rx.Var | None = None
) -> rx.Component:
    more = f"and {total - cards.length()} more"
    return rx.card(
        rx.el.section(
            rx.vstack(
                rx.hstack(
                    rx.heading(title, size="3", as_="h2"),
                    rx.badge(total.to_string(), color_scheme=rx.cond(total > 0, "red", "gray")),
                    align="center",
                ),
                rx.text(note, size="1", color_scheme="gray"),
                rx.cond(
                    cards.length() > 0,
                    rx.vstack(rx.foreach(cards, _queue_item), spacing="1", width="100%"),
                    rx.text(empty, size="2", color_scheme="gray"),
                ),
                rx.cond(
                    total > cards.length(),
                    rx.link(more, href=link, size="1") if link is not None else rx.text(more, size="1"),
                ),
                spacing="2",
                width="100%",
            ),
            aria_label=title,
        ),
        width="100%",
    )


def _kind_switch() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(label, value=value) for value, label in KINDS],
        value=BoardState.kind,
        on_change=BoardState.choose_kind,
        aria_label="Kind of job",
    )


def board_page() -> rx.Component:
    """The workshop board registered in the manifest."""
    queues = rx.grid(
        _queue(
            "Overdue",
            BoardState.overdue,
            BoardState.overdue_total,
            "Nothing is overdue.",
            "Past the promised date",
            BoardState.overdue_link,
        ),
        _queue(
            "Held",
            BoardState.held,
            BoardState.held_total,
            "No job is held up.",
            f"In one stage for more than {BoardState.held_days} days",
        ),
        columns=rx.breakpoints(initial="1", md="2", xl="1"),
        spacing="3",
        align_items="start",
        width=rx.breakpoints(initial="100%", xl="18rem"),
        min_width=rx.breakpoints(initial="0", xl="18rem"),
    )
    columns = rx.hstack(
        rx.foreach(BoardState.columns, _column),
        spacing="3",
        align="start",
        overflow_x="auto",
        padding_bottom="0.5rem",
        flex="1",
        min_width="0",
        width="100%",
    )
    return shell(
        rx.vstack(
            rx.hstack(
                _kind_switch(),
                rx.cond(
                    BoardState.can_edit,
                    rx.text("Drag a card to another stage, or use its button.", size="1", color_scheme="gray"),
                ),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            rx.flex(
                columns,
                queues,
                direction=rx.breakpoints(initial="column", xl="row"),
                spacing="4",
                align="start",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        "Workshop board",
    )
