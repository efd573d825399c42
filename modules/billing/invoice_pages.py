"""The invoice pages: the store's invoice list with the new-invoice form, and one invoice.

A draft takes pieces (by SKU), services and old gold, and is issued; an issued invoice is
read-only and may be cancelled with a credit note. Every line shows the pricing engine's
breakdown, and the totals show the round-off as its own line.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import ValidationError
from jewelerp.money import format_inr
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import fact, field, select_field
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from jewelerp.validation import MAX_ID, read_int, read_percent
from modules.billing.approval_pages import InvoiceApprovalMixin, approval_panel
from modules.billing.estimate_pages import InvoiceEstimateMixin, estimate_panel
from modules.billing.invoice_tables import INVOICES, STATUS_LABELS, document_title
from modules.billing.invoices import (
    CANCEL,
    add_old_gold,
    add_piece_line,
    add_service_line,
    cancel_invoice,
    create_draft,
    issue_invoice,
    lines_of,
    remove_line,
    set_customer_pan,
    set_occasion,
    set_recipient,
    shown_pan,
)
from modules.billing.models import Invoice, InvoiceLine
from modules.billing.old_gold_pages import item_fields, seller_fields, typed_entry
from modules.billing.page_inputs import RECIPIENT_FIELDS, STATE_CHOICES, NewDocumentMixin, recipient_from
from modules.billing.payment_pages import InvoicePaymentsMixin, payments_panel
from modules.billing.pricing import Discount
from modules.billing.print_pages import InvoicePrintMixin, print_button
from modules.billing.supply import state_label
from modules.billing.tax_classes import REPAIR, class_options
from modules.clienteling.api import PII
from modules.stock.api import piece_by_sku

KINDS = {"piece": "Piece", "service": "Service", "old_gold": "Old gold"}
ROW_LABELS = {
    "taxable": "Taxable value",
    "cgst": "CGST 1.5%",
    "sgst": "SGST 1.5%",
    "igst": "IGST 3%",
    "value": "Value",
    "deduction": "Deduction",
    "credit": "Credit",
}


def _money(raw: str | Decimal) -> str:
    return format_inr(Decimal(str(raw)), paise=True)


def _discount(raw: str, key: str) -> Discount | None:
    """An optional discount % typed beside the SKU; ``key`` names the field for its error."""
    if not raw.strip():
        return None
    value = read_percent(raw)
    if value is None:
        raise ValidationError({key: "The discount is a % from 0 to 100, e.g. 10 (or leave it empty)."})
    return Discount("percent", value)


# ---------------------------------------------------------------------------- the list


class InvoicesState(NewDocumentMixin, RecordFormMixin, DataTableMixin, AppState):
    """One page of the store's invoices and the new-invoice form."""

    spec: ClassVar[TableSpec] = INVOICES

    def _start(self, session: Session, actor: Actor, **customer: Any) -> Invoice:
        return create_draft(session, actor, **customer)


def recipient_fields(value: rx.Var) -> list[rx.Component]:
    """The customer's address, state and GSTIN and the delivery address (Rule 46), filled from ``value``."""
    return [
        field("Customer's address", "customer_address", default_value=value["customer_address"]),
        select_field(
            "Customer's state", "customer_state_code", STATE_CHOICES, default_value=value["customer_state_code"]
        ),
        field(
            "Customer's GSTIN (registered buyer)",
            "customer_gstin",
            default_value=value["customer_gstin"],
            hint="A registered buyer is taxed in its GSTIN's state",
        ),
        field(
            "Delivery address (goods sent)",
            "ship_to_address",
            default_value=value["ship_to_address"],
            hint="Empty when the customer takes the goods at the counter",
        ),
        select_field("Delivery state", "ship_to_state_code", STATE_CHOICES, default_value=value["ship_to_state_code"]),
    ]


