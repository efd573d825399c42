"""The booking pages: the store's bookings with the new-booking form (``/billing/bookings``), and one
booking (``/billing/bookings/[booking_id]``) with its schedule, its receipts, a further instalment,
completion into an invoice and cancellation under the store's refund rule."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlalchemy import Select, func, select, type_coerce
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.db import Money
from jewelerp.errors import ValidationError
from jewelerp.money import format_inr
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import fact, field, select_field
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from modules.billing import bookings
from modules.billing.invoices import shown_pan
from modules.billing.models import Booking, Invoice, Payment
from modules.billing.page_inputs import STATE_CHOICES, customer_number, store_state_code
from modules.billing.payment_pages import METHOD_OPTIONS, payment_row, payments_table, tender_form
from modules.stock.api import piece_by_sku

NEW_FIELDS = (
    "sku",
    "customer_name",
    "customer_id",
    "customer_state_code",
    "customer_pan",
    "amount",
    "method",
    "reference",
    "instalments",
    "instalment_amount",
    "occasion",
)
STATUS_LABELS = dict(bookings.STATUSES)
SCHEDULE_COLOURS = (("paid", "green"), ("overdue", "red"), ("part paid", "amber"), ("closed", "gray"))
CANCEL_FIELDS = {"method": "refund_method", "reference": "refund_reference"}


def _money(amount: Any) -> str:
    return format_inr(amount, paise=True)


# ---------------------------------------------------------------------------- the list


def _base(actor: Actor, q: TableQuery) -> Select:
    held = (
        select(func.sum(Payment.amount))
        .where(Payment.booking_id == Booking.id, Payment.kind == "receipt")
        .correlate(Booking)
        .scalar_subquery()
    )
    stmt = select(Booking, type_coerce(held, Money())).where(Booking.store_id == actor.store_id)
    if q.filters.get("status") in STATUS_LABELS:
        stmt = stmt.where(Booking.status == q.filters["status"])
    return stmt


def _row(r: Any, actor: Actor) -> dict[str, Any]:
    booking, held = r
    return {
        "number": booking.number,
        "_link": f"/billing/bookings/{booking.id}",
        "date": actor.local(booking.created_at).date(),
        "customer": booking.customer_name,
        "piece": booking.description,
        "rate": f"Locked {booking.locked_on:%d %b %Y}" if booking.rate_locked else "Not locked",
        "advances": held or 0,
        "status": STATUS_LABELS.get(booking.status, booking.status),
    }


BOOKINGS = TableSpec(
    name="bookings",
    title="Bookings",
    permission=bookings.MANAGE,
    columns=(
        Column("number", "Number"),
        Column("date", "Booked", kind=Kind.DATE),
        Column("customer", "Customer"),
        Column("piece", "Piece", wrap=True),
        Column("rate", "Rate", sortable=False),
        Column("advances", "Advances", sortable=False, kind=Kind.MONEY),
        Column("status", "Status", sortable=False),
    ),
    base=_base,
    row=_row,
    sort_columns={"number": Booking.number, "date": Booking.id, "customer": Booking.customer_name},
    default_sort="date",
    newest_first=True,
    filters=(Filter("status", "Statuses", bookings.STATUSES),),
    search_columns=(Booking.number, Booking.customer_name, Booking.description),
)


def _book(data: dict[str, str], rate_lock: bool):
    """The service call for the new-booking form: find the piece by SKU, plan the instalments, book."""

    def work(session: Session, actor: Actor) -> Booking:
        if not data["sku"].strip():
            raise ValidationError({"sku": "Enter the piece's SKU (on its tag)."})
        piece = piece_by_sku(session, actor, data["sku"])
        plan = bookings.monthly_plan(actor.today(), data["instalments"], data["instalment_amount"])
        return bookings.book_piece(
            session,
            actor,
            piece_id=piece.id,
            customer_id=customer_number(data["customer_id"]),
            customer_name=data["customer_name"],
            customer_state_code=data["customer_state_code"],
            customer_pan=data["customer_pan"],
            rate_lock=rate_lock,
            instalments=plan,
            advance_amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            occasion=data["occasion"],
        )

    return work


class BookingsState(RecordFormMixin, DataTableMixin, AppState):
    """One page of the store's bookings and the new-booking form."""

    spec: ClassVar[TableSpec] = BOOKINGS
    store_state: str = ""

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check (the manifest's on_load)."""
        self.form_open = False
        self.store_state = self._run(store_state_code, write=False) or ""
        self._load()

    @rx.event
    def new(self) -> None:
        """Open the new-booking form, the customer's state set to the store's."""
        self._open_form(0, {"customer_state_code": self.store_state, "method": "cash"})

    @rx.event
    def create(self, form: dict):
        """Book the piece and open the booking; on bad input the form keeps what was typed."""
        data = {k: str(form.get(k, "")) for k in NEW_FIELDS}
        booking = self._run(_book(data, bool(form.get("rate_lock"))))
        if booking is None:
            self._keep_typed(form, NEW_FIELDS)
            return None
        self.form_open = False
        return rx.redirect(f"/billing/bookings/{booking.id}")


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%")


def _new_fields() -> rx.Component:
    value = BookingsState.editing
    return rx.vstack(
        _grid(
            field("Piece SKU", "sku", default_value=value["sku"], hint="On the piece's tag; it is reserved"),
            field(
                "Customer name",
                "customer_name",
                default_value=value["customer_name"],
                hint="Taken from the customer number when empty",
            ),
            field(
                "Customer number (optional)",
                "customer_id",
                default_value=value["customer_id"],
                hint="The customer's number in Customers, e.g. 42",
            ),
            select_field(
                "Customer's state", "customer_state_code", STATE_CHOICES, default_value=value["customer_state_code"]
            ),
            field("PAN (optional)", "customer_pan", default_value=value["customer_pan"], hint="Needed above ₹2,00,000"),
            field(
                "Occasion (optional)",
                "occasion",
                default_value=value["occasion"],
                hint="e.g. Wedding of Asha, Dec 2026: its cash counts together",
            ),
        ),
        rx.el.label(
            rx.hstack(
                rx.el.input(type="checkbox", name="rate_lock", id="field-rate_lock"),
                rx.text("Lock today's rate (the sale is priced at today's rates)", size="2"),
                align="center",
                spacing="2",
            ),
        ),
        _grid(
            field("Advance (₹)", "amount", default_value=value["amount"], hint="Taken now, with a receipt"),
            select_field("Advance method", "method", METHOD_OPTIONS, default_value=value["method"]),
            field("Reference", "reference", default_value=value["reference"], hint="Card: last 4 digits · UPI: UTR"),
        ),
        _grid(
            field(
                "Monthly instalments",
                "instalments",
                default_value=value["instalments"],
                hint="How many after today, e.g. 3 (0 for none)",
            ),
            field("Each instalment (₹)", "instalment_amount", default_value=value["instalment_amount"]),
        ),
        spacing="3",
        width="100%",
    )


def bookings_page() -> rx.Component:
    """The bookings list (``/billing/bookings``)."""
    return shell(
        rx.vstack(
            record_form(BookingsState, ("Book a piece", "Book a piece"), _new_fields(), "Book", BookingsState.create),
            data_table(
                BookingsState,
                link_column="number",
                toolbar=rx.button(rx.icon("calendar-plus", size=16), "New booking", on_click=BookingsState.new),
            ),
            spacing="4",
            width="100%",
        ),
        "Bookings",
    )


# ---------------------------------------------------------------------------- one booking


def _rate_text(booking: Booking) -> str:
    if booking.rate_locked:
        return f"Locked at the rates of {booking.locked_on:%d %b %Y}: {_money(booking.quoted)}"
    if booking.quoted:
        return f"Not locked: the sale is priced on its day ({_money(booking.quoted)} when booked)"
    return "Not locked: the sale is priced on its day"


def _booking_data(session: Session, actor: Actor, booking_id: int) -> dict[str, Any]:
    """Everything the booking page shows, as display text."""
    detail = bookings.booking_detail(session, actor, booking_id)  # checks the permission and the store
    booking = detail.booking
    invoice = session.get(Invoice, booking.invoice_id) if booking.invoice_id else None
    return {
        "booking": {
            "id": str(booking.id),
            "number": booking.number,
            "status": booking.status,
            "status_label": STATUS_LABELS.get(booking.status, booking.status),
            "customer": booking.customer_name,
            "customer_number": str(booking.customer_id or ""),
            "pan": shown_pan(actor, booking.customer_pan),
            "occasion": booking.occasion,
            "piece": booking.description,
            "piece_link": f"/stock/pieces/{booking.piece_id}",
            "booked": f"{actor.local(booking.created_at):%d %b %Y} by {booking.created_by}",
            "rate": _rate_text(booking),
            "advances": _money(detail.advances),
            "invoice": (invoice.number or f"Draft #{invoice.id}") if invoice else "",
            "invoice_link": f"/billing/invoices/{invoice.id}" if invoice else "",
            "refund": _money(booking.refund) if booking.status != "open" and booking.refund else "",
            "reason": booking.cancel_reason,
            "cancel_refund": _money(detail.refund_on_cancel),
            "forfeit": f"{detail.forfeit_pct.normalize():f}%",
        },
        "schedule": [
            {
                "due_on": f"{line.due_on:%d %b %Y}",
                "amount": _money(line.amount),
                "covered": _money(line.covered),
                "status": line.status,
            }
            for line in detail.schedule
        ],
        "receipts": [payment_row(line) for line in detail.payments],
    }


def _renamed(errors: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    """Field errors keyed by the names of this page's fields."""
    return {names.get(key, key): message for key, message in errors.items()}


class BookingState(AppState):
    """One booking: its schedule and receipts, and what may be done next."""

    booking: dict[str, str] = {}
    schedule: list[dict[str, str]] = []
    receipts: list[dict[str, str]] = []
    found: bool = False
    version: int = 0

    def _id(self) -> int:
        return self._route_number("booking_id")

    def _reload(self) -> None:
        booking_id = self._id()
        data = self._open_record(
            booking_id, lambda s, a: _booking_data(s, a, booking_id), "That booking does not exist in this store."
        )
        if data is None:
            return
        for key, value in data.items():
            setattr(self, key, value)
        self.version += 1

    @rx.event
    def load(self) -> None:
        """Open the page for the booking in the URL."""
        self._clear_messages()
        self._reload()

    @rx.event
    def pay(self, form: dict) -> None:
        """Take a further advance (one receipt)."""
        booking_id = self._id()
        method, amount, reference = (str(form.get(k, "")) for k in ("method", "amount", "reference"))
        receipt = self._run(lambda s, a: bookings.pay_instalment(s, a, booking_id, method, amount, reference))
        if receipt is not None:
            self._say(f"Receipt {receipt.receipt_number}: {_money(receipt.amount)} received.")
        self._after(receipt)

    @rx.event
    def complete(self, form: dict):
        """Sell the piece: open the issued invoice, or say that its draft waits for a manager's approval."""
        booking_id, pan = self._id(), str(form.get("customer_pan", ""))
        invoice = self._run(lambda s, a: bookings.complete_booking(s, a, booking_id, customer_pan=pan))
        if invoice is None:
            return None
        if invoice.status == "issued":
            return rx.redirect(f"/billing/invoices/{invoice.id}")
        self._say(
            f"Draft #{invoice.id} waits for a manager's approval ({invoice.approval_reason}); "
            "complete the booking again once it is approved."
        )
        self._after(invoice)
        return None

    @rx.event
    def cancel(self, form: dict) -> None:
        """Cancel the booking: the piece is released and the refund is recorded."""
        booking_id, reason = self._id(), str(form.get("reason", ""))
        method, reference = str(form.get("refund_method", "")), str(form.get("refund_reference", ""))
        booking = self._run(lambda s, a: bookings.cancel_booking(s, a, booking_id, reason, method, reference))
        if booking is None:
            self.errors = _renamed(self.errors, CANCEL_FIELDS)
            return
        self._say(f"Booking {booking.number} cancelled; refund {_money(booking.refund)}.")
        self._after(booking)


def _panel(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%")


def _summary() -> rx.Component:
    b = BookingState.booking
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(b["number"], size="7"),
                rx.badge(
                    b["status_label"],
                    color_scheme=rx.match(b["status"], ("open", "amber"), ("completed", "green"), "red"),
                    size="3",
                ),
                rx.spacer(),
                rx.link("All bookings", href="/billing/bookings", size="2"),
                spacing="3",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            fact("Customer", b["customer"]),
            fact("Customer number", b["customer_number"]),
            fact("PAN", b["pan"]),
            fact("Occasion", b["occasion"]),
            rx.hstack(
                rx.text("Piece", size="2", color_scheme="gray", min_width="9rem"),
                rx.link(b["piece"], href=b["piece_link"], size="2", weight="medium"),
            ),
            fact("Booked", b["booked"]),
            fact("Rate", b["rate"]),
            fact("Advances", b["advances"]),
            rx.cond(
                b["invoice"] != "",
                rx.hstack(
                    rx.text("Invoice", size="2", color_scheme="gray", min_width="9rem"),
                    rx.link(b["invoice"], href=b["invoice_link"], size="2", weight="medium"),
                ),
            ),
            fact("Refunded", b["refund"]),
            fact("Reason", b["reason"]),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def _schedule_panel() -> rx.Component:
    return _panel(
        "Instalments",
        rx.box(
            rx.table.root(
                rx.el.caption("Instalment schedule", class_name="sr-only"),
                rx.table.header(
                    rx.table.row(*[rx.table.column_header_cell(h) for h in ("Due on", "Amount", "Paid", "Status")])
                ),
                rx.table.body(
                    rx.foreach(
                        BookingState.schedule,
                        lambda x: rx.table.row(
                            rx.table.row_header_cell(x["due_on"], white_space="nowrap"),
                            rx.table.cell(x["amount"], white_space="nowrap", text_align="right"),
                            rx.table.cell(x["covered"], white_space="nowrap", text_align="right"),
                            rx.table.cell(
                                rx.badge(x["status"], color_scheme=rx.match(x["status"], *SCHEDULE_COLOURS, "blue"))
                            ),
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
    )


def _is_open() -> rx.Var:
    return BookingState.booking["status"] == "open"


def _open_panels() -> rx.Component:
    b = BookingState.booking
    return rx.vstack(
        _panel(
            "Take an instalment",
            tender_form(BookingState.pay, "Take instalment", BookingState.version, label="Instalment"),
        ),
        _panel(
            "Complete the sale",
            rx.text(
                "Issues the invoice (priced at the locked day's rates, or today's), sells the piece and applies "
                "the advances; any advance above the invoice is refunded in cash.",
                size="2",
            ),
            rx.form(
                rx.flex(
                    rx.cond(
                        b["pan"] == "",
                        rx.box(field("Customer PAN (if above ₹2,00,000)", "customer_pan"), min_width="14em"),
                    ),
                    rx.button(rx.icon("file-check", size=16), "Complete and invoice", type="submit"),
                    spacing="3",
                    wrap="wrap",
                    align="end",
                ),
                on_submit=BookingState.complete,
                no_validate=True,
                reset_on_submit=False,
                key=BookingState.version.to_string(),
                width="100%",
            ),
        ),
        _panel(
            "Cancel the booking",
            rx.text(
                "The piece goes back to stock. Refund now: ",
                rx.text.strong(b["cancel_refund"]),
                " (the store keeps ",
                b["forfeit"],
                " of the advances).",
                size="2",
            ),
            rx.form(
                rx.flex(
                    rx.box(field("Reason", "reason", hint="e.g. Customer changed her mind"), min_width="16em"),
                    rx.box(select_field("Refund method", "refund_method", METHOD_OPTIONS), min_width="10em"),
                    rx.box(field("Refund reference (optional)", "refund_reference"), min_width="12em"),
                    rx.button("Cancel booking", type="submit", color_scheme="red", variant="soft"),
                    spacing="3",
                    wrap="wrap",
                    align="end",
                ),
                on_submit=BookingState.cancel,
                no_validate=True,
                reset_on_submit=False,
                key=BookingState.version.to_string(),
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


def _found() -> rx.Component:
    return rx.vstack(
        _summary(),
        _schedule_panel(),
        _panel(
            "Receipts and refunds",
            rx.cond(
                BookingState.receipts.length() > 0,
                payments_table(BookingState.receipts, "Booking payments"),
                rx.text("No payments.", size="2", color_scheme="gray"),
            ),
        ),
        rx.cond(_is_open(), _open_panels()),
        spacing="4",
        width="100%",
    )


def booking_page() -> rx.Component:
    """One booking (``/billing/bookings/[booking_id]``)."""
    return shell(rx.cond(BookingState.found, _found()), "Booking")
