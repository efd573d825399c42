"""The payments part of the invoice page, and the dues page (``/billing/dues``).

:class:`InvoicePaymentsMixin` joins the invoice page's state, which provides ``_id()``, ``_run``,
``_say`` and ``_after``; :func:`payments_panel` is its card: the receipts (and the old gold credit),
the balance, a form that takes one payment at a time (a split payment is several), and for a
cancelled invoice the refund of what was paid.

The dues page lists each customer's balance in ageing buckets and every open invoice, both
exportable to Excel.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import reflex as rx
from sqlalchemy import literal_column
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.audit import client_ip_scope
from jewelerp.money import format_inr
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.billing import payments
from modules.billing.invoices import CANCEL
from modules.billing.models import Invoice
from modules.billing.payments import METHOD_OPTIONS, REFERENCE_HINT


def _money(amount: Decimal) -> str:
    return format_inr(amount, paise=True)


def method_label(method: str) -> str:
    """How a payment method reads on screen: "UPI", "Bank transfer", "Booking advance", "Loyalty points"."""
    return payments.method_label(method)


def payment_row(line: payments.PaymentLine) -> dict[str, str]:
    """One payment as display text; a refund shows as a negative amount."""
    return {
        "receipt": line.receipt or payments.KIND_LABELS.get(line.kind, line.kind),
        "date": f"{line.on:%d %b %Y}" if line.on else "",
        "method": method_label(line.method),
        "reference": line.reference,
        "amount": _money(-line.amount if line.kind == "refund" else line.amount),
        "by": line.received_by,
    }


def _payments_data(session: Session, actor: Actor, invoice_id: int) -> dict[str, Any]:
    """What the invoice page shows about payments; nothing for drafts, estimates or staff who cannot see them."""
    invoice = session.get(Invoice, invoice_id)
    shown = (
        invoice is not None
        and invoice.store_id == actor.store_id
        and invoice.kind == "invoice"
        and invoice.status != "draft"
        and actor.can(payments.TAKE)
    )
    if not shown:
        return {
            "pay_show": False,
            "payments": [],
            "pay_totals": {},
            "pay_methods": [],
            "can_pay": False,
            "can_refund": False,
        }
    rows = [payment_row(line) for line in payments.payments_of(session, actor, invoice_id)]
    due = payments.balance(invoice)
    return {
        "pay_show": True,
        "payments": rows,
        "pay_totals": {
            "payable": _money(invoice.payable),
            "paid": _money(invoice.paid),
            "balance": _money(due) if invoice.status == "issued" else _money(Decimal(0)),
            "balance_plain": f"{due:f}" if due > 0 else "",
            "refund": _money(invoice.paid),
            "cash_room": payments.cash_room(session, actor, payments.cash_for(invoice), actor.today()).hint(),
        },
        "pay_methods": [{"value": key, "label": label} for key, label in payments.method_options(actor)],
        "can_pay": invoice.status == "issued" and due > 0,
        "can_refund": invoice.status == "cancelled" and invoice.paid > 0 and actor.can(CANCEL),
    }


class InvoicePaymentsMixin(rx.State, mixin=True):
    """Payments on the invoice page (the state it joins provides ``_id()``, ``_run``, ``_say`` and ``_after``)."""

    pay_show: bool = False
    payments: list[dict[str, str]] = []
    pay_totals: dict[str, str] = {}
    pay_methods: list[dict[str, str]] = []
    can_pay: bool = False
    can_refund: bool = False
    pay_version: int = 0

    def _load_payments(self, invoice_id: int) -> None:
        data = self._run(lambda s, a: _payments_data(s, a, invoice_id), write=False)  # type: ignore[attr-defined]
        for key, value in (data or {"pay_show": False}).items():
            setattr(self, key, value)
        self.pay_version += 1  # the payment form starts empty again

    @rx.event
    def receive_payment(self, form: dict) -> None:
        """Take one payment (one receipt); a split payment is several of these."""
        invoice_id = self._id()  # type: ignore[attr-defined]
        method, amount, reference = (str(form.get(k, "")) for k in ("method", "amount", "reference"))
        with client_ip_scope(self._client_ip()):  # type: ignore[attr-defined]
            receipt = self._run(  # type: ignore[attr-defined]
                lambda s, a: payments.take_payment(s, a, invoice_id, method, amount, reference)
            )
        if receipt is not None:
            self._say(  # type: ignore[attr-defined]
                f"Receipt {receipt.receipt_number}: {_money(receipt.amount)} by {method_label(receipt.method)}."
            )
        self._after(receipt)  # type: ignore[attr-defined]

    @rx.event
    def refund_paid(self, form: dict) -> None:
        """Refund what a cancelled invoice had received."""
        invoice_id = self._id()  # type: ignore[attr-defined]
        method, reference = str(form.get("method", "")), str(form.get("reference", ""))
        refund = self._run(  # type: ignore[attr-defined]
            lambda s, a: payments.refund_cancelled(s, a, invoice_id, method, reference)
        )
        if refund is not None:
            self._say(f"Refunded {_money(refund.amount)} by {method_label(refund.method)}.")  # type: ignore[attr-defined]
        self._after(refund)  # type: ignore[attr-defined]


def payments_table(rows: Any, caption: str) -> rx.Component:
    """A table of payment rows (receipt, date, method, reference, amount)."""
    return rx.box(
        rx.table.root(
            rx.el.caption(caption, class_name="sr-only"),
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(h) for h in ("Receipt", "Date", "Method", "Reference", "Amount")]
                )
            ),
            rx.table.body(
                rx.foreach(
                    rows,
                    lambda r: rx.table.row(
                        rx.table.row_header_cell(r["receipt"], white_space="nowrap"),
                        rx.table.cell(r["date"], white_space="nowrap"),
                        rx.table.cell(r["method"]),
                        rx.table.cell(r["reference"]),
                        rx.table.cell(r["amount"], white_space="nowrap", text_align="right"),
                    ),
                )
            ),
            size="1",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def tender_form(
    on_submit: Any,
    button: str,
    key: rx.Var,
    amount_default: Any = "",
    label: str = "Payment",
    options: list[tuple[str, str]] | rx.Var = METHOD_OPTIONS,
) -> rx.Component:
    """Method, amount and reference fields with a submit button (``label`` names the fields; ``options``
    are the methods, a list or a state var of ``{"value", "label"}``)."""
    return rx.form(
        rx.flex(
            rx.box(select_field(f"{label} method", "method", options), min_width="10em"),
            rx.box(field(f"{label} amount (₹)", "amount", default_value=amount_default), min_width="10em"),
            rx.box(field("Reference", "reference", hint=REFERENCE_HINT), min_width="14em", flex="1"),
            rx.button(button, type="submit"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=on_submit,
        no_validate=True,
        reset_on_submit=False,
        key=key.to_string(),
        width="100%",
    )


def _refund_form(state: Any) -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(select_field("Refund method", "method", METHOD_OPTIONS), min_width="10em"),
            rx.box(field("Refund reference (optional)", "reference"), min_width="14em", flex="1"),
            rx.button("Refund " + state.pay_totals["refund"], type="submit", color_scheme="red", variant="soft"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=state.refund_paid,
        no_validate=True,
        reset_on_submit=False,
        key=state.pay_version.to_string(),
        width="100%",
    )


def _total(label: str, value: rx.Var, strong: bool = False) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="4" if strong else "3", weight="bold" if strong else "medium"),
        spacing="0",
    )


def payments_panel(state: Any) -> rx.Component:
    """The invoice page's payments card (issued and cancelled invoices)."""
    totals = state.pay_totals
    return rx.cond(
        state.pay_show,
        rx.card(
            rx.vstack(
                rx.heading("Payments", size="4"),
                rx.cond(
                    state.payments.length() > 0,
                    payments_table(state.payments, "Invoice payments"),
                    rx.text("No payments yet.", size="2", color_scheme="gray"),
                ),
                rx.flex(
                    _total("Payable", totals["payable"]),
                    _total("Paid", totals["paid"]),
                    rx.box(_total("Balance", totals["balance"], strong=True), aria_label="Balance"),
                    spacing="6",
                    wrap="wrap",
                ),
                rx.cond(
                    state.can_pay,
                    rx.vstack(
                        tender_form(
                            state.receive_payment,
                            "Take payment",
                            state.pay_version,
                            totals["balance_plain"],
                            options=state.pay_methods,
                        ),
                        rx.text(totals["cash_room"], size="1", color_scheme="gray"),
                        spacing="1",
                        width="100%",
                    ),
                ),
                rx.cond(
                    state.can_refund,
                    rx.vstack(
                        rx.text(
                            "The invoice is cancelled: refund what the customer paid.",
                            size="2",
                        ),
                        _refund_form(state),
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


# ---------------------------------------------------------------------------- the dues page


def _dues_row(r: Any, actor: Actor) -> dict[str, Any]:
    row = r._mapping
    walk_in = row["customer_id"] is None
    return {
        "customer": row["customer_name"] or "Walk-in customer",
        "number": "Walk-in" if walk_in else f"#{row['customer_id']}",
        "invoices": row["invoices"],
        **{key: row[key] for key, _label in payments.AGEING},
        "total": row["total"],
        "oldest": actor.local(row["oldest"]).date() if row["oldest"] else None,
    }


DUES = TableSpec(
    name="dues",
    title="Dues by customer",
    permission=payments.REPORT,
    columns=(
        Column("customer", "Customer"),
        Column("number", "Customer no.", sortable=False),
        Column("invoices", "Invoices", sortable=False, kind=Kind.INTEGER, shown=str),
        *[Column(key, label, kind=Kind.MONEY) for key, label in payments.AGEING],
        Column("total", "Total due", kind=Kind.MONEY),
        Column("oldest", "Oldest invoice", kind=Kind.DATE),
    ),
    base=lambda actor, q: payments.dues_statement(actor),
    row=_dues_row,
    sort_columns={
        "customer": literal_column("customer_name"),
        **{key: literal_column(key) for key in ("total", "oldest", *(k for k, _label in payments.AGEING))},
    },
    default_sort="total",
    newest_first=True,
    search_columns=(Invoice.customer_name,),
)


def _days(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''}"


def _open_row(r: Any, actor: Actor) -> dict[str, Any]:
    (invoice,) = r
    return {
        "number": invoice.number or "",
        "_link": f"/billing/invoices/{invoice.id}",
        "issued": actor.local(invoice.issued_at).date(),
        "customer": invoice.customer_name or "Walk-in customer",
        "payable": invoice.payable,
        "paid": invoice.paid,
        "balance": payments.balance(invoice),
        "age": payments.age_in_days(actor, invoice.issued_at),
    }


OPEN_DUES = TableSpec(
    name="open-invoices",
    title="Open invoices",
    permission=payments.REPORT,
    columns=(
        Column("number", "Invoice"),
        Column("issued", "Issued", kind=Kind.DATE),
        Column("customer", "Customer"),
        Column("payable", "Payable", sortable=False, kind=Kind.MONEY),
        Column("paid", "Paid", sortable=False, kind=Kind.MONEY),
        Column("balance", "Balance", kind=Kind.MONEY),
        Column("age", "Age", sortable=False, kind=Kind.INTEGER, shown=_days),
    ),
    base=lambda actor, q: payments.open_dues_statement(actor),
    row=_open_row,
    sort_columns={
        "number": Invoice.number,
        "issued": Invoice.issued_at,
        "customer": Invoice.customer_name,
        "balance": Invoice.payable - Invoice.paid,
    },
    default_sort="issued",
    search_columns=(Invoice.number, Invoice.customer_name),
)


class OpenDuesState(DataTableMixin, AppState):
    """One page of the store's open invoices, oldest first."""

    spec: ClassVar[TableSpec] = OPEN_DUES


class DuesState(DataTableMixin, AppState):
    """One page of the customers who owe the store, largest balance first."""

    spec: ClassVar[TableSpec] = DUES

    @rx.event
    def open_page(self):
        """Runs after the shell's access check (the manifest's on_load); then loads the open invoices."""
        self._load()
        return OpenDuesState.load


def dues_page() -> rx.Component:
    """The dues page (``/billing/dues``): customers by ageing bucket, then every open invoice."""
    return shell(
        rx.vstack(
            rx.text(
                "Balances of issued invoices, aged by days since issue in the store's dates.",
                size="2",
                color_scheme="gray",
            ),
            rx.heading("By customer", size="4"),
            data_table(DuesState),
            rx.heading("Open invoices", size="4"),
            data_table(OpenDuesState, link_column="number"),
            spacing="4",
            width="100%",
        ),
        "Dues",
    )
