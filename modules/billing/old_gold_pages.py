"""Old gold at the counter: the store's purchase vouchers, the buy-back form, and the fields an old-gold
item takes (shared with the invoice page, where old gold is taken in exchange)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.id_proof import ID_KINDS
from jewelerp.money import format_inr
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.downloads import download_pdf
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from jewelerp.validation import MAX_ID, read_int
from modules.billing.models import OldGoldVoucher
from modules.billing.old_gold import (
    ENTRY_FIELDS,
    OLD_GOLD_VOUCHERS,
    PAYOUT_METHODS,
    OldGoldEntry,
    buy_old_gold,
    get_voucher,
)
from modules.billing.old_gold_pdf import voucher_file_name, voucher_pdf
from modules.stock.api import METALS

METAL_CHOICES = [(metal, metal.title()) for metal in METALS]


def typed_entry(form: dict) -> OldGoldEntry:
    """The old-gold fields of a submitted form, as typed."""
    return OldGoldEntry(**{key: str(form.get(key, "")) for key in ENTRY_FIELDS})


def _cell(child: rx.Component) -> rx.Component:
    return rx.box(child, min_width="11em")


def item_fields() -> list[rx.Component]:
    """The fields of one old-gold item after testing, and the seller's identity document."""
    return [
        _cell(select_field("Old gold metal", "metal", METAL_CHOICES)),
        _cell(field("Tested fineness", "fineness", hint="Parts per 1000 after testing, e.g. 916")),
        _cell(field("Gross weight (g)", "gross_weight", hint="As brought, e.g. 8.450")),
        _cell(field("Net weight (g)", "net_weight", hint="Metal bought, e.g. 8.250")),
        _cell(field("Deduction %", "deduction_pct", default_value="0", hint="e.g. 2")),
        _cell(field("Item", "item_description", hint="e.g. Old bangles, a pair")),
        _cell(select_field("Seller's identity document", "id_kind", list(ID_KINDS))),
        _cell(field("Document number", "id_number", hint="Aadhaar: only its last 4 digits are kept")),
    ]


def seller_fields(*, exchange: bool = False) -> list[rx.Component]:
    """Who sells: on an exchange, the invoice's customer unless typed (and no customer number is asked)."""
    blank = "Empty: the invoice's" if exchange else ""
    number = [] if exchange else [_cell(field("Customer number (optional)", "customer_id", hint="e.g. 42"))]
    return [
        _cell(field("Seller's name", "seller_name", hint=blank and f"{blank} customer")),
        *number,
        _cell(field("Seller's address", "seller_address", hint=blank and f"{blank} address")),
        _cell(field("Seller's PAN", "seller_pan", hint="Needed above ₹2,00,000")),
    ]


class OldGoldState(DataTableMixin, AppState):
    """One page of the store's vouchers and the buy-back form."""

    spec: ClassVar[TableSpec] = OLD_GOLD_VOUCHERS
    form_version: int = 0

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check (the manifest's on_load)."""
        self._load()

    @rx.event
    def buy(self, form: dict) -> None:
        """Buy old gold for money at today's rate; on bad input nothing is written and the form keeps what was typed."""

        def work(session: Session, actor: Actor) -> OldGoldVoucher:
            method, reference = str(form.get("payout_method", "")), str(form.get("payout_reference", ""))
            return buy_old_gold(session, actor, typed_entry(form), method, reference)

        voucher = self._run(work)
        if voucher is None:
            return
        how = PAYOUT_METHODS[voucher.payout_method].lower()
        self._say(f"Voucher {voucher.number}: pay {voucher.seller_name} {format_inr(voucher.paid)} by {how}.")
        self.form_version += 1
        self._refresh()

    @rx.event
    def download(self, voucher_id: str) -> EventSpec | None:
        """One voucher as a PDF download."""
        number = read_int(voucher_id, 1, MAX_ID) or 0

        def work(session: Session, actor: Actor) -> tuple[str, bytes]:
            content = voucher_pdf(session, actor, number)  # checks the permission and the store
            return voucher_file_name(get_voucher(session, actor, number)), content

        result = self._run(work, write=False)
        return download_pdf(result[1], result[0]) if result else None


def _buy_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Buy old gold (buy-back)", size="4"),
                rx.text(
                    "Valued at today's rate at the tested fineness, less the deduction. Cash is limited to "
                    "₹10,000 per person per day (Income-tax Act s.40A(3)).",
                    size="2",
                    color_scheme="gray",
                ),
                rx.flex(*item_fields(), *seller_fields(), spacing="3", wrap="wrap", width="100%"),
                rx.flex(
                    _cell(select_field("Pay by", "payout_method", list(PAYOUT_METHODS.items()))),
                    _cell(field("Payment reference", "payout_reference", hint="UTR, UPI or cheque number")),
                    rx.button(rx.icon("coins", size=16), "Buy and issue voucher", type="submit"),
                    spacing="3",
                    wrap="wrap",
                    align="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=OldGoldState.buy,
            no_validate=True,
            reset_on_submit=False,
            key=OldGoldState.form_version.to_string(),
        ),
        width="100%",
    )


def _row_actions(row: rx.Var) -> rx.Component:
    return rx.button(
        "PDF",
        size="1",
        variant="soft",
        on_click=OldGoldState.download(row["id"]),
        aria_label="Download voucher " + row["number"],
    )


def old_gold_page() -> rx.Component:
    """The old-gold vouchers page (``/billing/old-gold``)."""
    return shell(
        rx.vstack(_buy_form(), data_table(OldGoldState, row_actions=_row_actions), spacing="4", width="100%"),
        "Old gold",
    )