def _new_fields(state: type[RecordFormMixin] = InvoicesState) -> rx.Component:
    value = state.editing
    return rx.grid(
        field(
            "Customer name",
            "customer_name",
            default_value=value["customer_name"],
            hint="Empty for a walk-in, or taken from the customer number",
        ),
        field(
            "Customer number (optional)",
            "customer_id",
            default_value=value["customer_id"],
            hint="The customer's number in Customers, e.g. 42",
        ),
        field(
            "PAN (optional)",
            "customer_pan",
            default_value=value["customer_pan"],
            hint="Needed above ₹2,00,000 (one sale, or the day's purchases)",
        ),
        *recipient_fields(value),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


def invoices_page() -> rx.Component:
    """The invoice list (``/billing/invoices``)."""
    return shell(
        rx.vstack(
            record_form(
                InvoicesState, ("New invoice", "New invoice"), _new_fields(), "Create draft", InvoicesState.create
            ),
            data_table(
                InvoicesState,
                link_column="number",
                toolbar=rx.button(rx.icon("file-plus", size=16), "New invoice", on_click=InvoicesState.new),
            ),
            spacing="4",
            width="100%",
        ),
        "Invoices",
    )


# ---------------------------------------------------------------------------- one invoice


def _line_rows(line: InvoiceLine) -> list[dict[str, str]]:
    """A line's heading row followed by its breakdown rows (label, basis, amount)."""
    rows = [
        {
            "type": "line",
            "id": str(line.id),
            "kind": KINDS.get(line.kind, line.kind),
            "label": line.description,
            "basis": _tax_note(line),
            "amount": _money(-line.amount if line.kind == "old_gold" else line.amount),
            "link": f"/stock/pieces/{line.piece_id}" if line.piece_id else "",
        }
    ]
    for item in json.loads(line.breakdown or "[]"):
        key = str(item.get("key", ""))
        basis = str(item.get("basis", ""))
        if line.kind == "service" and not basis:
            basis = "Service charge" if key == "taxable" else f"of {_money(line.taxable)}"
        rows.append(
            {
                "type": "detail",
                "id": str(line.id),
                "kind": key,
                "label": str(item.get("label") or ROW_LABELS.get(key, key)),
                "basis": basis,
                "amount": _money(item.get("amount", "0")),
                "link": "",
            }
        )
    return rows


def _tax_note(line: InvoiceLine) -> str:
    """ "HSN 7113 · GST 3%" or "SAC 9987 · GST 18%" for a sale line; "" for old gold and lines without a code."""
    if line.kind == "old_gold" or not line.hsn_sac:
        return ""
    code = "SAC" if line.hsn_sac.startswith("99") else "HSN"
    return f"{code} {line.hsn_sac} · GST {line.tax_rate.normalize():f}%"


def _recipient(invoice: Invoice) -> dict[str, str]:
    """The customer's details as typed (for the draft's form) and as shown."""
    typed = {key: getattr(invoice, key) for key in RECIPIENT_FIELDS}
    return {
        **typed,
        "state": state_label(invoice.customer_state_code, invoice.customer_state),
        "ship_to_state": state_label(invoice.ship_to_state_code),
        "place_of_supply": state_label(invoice.place_of_supply),
    }


def _totals(invoice: Invoice) -> list[dict[str, str]]:
    rows = [("Taxable value", invoice.taxable)]
    if invoice.igst:
        rows.append(("IGST", invoice.igst))
    else:
        rows += [("CGST", invoice.cgst), ("SGST", invoice.sgst)]
    rows += [("Round-off", invoice.round_off), ("Total", invoice.total)]
    if invoice.old_gold_credit:  # a purchase, credited after tax; the settlement rounds on its own
        rows.append(("Old gold purchase (credit)", -invoice.old_gold_credit))
        rows.append(("Settlement round-off", invoice.settlement_round_off))
    rows.append(("Payable", invoice.payable))
    return [{"label": label, "amount": _money(amount)} for label, amount in rows]


def _invoice_data(session: Session, actor: Actor, invoice_id: int) -> dict[str, Any]:
    """Everything the invoice page shows, as display text."""
    lines = lines_of(session, actor, invoice_id)  # checks the permission and the store
    invoice = session.get(Invoice, invoice_id)
    return {
        "invoice": {
            "id": str(invoice.id),
            "title": document_title(invoice),
            "status": invoice.status,
            "status_label": STATUS_LABELS.get(invoice.status, invoice.status),
            "kind": invoice.kind,
            "date": f"{invoice.invoice_date:%d %b %Y}" if invoice.invoice_date else "",
            "customer": invoice.customer_name or "Walk-in customer",
            "customer_number": str(invoice.customer_id or ""),
            **_recipient(invoice),
            "pan": shown_pan(actor, invoice.customer_pan),
            "pan_typed": invoice.customer_pan if actor.can(PII) else "",
            "occasion": invoice.occasion,
            "created_by": invoice.created_by,
            "issued": actor.local(invoice.issued_at).strftime("%d %b %Y %H:%M") if invoice.issued_at else "",
        },
        "rows": [row for line in lines for row in _line_rows(line)],
        "totals": _totals(invoice),
        "tax_classes": [
            {"value": code, "label": text} for code, text in class_options(session, actor, invoice.invoice_date)
        ],
        "can_cancel": actor.can(CANCEL),
    }


class InvoiceState(InvoiceEstimateMixin, InvoiceApprovalMixin, InvoicePrintMixin, InvoicePaymentsMixin, AppState):
    """One invoice: its lines with their breakdowns, its totals and what may be done next."""

    invoice: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    totals: list[dict[str, str]] = []
    tax_classes: list[dict[str, str]] = []
    can_cancel: bool = False
    found: bool = False
    version: int = 0

    def _id(self) -> int:
        return self._route_number("invoice_id")

    def _reload(self) -> None:
        invoice_id = self._id()
        data = self._open_record(
            invoice_id, lambda s, a: _invoice_data(s, a, invoice_id), "That invoice does not exist in this store."
        )
        if data is None:
            return
        for key, value in data.items():
            setattr(self, key, value)
        self._load_estimate(invoice_id)
        self._load_approval(invoice_id)
        self._load_payments(invoice_id)
        self.version += 1

    @rx.event
    def load(self) -> None:
        """Open the page for the invoice in the URL."""
        self._clear_messages()
        self._reload()

    @rx.event
    def add_piece(self, form: dict) -> None:
        """Add a piece by its SKU, with optional discounts (% off making, % off the whole price)."""
        invoice_id, sku = self._id(), str(form.get("sku", ""))
        raw, raw_making = str(form.get("discount", "")), str(form.get("making_discount", ""))

        def work(session: Session, actor: Actor) -> InvoiceLine:
            if not sku.strip():
                raise ValidationError({"sku": "Enter the piece's SKU (on its tag)."})
            discount, making = _discount(raw, "discount"), _discount(raw_making, "making_discount")
            piece = piece_by_sku(session, actor, sku)
            return add_piece_line(session, actor, invoice_id, piece.id, discount, making_discount=making)

        self._after(self._run(work, done=f"{sku.strip().upper()} added."))

    @rx.event
    def add_service(self, form: dict) -> None:
        """Add a service line (its amount before GST) of the chosen tax class."""
        invoice_id = self._id()
        text, amount = str(form.get("description", "")), str(form.get("amount", ""))
        code = str(form.get("tax_class", ""))
        line = self._run(lambda s, a: add_service_line(s, a, invoice_id, text, amount, code), done="Service added.")
        self._after(line)

    @rx.event
    def save_recipient(self, form: dict) -> None:
        """Change the draft's customer address, state, GSTIN and delivery address (its lines are taxed again)."""
        invoice_id, recipient = self._id(), recipient_from(form)
        saved = self._run(lambda s, a: set_recipient(s, a, invoice_id, recipient), done="Customer details saved.")
        self._after(saved)

    @rx.event
    def add_old_gold(self, form: dict) -> None:
        """Take old gold in exchange: a purchase voucher, numbered when the invoice is issued, credited after tax."""
        invoice_id = self._id()
        line = self._run(lambda s, a: add_old_gold(s, a, invoice_id, typed_entry(form)), done="Old gold added.")
        self._after(line)

    @rx.event
    def remove(self, line_id: str) -> None:
        """Take a line off the draft."""
        number = read_int(line_id, 1, MAX_ID) or 0

        def work(session: Session, actor: Actor) -> bool:
            remove_line(session, actor, number)
            return True

        self._after(self._run(work, done="Line removed."))

    @rx.event
    def set_pan(self, form: dict) -> None:
        """Record the customer's PAN on the draft."""
        invoice_id, pan = self._id(), str(form.get("customer_pan", ""))
        self._after(self._run(lambda s, a: set_customer_pan(s, a, invoice_id, pan), done="PAN saved."))

    @rx.event
    def save_occasion(self, form: dict) -> None:
        """Name the event the sale is for (its cash counts together under section 269ST(c))."""
        invoice_id, occasion = self._id(), str(form.get("occasion", ""))
        self._after(self._run(lambda s, a: set_occasion(s, a, invoice_id, occasion), done="Occasion saved."))

    @rx.event
    def issue(self) -> None:
        """Issue the draft: it takes its number and the pieces are sold; on any error nothing changes."""
        invoice_id = self._id()
        invoice = self._run(lambda s, a: issue_invoice(s, a, invoice_id))
        if invoice is not None:
            self._say(f"Invoice {invoice.number} issued.")
        self._after(invoice)

    @rx.event
    def cancel(self, form: dict) -> None:
        """Cancel the issued invoice with a credit note; its pieces go back to stock."""
        invoice_id, reason = self._id(), str(form.get("reason", ""))
        note = self._run(lambda s, a: cancel_invoice(s, a, invoice_id, reason))
        if note is not None:
            self._say(f"Invoice cancelled with credit note {note.number}.")
        self._after(note)


def _panel(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%")


def _small_form(on_submit: Any, button: str, *children: rx.Component) -> rx.Component:
    return rx.form(
        rx.flex(
            *children,
            rx.button(button, type="submit", variant="soft"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=on_submit,
        no_validate=True,
        reset_on_submit=False,
        key=InvoiceState.version.to_string(),
        width="100%",
    )


def _box(child: rx.Component, width: str = "12em") -> rx.Component:
    return rx.box(child, min_width=width)


def _is_draft() -> rx.Var:
    return InvoiceState.invoice["status"] == "draft"


def _line_row(row: dict) -> rx.Component:
    return rx.cond(
        row["type"] == "line",
        rx.table.row(
            rx.table.cell(rx.badge(row["kind"])),
            rx.table.cell(
                rx.cond(row["link"] != "", rx.link(row["label"], href=row["link"]), rx.text(row["label"])),
                rx.cond(row["basis"] != "", rx.text(row["basis"], size="1", color_scheme="gray", weight="regular")),
                font_weight="bold",
                white_space="normal",
            ),
            rx.table.cell(row["amount"], font_weight="bold", white_space="nowrap", text_align="right"),
            rx.table.cell(
                rx.cond(
                    _is_draft(),
                    rx.button(
                        "Remove",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=InvoiceState.remove(row["id"]),
                        aria_label="Remove " + row["label"],
                    ),
                )
            ),
        ),
        rx.table.row(
            rx.table.cell(""),
            rx.table.cell(
                rx.text(row["label"], size="2"),
                rx.text(row["basis"], size="1", color_scheme="gray"),
                white_space="normal",
            ),
            rx.table.cell(row["amount"], white_space="nowrap", text_align="right"),
            rx.table.cell(""),
        ),
    )


def _lines_panel() -> rx.Component:
    return _panel(
        "Lines",
        rx.cond(
            InvoiceState.rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.el.caption("Invoice lines", class_name="sr-only"),
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in ("Kind", "Line", "Amount", "")])
                    ),
                    rx.table.body(rx.foreach(InvoiceState.rows, _line_row)),
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No lines yet.", size="2", color_scheme="gray"),
        ),
    )


def _totals_panel() -> rx.Component:
    return _panel(
        "Totals",
        rx.table.root(
            rx.el.caption("Invoice totals", class_name="sr-only"),
            rx.table.body(
                rx.foreach(
                    InvoiceState.totals,
                    lambda t: rx.table.row(
                        rx.table.row_header_cell(t["label"]),
                        rx.table.cell(t["amount"], white_space="nowrap", text_align="right"),
                    ),
                )
            ),
            size="1",
            width="100%",
            max_width="28rem",
        ),
    )


def _draft_panel() -> rx.Component:
    return _panel(
        "Add to the draft",
        _small_form(
            InvoiceState.add_piece,
            "Add piece",
            _box(field("SKU", "sku", hint="On the piece's tag")),
            _box(field("Making discount %", "making_discount", hint="Off the making charges only")),
            _box(field("Discount % (optional)", "discount", hint="Off the piece's price before GST")),
        ),
        _small_form(
            InvoiceState.add_service,
            "Add service",
            _box(field("Service", "description", hint="e.g. Polishing"), "16em"),
            _box(field("Amount (₹)", "amount", hint="Before GST, e.g. 500")),
            _box(select_field("Tax class", "tax_class", InvoiceState.tax_classes, default_value=REPAIR), "20em"),
        ),
        _small_form(
            InvoiceState.add_old_gold,
            "Add old gold",
            *item_fields(),
            *seller_fields(exchange=True),
        ),
        _small_form(
            InvoiceState.set_pan,
            "Save PAN",
            _box(field("Customer PAN", "customer_pan", default_value=InvoiceState.invoice["pan_typed"])),
        ),
        _small_form(
            InvoiceState.save_occasion,
            "Save occasion",
            _box(
                field(
                    "Occasion (optional)",
                    "occasion",
                    default_value=InvoiceState.invoice["occasion"],
                    hint="e.g. Wedding of Asha, Dec 2026: the same words on each bill for it",
                ),
                "20em",
            ),
        ),
        _small_form(
            InvoiceState.save_recipient,
            "Save customer details",
            *[_box(child, "16em") for child in recipient_fields(InvoiceState.invoice)],
        ),
        rx.cond(
            InvoiceState.invoice["kind"] == "invoice",
            rx.hstack(
                rx.button(rx.icon("file-check", size=16), "Issue invoice", on_click=InvoiceState.issue),
                rx.text("Issuing sells the pieces and takes the next number; it cannot be edited after.", size="1"),
                align="center",
                wrap="wrap",
            ),
        ),
    )


def _cancel_panel() -> rx.Component:
    return rx.cond(
        InvoiceState.can_cancel & (InvoiceState.invoice["status"] == "issued"),
        _panel(
            "Cancel with a credit note",
            rx.text("The pieces go back to stock; the invoice stays on record as cancelled.", size="2"),
            _small_form(
                InvoiceState.cancel,
                "Cancel with a credit note",
                _box(field("Reason", "reason", hint="e.g. Customer returned the piece"), "20em"),
            ),
        ),
    )


def _summary() -> rx.Component:
    inv = InvoiceState.invoice
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(inv["title"], size="7"),
                rx.badge(
                    inv["status_label"],
                    color_scheme=rx.match(
                        inv["status"],
                        ("draft", "amber"),
                        ("issued", "green"),
                        ("quoted", "blue"),
                        ("converted", "green"),
                        "red",
                    ),
                    size="3",
                ),
                rx.spacer(),
                print_button(InvoiceState),
                rx.link("All invoices", href="/billing/invoices", size="2"),
                spacing="3",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            fact("Date", inv["date"]),
            fact("Customer", inv["customer"]),
            fact("Customer number", inv["customer_number"]),
            fact("Address", inv["customer_address"]),
            fact("State", inv["state"]),
            fact("GSTIN", inv["customer_gstin"]),
            fact("Delivery address", inv["ship_to_address"]),
            fact("Delivery state", inv["ship_to_state"]),
            fact("Place of supply", inv["place_of_supply"]),
            fact("PAN", inv["pan"]),
            fact("Occasion", inv["occasion"]),
            fact("Issued", inv["issued"]),
            fact("Created by", inv["created_by"]),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def _found() -> rx.Component:
    return rx.vstack(
        _summary(),
        _lines_panel(),
        _totals_panel(),
        estimate_panel(InvoiceState),
        approval_panel(InvoiceState),
        rx.cond(_is_draft(), _draft_panel()),
        payments_panel(InvoiceState),
        _cancel_panel(),
        spacing="4",
        width="100%",
    )


def invoice_page() -> rx.Component:
    """One invoice (``/billing/invoices/[invoice_id]``)."""
    return shell(rx.cond(InvoiceState.found, _found()), "Invoice")
