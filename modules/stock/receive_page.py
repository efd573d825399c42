"""Receive stock: one piece from a supplier, karigar or consignor, with up to three stone lines."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.ui.forms import field, field_error, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from modules.stock.masters import as_choices, category_options, design_options, metal_options, party_options
from modules.stock.pieces import MAKING_RULES, STONE_KINDS, PieceInput, StoneInput, receive_piece

STONE_LINES = 3
TEXT_FIELDS = (
    "category_id",
    "metal_id",
    "gross_weight",
    "stone_weight",
    "design_id",
    "size",
    "batch",
    "description",
    "making_rule",
    "making_value",
    "wastage_pct",
    "cost_price",
    "huid",
    "party_id",
)
STONE_FIELDS = ("kind", "count", "carat", "colour", "clarity", "grade", "value")


def _choose(label: str, options: list[tuple[str, str]]) -> list[dict[str, str]]:
    return as_choices([("", label), *options])


def piece_input(form: dict) -> PieceInput:
    """The typed form as a :class:`PieceInput`; empty stone lines are left out."""
    stones = []
    for line in range(1, STONE_LINES + 1):
        typed = {k: str(form.get(f"stone_{line}_{k}", "")).strip() for k in STONE_FIELDS}
        if not (typed["kind"] or typed["carat"] or typed["value"]):
            continue
        stones.append(
            StoneInput(
                **(typed | {"count": typed["count"] or "1"}), lab_grown=bool(form.get(f"stone_{line}_lab_grown"))
            )
        )
    return PieceInput(**{k: str(form.get(k, "")) for k in TEXT_FIELDS}, stones=stones)


class ReceiveState(AppState):
    """The receiving form's drop-downs and the last piece received."""

    categories: list[dict[str, str]] = []
    metals: list[dict[str, str]] = []
    designs: list[dict[str, str]] = []
    parties: list[dict[str, str]] = []
    can_cost: bool = False
    received_id: str = ""
    received_sku: str = ""
    form_version: int = 0

    @rx.event
    def load(self) -> None:
        """Fill the drop-downs from the masters."""
        self.received_id = self.received_sku = ""

        def work(session: Session, actor: Actor) -> dict:
            return {
                "categories": _choose("Choose a category", category_options(session, actor)),
                "metals": _choose("Choose metal and purity", metal_options(session, actor)),
                "designs": _choose("No design", design_options(session, actor)),
                "parties": _choose("Not recorded", party_options(session, actor, ("supplier", "karigar", "consignor"))),
                "can_cost": actor.can("stock.cost.view"),
            }

        data = self._run(work, write=False)
        if data is None:
            return
        for key, value in data.items():
            setattr(self, key, value)

    @rx.event
    def receive(self, form: dict) -> None:
        """Take the piece into this branch; on bad input the form keeps what was typed."""
        data = piece_input(form)
        consignment = bool(form.get("consignment"))
        if not self.can_cost:
            data.cost_price = ""
        piece = self._run(lambda s, a: receive_piece(s, a, data, consignment=consignment))
        if piece is None:
            return
        self.received_id, self.received_sku = str(piece.id), piece.sku
        self._say(f"Received {piece.sku}.")
        self.form_version += 1  # a new key empties the form for the next piece


def _checkbox(label: str, name: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="checkbox", name=name, id=f"field-{name}"),
            rx.text(label, size="2"),
            align="center",
            spacing="2",
        ),
    )


def _stone_line(line: int) -> rx.Component:
    prefix = f"stone_{line}"
    return rx.vstack(
        rx.text(f"Stone {line}", size="2", weight="bold"),
        rx.grid(
            select_field(
                f"Stone {line} kind", f"{prefix}_kind", [("", "None"), *[(k, k.title()) for k in STONE_KINDS]]
            ),
            field(f"Stone {line} count", f"{prefix}_count", input_mode="numeric", placeholder="1"),
            field(f"Stone {line} carats", f"{prefix}_carat", input_mode="decimal", placeholder="0.250"),
            field(f"Stone {line} colour", f"{prefix}_colour"),
            field(f"Stone {line} clarity", f"{prefix}_clarity"),
            field(f"Stone {line} grade", f"{prefix}_grade"),
            field(f"Stone {line} value (₹)", f"{prefix}_value", input_mode="decimal", placeholder="0"),
            columns=rx.breakpoints(initial="2", md="4", lg="7"),
            spacing="2",
            width="100%",
        ),
        _checkbox(f"Stone {line} is lab-grown", f"{prefix}_lab_grown"),
        field_error(prefix),
        spacing="2",
        width="100%",
    )


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%")


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2", lg="3"), spacing="3", width="100%")


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                _section(
                    "The piece",
                    _grid(
                        select_field("Category", "category_id", ReceiveState.categories),
                        select_field("Metal and purity", "metal_id", ReceiveState.metals),
                        select_field("Design", "design_id", ReceiveState.designs),
                        field("Gross weight (g)", "gross_weight", input_mode="decimal", hint="e.g. 12.345"),
                        field("Stone weight (g)", "stone_weight", input_mode="decimal", hint="0 for plain metal"),
                        field("Size", "size", hint="Ring size, length or diameter"),
                        field("HUID", "huid", hint="6 letters or digits; gold jewellery 14K–24K of 2 g or more"),
                        field("Batch", "batch"),
                        field("Description", "description"),
                    ),
                ),
                rx.divider(),
                _section(
                    "Charges and source",
                    _grid(
                        select_field("Making charge rule", "making_rule", list(MAKING_RULES)),
                        field("Making charge", "making_value", input_mode="decimal", hint="₹ or % as the rule says"),
                        field("Wastage %", "wastage_pct", input_mode="decimal"),
                        rx.cond(
                            ReceiveState.can_cost,
                            field("Cost price (₹)", "cost_price", input_mode="decimal", hint="Seen only by managers"),
                        ),
                        select_field("Supplier or karigar", "party_id", ReceiveState.parties),
                    ),
                    _checkbox("Received on consignment (the vendor still owns it)", "consignment"),
                ),
                rx.divider(),
                _section("Stones", *[_stone_line(n) for n in range(1, STONE_LINES + 1)]),
                rx.button(rx.icon("package-plus", size=16), "Receive piece", type="submit", size="3"),
                spacing="4",
                width="100%",
            ),
            on_submit=ReceiveState.receive,
            no_validate=True,
            reset_on_submit=False,
            key=ReceiveState.form_version.to_string(),
        ),
        width="100%",
    )


def _received() -> rx.Component:
    return rx.cond(
        ReceiveState.received_id != "",
        rx.card(
            rx.flex(
                rx.icon("circle-check", color="var(--green-9)"),
                rx.text("Last received: ", rx.text.strong(ReceiveState.received_sku), size="3"),
                rx.spacer(),
                rx.link(
                    "Open " + ReceiveState.received_sku,
                    href="/stock/pieces/" + ReceiveState.received_id,
                    weight="medium",
                ),
                spacing="3",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            width="100%",
        ),
    )


def receive_page() -> rx.Component:
    """The receive-stock page."""
    return shell(
        rx.vstack(
            rx.hstack(
                rx.text("A new piece gets the next SKU of this branch.", size="2", color_scheme="gray"),
                rx.spacer(),
                rx.link("All stock", href="/stock/pieces", size="2", white_space="nowrap"),
                width="100%",
                align="center",
            ),
            _received(),
            _form(),
            spacing="4",
            width="100%",
            max_width="72rem",
        ),
        "Receive stock",
    )
