"""A customer's own issued invoices, for a module that shows customers their documents (a portal): the list, the
pieces sold on them, one invoice's PDF only when it is of one of the given customers, and the receipts of a payment
made online."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound
from modules.billing.invoices import CREATE
from modules.billing.models import Invoice, InvoiceLine, Payment
from modules.billing.pdf import invoice_file_name, invoice_pdf

ISSUED = ("issued", "cancelled")


@dataclass(frozen=True)
class CustomerInvoice:
    """An issued (or since cancelled) invoice as its customer sees it in a list."""

    id: int
    number: str
    issued_at: datetime
    status: str
    total: Decimal
    paid: Decimal


def _of_customers(customer_ids: tuple[int, ...], store_id: int) -> SelectOfScalar[Invoice]:
    return select(Invoice).where(
        Invoice.store_id == store_id,
        Invoice.kind == "invoice",
        Invoice.status.in_(ISSUED),
        Invoice.customer_id.in_(list(customer_ids) or [-1]),
    )


def customer_invoices(session: Session, actor: Actor, customer_ids: tuple[int, ...]) -> list[CustomerInvoice]:
    """The issued invoices of the actor's store made out to any of ``customer_ids``, newest first."""
    actor.require(CREATE)
    rows = session.exec(_of_customers(customer_ids, actor.store_id).order_by(Invoice.issued_at.desc())).all()
    return [CustomerInvoice(r.id or 0, r.number or "", r.issued_at, r.status, r.total, r.paid) for r in rows]


def customer_invoice_pdf(
    session: Session, actor: Actor, customer_ids: tuple[int, ...], invoice_id: int
) -> tuple[str, bytes]:
    """The file name and PDF of issued invoice ``invoice_id`` when it is of one of ``customer_ids`` (``NotFound``
    otherwise, whatever the reason)."""
    actor.require(CREATE)
    invoice = session.exec(_of_customers(customer_ids, actor.store_id).where(Invoice.id == invoice_id)).first()
    if invoice is None:
        raise NotFound("That invoice was not found.")
    return invoice_file_name(invoice), invoice_pdf(session, actor, invoice.id or 0)


def customer_piece_ids(session: Session, actor: Actor, customer_ids: tuple[int, ...]) -> list[int]:
    """Stock piece ids sold on the issued (not cancelled) invoices of ``customer_ids`` in the actor's store."""
    actor.require(CREATE)
    invoices = _of_customers(customer_ids, actor.store_id).where(Invoice.status == "issued")
    ids = [i.id for i in session.exec(invoices)]
    lines = select(InvoiceLine.piece_id).where(
        InvoiceLine.invoice_id.in_(ids or [-1]), InvoiceLine.kind == "piece", InvoiceLine.piece_id.is_not(None)
    )
    return list(dict.fromkeys(session.exec(lines.order_by(InvoiceLine.id))))


def customer_receipt_numbers(
    session: Session, actor: Actor, customer_ids: tuple[int, ...], reference: str
) -> list[str]:
    """The numbers of the receipts with ``reference`` (a payment gateway's payment id) on the issued invoices of
    ``customer_ids``, oldest first (a payment spread over two open invoices has one receipt each)."""
    actor.require(CREATE)
    invoices = _of_customers(customer_ids, actor.store_id).with_only_columns(Invoice.id)
    stmt = select(Payment.receipt_number).where(
        Payment.store_id == actor.store_id,
        Payment.kind == "receipt",
        Payment.reference == reference,
        Payment.invoice_id.in_(invoices),
    )
    return [number for number in session.exec(stmt.order_by(Payment.id)) if number]
