"""The header search's invoices, estimates and bookings, by their number or its start (``MUM/2627/0001``)."""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.money import format_inr
from jewelerp.search import SearchHit, SearchQuery, numbered
from modules.billing.bookings import STATUSES as BOOKING_STATUSES
from modules.billing.invoice_tables import STATUS_LABELS
from modules.billing.models import Booking, Invoice

CREATE = "billing.invoice.create"
BOOKINGS = "billing.booking.manage"


def _document_line(record: Invoice | Booking, status: str) -> str:
    return " · ".join([record.customer_name or "Walk-in customer", status])


def _invoice_line(invoice: Invoice) -> str:
    status = STATUS_LABELS.get(invoice.status, invoice.status)
    return f"{_document_line(invoice, status)} · {format_inr(invoice.total)}"


def find_invoices(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Invoices of the actor's store by number."""
    actor.require(CREATE)
    return numbered(session, actor, query, Invoice, "/billing/invoices/{id}", _invoice_line, Invoice.kind == "invoice")


def find_estimates(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Estimates of the actor's store by number (they open on the invoice page)."""
    actor.require(CREATE)
    return numbered(session, actor, query, Invoice, "/billing/invoices/{id}", _invoice_line, Invoice.kind == "estimate")


def _booking_line(booking: Booking) -> str:
    return _document_line(booking, dict(BOOKING_STATUSES).get(booking.status, booking.status))


def find_bookings(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Advance bookings of the actor's store by number."""
    actor.require(BOOKINGS)
    return numbered(session, actor, query, Booking, "/billing/bookings/{id}", _booking_line)
