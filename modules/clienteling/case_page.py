"""One service case: its details, the thread of notes, adding a note, moving the status, assigning it.

Every handler resolves the signed-in person before it reads its arguments or the URL (``self._run`` first, both read
inside the work); the services check the permission and that the case is of the person's store. The page listens on
the case's live channel, so a colleague's note or change shows without a reload.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.users import staff_options
from jewelerp.errors import ValidationError
from jewelerp.live import subscribe, unsubscribe
from jewelerp.ui.forms import fact, field_error
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.validation import MAX_ID, read_int
from modules.clienteling.case_view import case_details, thread_rows
from modules.clienteling.cases import ASSIGN, EDIT, NEXT_STATUSES, VIEW, add_note, assign_case, case_channel, set_status
from modules.clienteling.models import ServiceCase

ROUTE_START = "/clienteling/cases/"
STATUS_ACTIONS = {"open": "Reopen", "waiting": "Waiting on customer", "resolved": "Resolve", "closed": "Close case"}


def form_text(form: object, key: str) -> str:
    """A text field of a submitted form; anything that is not a form of texts reads as empty."""
    value = form.get(key, "") if isinstance(form, dict) else ""
    return value if isinstance(value, str) else ""


class CaseState(AppState):
    """What the case page shows: one case and its thread (a few dozen rows)."""

    case: dict[str, str] = {}
    thread: list[dict[str, str]] = []
    actions: list[dict[str, str]] = []
    staff: list[dict[str, str]] = []
    can_edit: bool = False
    can_assign: bool = False
    found: bool = False
    version: int = 0
    _channel: str = ""

    def _id(self) -> int:
        return self._route_number("case_id")

    def _reload(self) -> bool:
        def work(session: Session, actor: Actor) -> dict[str, Any]:
            case_id = self._id()  # the URL is read once the session is known
            details = case_details(session, actor, case_id)
            can_assign = actor.can(ASSIGN)
            return {
                "case": details,
                "thread": thread_rows(session, actor, case_id),
                "actions": [{"value": s, "label": STATUS_ACTIONS[s]} for s in NEXT_STATUSES[details["status"]]],
                "staff": staff_options(session, actor, VIEW) if can_assign else [],
                "can_edit": actor.can(EDIT),
                "can_assign": can_assign,
            }

        data = self._run(work, write=False)
        self.found = data is not None
        if data is None:
            return False
        for key, value in data.items():
            setattr(self, key, value)
        self.version += 1
        return True

    @rx.event
    def load(self) -> None:
        """Open the case in the URL, then listen for colleagues' changes to it."""
        self._clear_messages()
        if self._reload():
            self._channel = case_channel(self._id())
            subscribe(self, self._channel)

    def _on_live(self, channel: str) -> None:
        """Someone changed this case (:mod:`jewelerp.live`): reload, unless this tab has moved on."""
        on_page = self.router.url.path.rstrip("/") == f"{ROUTE_START}{self._id()}"
        if channel != self._channel or not on_page or not self._reload():
            unsubscribe(self, channel)

    @rx.event
    def add(self, form: dict) -> None:
        """Add a note; it is internal unless "Show this note to the customer" is ticked."""

        def work(session: Session, actor: Actor) -> object:
            shown = form_text(form, "shown") == "on"
            return add_note(session, actor, self._id(), form_text(form, "note"), internal=not shown)

        self._after(self._run(work, done="Note added."))

    @rx.event
    def move(self, status: str) -> None:
        """Move the case to ``status`` (one of the buttons)."""

        def work(session: Session, actor: Actor) -> object:
            return set_status(session, actor, self._id(), status if isinstance(status, str) else "")

        self._after(self._run(work, done="Status changed."))

    @rx.event
    def assign(self, user_id: str) -> None:
        """Give the case to a member of staff, or ``""`` back to the store's queue."""

        def work(session: Session, actor: Actor) -> ServiceCase:
            raw = user_id if isinstance(user_id, str) else "?"
            target = read_int(raw, 1, MAX_ID)
            if raw and target is None:
                raise ValidationError({"assignee": "Choose an active member of staff of this store."})
            return assign_case(session, actor, self._id(), target)

        case = self._run(work)
        if case is not None:
            self._say("Case assigned." if case.assigned_user_id else "Case handed back to the store's queue.")
        self._after(case)


