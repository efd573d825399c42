"""Engraving rules: taking a request, finishing it, cancelling an invoice's requests, and the list.

Every service takes ``(session, actor)``. Bad input raises ``ValidationError`` with one message per form
field and writes nothing. Billing is read only through ``modules.billing.api``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError
from jewelerp.ui.table_query import Column, Filter, TableQuery, TableSpec
from jewelerp_engraving.models import EngravingRequest
from modules.billing.api import invoice_pieces

MANAGE = "engraving.request.manage"
TEXT_LIMIT = 40
BOOKING_DAYS = 365  # how far ahead a due date may be
FONTS = (("script", "Script"), ("block", "Block capitals"), ("serif", "Classic serif"))
STATUSES = (("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled"))


@dataclass
class RequestInput:
    """What the salesperson types; ``due_on`` as a date field sends it (``2026-12-24``)."""

    invoice_number: str
    sku: str
    text: str
    font: str
    due_on: str


def text_problem(text: str) -> str:
    """Why ``text`` cannot be engraved, or "" when it can."""
    if not text:
        return "Enter the text to engrave."
    if len(text) > TEXT_LIMIT:
        return f"Keep it to {TEXT_LIMIT} characters (this is {len(text)})."
    if not text.isprintable():
        return "Use letters, digits, spaces and punctuation only: no tabs, line breaks or invisible characters."
    return ""


def _due_on(raw: str, today: date, errors: dict[str, str]) -> date | None:
    try:
        due = date.fromisoformat(raw.strip())
    except ValueError:
        errors["due_on"] = "Choose the day it is due."
        return None
    if not today <= due <= today + timedelta(days=BOOKING_DAYS):
        errors["due_on"] = f"Choose a day from today ({today:%d %b %Y}) to a year ahead."
    return due


def _check_piece(session: Session, actor: Actor, number: str, sku: str, errors: dict[str, str]) -> None:
    """The invoice must be an issued one of this store, with the piece on it."""
    try:
        invoice = invoice_pieces(session, actor, number)
    except NotFound:
        errors["invoice_number"] = f"There is no invoice {number} in this store."
        return
    if invoice.status != "issued":
        errors["invoice_number"] = (
            f"Invoice {number} is {invoice.status}: only an issued invoice's pieces are engraved."
        )
    elif sku and sku not in invoice.skus:
        errors["sku"] = f"{sku} is not on invoice {number} (it has {', '.join(invoice.skus) or 'no pieces'})."


def create_request(session: Session, actor: Actor, data: RequestInput) -> EngravingRequest:
    """Record a request to engrave a piece of an issued invoice of the actor's store."""
    actor.require(MANAGE)
    errors: dict[str, str] = {}
    number, sku, text = data.invoice_number.strip().upper(), data.sku.strip().upper(), data.text.strip()
    if not sku:
        errors["sku"] = "Enter the SKU of the piece to engrave."
    if problem := text_problem(text):
        errors["text"] = problem
    if data.font not in dict(FONTS):
        errors["font"] = "Choose a font."
    due = _due_on(data.due_on, actor.today(), errors)
    if not number:
        errors["invoice_number"] = "Enter the invoice number, e.g. MUM/2627/000012."
    else:
        _check_piece(session, actor, number, sku, errors)
    if errors:
        raise ValidationError(errors)
    request = EngravingRequest(
        store_id=actor.store_id,
        invoice_number=number,
        sku=sku,
        text=text,
        font=data.font,
        due_on=due,
        created_by=actor.user_name,
    )
    session.add(request)
    session.flush()
    return request


def mark_done(session: Session, actor: Actor, request_id: int) -> EngravingRequest:
    """The workshop engraved the piece: an open request of the actor's store becomes done."""
    actor.require(MANAGE)
    request = session.get(EngravingRequest, request_id)
    if request is None or request.store_id != actor.store_id:
        raise NotFound("That engraving request does not exist in this store.")
    if request.status != "open":
        raise JewelError(f"This request is already {request.status}.")
    request.status, request.done_at = "done", utcnow()
    session.add(request)
    session.flush()
    return request


def cancel_for_invoice(session: Session, actor: Actor, number: str) -> int:
    """Cancel the open requests of invoice ``number`` in the actor's store; returns how many. Called when
    billing cancels the invoice (the cancellation is the authority), so it asks for no permission, and a
    second call finds nothing left to cancel."""
    open_requests = session.scalars(
        select(EngravingRequest).where(
            EngravingRequest.store_id == actor.store_id,
            EngravingRequest.invoice_number == number,
            EngravingRequest.status == "open",
        )
    ).all()
    for request in open_requests:
        request.status = "cancelled"
        session.add(request)
    session.flush()
    return len(open_requests)


def due_on(session: Session, actor: Actor, day: date) -> list[EngravingRequest]:
    """The open requests of the actor's store due on ``day``, oldest first."""
    actor.require(MANAGE)
    return list(
        session.scalars(
            select(EngravingRequest)
            .where(
                EngravingRequest.store_id == actor.store_id,
                EngravingRequest.status == "open",
                EngravingRequest.due_on == day,
            )
            .order_by(EngravingRequest.id)
        )
    )


def _base(actor: Actor, q: TableQuery) -> Select:
    stmt = select(EngravingRequest).where(EngravingRequest.store_id == actor.store_id)
    if q.filters.get("status"):
        stmt = stmt.where(EngravingRequest.status == q.filters["status"])
    return stmt


def _row(result: Any, actor: Actor) -> dict[str, str]:
    (request,) = result
    return {
        "id": str(request.id),
        "due": f"{request.due_on:%d %b %Y}",
        "invoice": request.invoice_number,
        "sku": request.sku,
        "text": request.text,
        "font": dict(FONTS)[request.font],
        "status": dict(STATUSES)[request.status],
    }


REQUESTS = TableSpec(
    name="engraving-requests",
    title="Engraving requests",
    permission=MANAGE,
    columns=(
        Column("due", "Due"),
        Column("invoice", "Invoice", sortable=False),
        Column("sku", "Piece", sortable=False),
        Column("text", "Text", sortable=False, wrap=True),
        Column("font", "Font", sortable=False),
        Column("status", "Status", sortable=False),
    ),
    base=_base,
    row=_row,
    sort_columns={"due": EngravingRequest.due_on},
    default_sort="due",
    filters=(Filter("status", "Status", STATUSES),),
    search_columns=(EngravingRequest.invoice_number, EngravingRequest.sku, EngravingRequest.text),
)
