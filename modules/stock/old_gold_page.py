"""Old gold: the branch's old-gold lots (bought from customers through billing) with what went to refiners,
what was melted and what is on hand; a lot with metal on hand can be sent to a refiner or melted."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from jewelerp.validation import MAX_ID, read_int
from modules.stock.models import OldGoldMove
from modules.stock.old_gold import LOT_MOVES, MOVE, OLD_GOLD_LOTS, move_lot, refiner_options


class OldGoldLots(DataTableMixin, AppState):
    """One page of lots, the refiners to choose from, and the lot being sent or melted (if any)."""

    spec: ClassVar[TableSpec] = OLD_GOLD_LOTS
    can_move: bool = False
    refiners: list[dict[str, str]] = []
    acting: dict[str, str] = {}
    form_version: int = 0

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check (the manifest's on_load)."""
        self.acting = {}
        loaded = self._run(lambda s, a: refiner_options(s, a) if a.can(MOVE) else None, write=False)
        self.can_move, self.refiners = loaded is not None, loaded or []
        self._load()

    @rx.event
    def start(self, lot_id: str, kind: str) -> None:
        """Open the form to send a lot (shown on this page) to a refiner or melt it."""
        if not self._run(lambda s, a: a.can(MOVE), write=False):
            self._say("You do not have permission to move old gold.", ok=False)
            return
        row = next((r for r in self.rows if r["id"] == str(lot_id) and r["open"]), None)
        if row is None or kind not in LOT_MOVES:
            return
        self._clear_messages()
        self.acting = {
            "id": row["id"],
            "reference": row["reference"],
            "kind": kind,
            "on_hand": row["on_hand"].removesuffix(" g"),
            "title": f"{LOT_MOVES[kind].label}: lot {row['reference']} ({row['on_hand']} on hand)",
        }
        self.form_version += 1

    @rx.event
    def close(self) -> None:
        """Put the form away without moving anything."""
        self.acting = {}

    @rx.event
    def submit(self, form: dict) -> None:
        """Send or melt the weight typed; bad input keeps the form and changes nothing."""
        acting = dict(self.acting)
        typed = {key: str(form.get(key, "")) for key in ("weight", "party_id", "reference", "reason")}

        def work(session: Session, actor: Actor) -> OldGoldMove:
            lot_id = read_int(acting.get("id", ""), 1, MAX_ID) or 0
            party = read_int(typed["party_id"], 1, MAX_ID)
            return move_lot(
                session,
                actor,
                lot_id,
                acting.get("kind", ""),
                typed["weight"],
                party_id=party,
                reference=typed["reference"],
                reason=typed["reason"],
            )

        move = self._run(work)
        if move is not None:
            self._say(
                f"{move.weight:.3f} g of lot {acting.get('reference', '')}: {LOT_MOVES[move.kind].label.lower()}."
            )
            self.acting = {}
            self._refresh()


def _row_actions(row: rx.Var) -> rx.Component:
    return rx.cond(
        OldGoldLots.can_move & (row["open"] != ""),
        rx.hstack(
            rx.button(
                "Send to refiner",
                size="1",
                variant="soft",
                on_click=OldGoldLots.start(row["id"], "refiner"),
                aria_label="Send to refiner: " + row["reference"],
            ),
            rx.button(
                "Melt",
                size="1",
                variant="soft",
                color_scheme="orange",
                on_click=OldGoldLots.start(row["id"], "melt"),
                aria_label="Melt: " + row["reference"],
            ),
            spacing="2",
        ),
    )


def _move_form() -> rx.Component:
    acting = OldGoldLots.acting
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(acting["title"], size="4"),
                rx.grid(
                    field("Weight (g)", "weight", default_value=acting["on_hand"], hint="At most what is on hand"),
                    rx.cond(
                        acting["kind"] == "refiner",
                        select_field("Refiner", "party_id", OldGoldLots.refiners),
                    ),
                    field("Reference", "reference", hint="e.g. the refiner's challan number"),
                    field("Reason", "reason", hint="Needed to melt, e.g. Melted into a bar for the karigar"),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.hstack(
                    rx.button(rx.cond(acting["kind"] == "melt", "Melt", "Send"), type="submit"),
                    rx.button("Cancel", type="button", variant="soft", color_scheme="gray", on_click=OldGoldLots.close),
                    spacing="2",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=OldGoldLots.submit,
            no_validate=True,
            reset_on_submit=False,
            key=OldGoldLots.form_version.to_string(),
        ),
        width="100%",
    )


def old_gold_page() -> rx.Component:
    """The old-gold lots page registered in the manifest (``/stock/old-gold``)."""
    return shell(
        rx.vstack(
            rx.cond(OldGoldLots.acting.contains("id"), _move_form()),
            data_table(OldGoldLots, row_actions=_row_actions),
            rx.text(
                "Each lot is one purchase voucher; its weights always add up: "
                "net received = to refiner + melted + returned + on hand.",
                size="1",
                color_scheme="gray",
            ),
            spacing="4",
            width="100%",
        ),
        "Old-gold lots",
    )