def _details() -> rx.Component:
    c = CaseState.case
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(c["number"], size="6"),
                rx.badge(c["status_label"], size="2", color_scheme="blue"),
                rx.cond(c["overdue"] != "", rx.badge("Overdue", size="2", color_scheme="red")),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.text(c["subject"], size="4", weight="medium"),
            rx.hstack(
                rx.text("Customer", size="2", color_scheme="gray", min_width="9rem"),
                rx.link(c["customer"], href=c["customer_link"], size="2", weight="medium"),
            ),
            fact("Kind", c["kind"]),
            fact("Channel", c["channel"]),
            fact("Priority", c["priority"]),
            fact("Due", c["due"]),
            fact("Assigned to", c["assignee"]),
            fact("Opened", c["opened"]),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _controls() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Handle the case", size="4"),
            rx.cond(
                CaseState.can_edit,
                rx.flex(
                    rx.foreach(
                        CaseState.actions,
                        lambda a: rx.button(a["label"], variant="soft", on_click=CaseState.move(a["value"])),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            rx.cond(
                CaseState.can_assign & (CaseState.case["status"] != "closed"),
                rx.vstack(
                    rx.el.label(rx.text("Assigned to", size="2", weight="medium"), html_for="field-assignee"),
                    rx.el.select(
                        rx.el.option("Nobody (the store's queue)", value=""),
                        rx.foreach(CaseState.staff, lambda o: rx.el.option(o["label"], value=o["value"])),
                        id="field-assignee",
                        value=CaseState.case["assignee_id"],
                        on_change=CaseState.assign,
                        class_name="jewel-select",
                    ),
                    field_error("assignee"),
                    spacing="1",
                    width="100%",
                ),
                rx.cond(
                    CaseState.can_edit & (CaseState.case["mine"] != "") & (CaseState.case["status"] != "closed"),
                    rx.button("Hand back to the queue", variant="outline", on_click=CaseState.assign("")),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _entry(row: dict) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.text(row["author"], size="2", weight="medium"),
            rx.text(row["at"], size="1", color_scheme="gray"),
            rx.cond(
                row["kind"] != "change",
                rx.badge(
                    row["seen_by"],
                    size="1",
                    color_scheme=rx.cond(row["seen_by"] == "Internal", "gray", "green"),
                ),
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            row["kind"] == "change",
            rx.text(row["text"], size="2", color_scheme="gray", font_style="italic"),
            rx.text(row["text"], size="2", white_space="pre-wrap"),
        ),
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-a4)",
        width="100%",
    )


def _note_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(rx.text("Note", size="2", weight="medium"), html_for="field-note"),
            rx.text_area(id="field-note", name="note", width="100%", rows="3"),
            field_error("note"),
            rx.el.label(
                rx.hstack(
                    rx.el.input(type="checkbox", name="shown", id="field-shown"),
                    rx.text("Show this note to the customer", size="2"),
                    align="center",
                ),
            ),
            rx.button("Add note", type="submit"),
            spacing="2",
            width="100%",
        ),
        on_submit=CaseState.add,
        no_validate=True,
        reset_on_submit=False,
        key=CaseState.version.to_string(),
        width="100%",
    )


def _thread() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Notes", size="4"),
            rx.foreach(CaseState.thread, _entry),
            rx.cond(CaseState.can_edit & (CaseState.case["status"] != "closed"), _note_form()),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def case_page() -> rx.Component:
    """The case page."""
    return shell(
        rx.cond(
            CaseState.found,
            rx.grid(
                rx.vstack(_details(), _controls(), spacing="4", width="100%"),
                _thread(),
                columns=rx.breakpoints(initial="1", lg="2"),
                spacing="4",
                width="100%",
            ),
        ),
        "Case",
    )
