"""Estimates (quotations): priced like invoices, numbered when quoted, converted to an invoice in one step.

- An estimate is an :class:`~modules.billing.models.Invoice` with ``kind="estimate"``. It starts as a
  draft (:func:`create_estimate`) and takes lines with the invoice line functions
  (:mod:`modules.billing.invoices`), priced at the rates of its date.
- :func:`quote_estimate` numbers it in the EST series (``MUM/E2627/00001``), makes it
  read-only and valid until the store's today + ``billing.estimate_validity_days``.
- An estimate never reserves or sells pieces: stock is touched only when it is converted.
- :func:`convert_estimate` makes an invoice for the same customer with the same lines at the quoted
  prices (``priced_on`` = the estimate's date, whose rates price the pieces again so every figure
  stays traceable; the quoted figures are kept) and issues it, all in the caller's unit of work. It
  refuses after the validity date and when a piece is no longer in stock here; then nothing changes.
  When the invoice needs a manager's approval (:mod:`modules.billing.approvals`) it stays a draft
  that waits for approval, and the estimate is converted all the same.

Permission: ``billing.invoice.create``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.core.settings import get_setting
from jewelerp.errors import JewelError, NotFound, ValidationError
from modules.billing.approvals import needs_approval, request_approval
from modules.billing.invoices import (
    CREATE,
    PAN_RE,
    _recompute,
    add_piece_line,
    create_draft,
    issue_invoice,
    lines_of,
    pan_required,
)
from modules.billing.models import Invoice, InvoiceLine
from modules.billing.numbering import ESTIMATE, financial_year, next_number
from modules.billing.old_gold import copy_draft
from modules.billing.supply import NO_RECIPIENT, Recipient, recipient_of

# The figures of a line as quoted: copied onto the invoice so it charges exactly the quoted prices.
QUOTED_FIGURES = (
    "description",
    "metal_id",
    "net_weight",
    "rate",
    "deduction_pct",
    "taxable",
    "cgst",
    "sgst",
    "igst",
    "amount",
    "breakdown",
    "discount",
    "category",
    "tax_class",
    "hsn_sac",
    "tax_rate",
)


def _estimate(session: Session, actor: Actor, estimate_id: int) -> Invoice:
    actor.require(CREATE)
    estimate = session.get(Invoice, estimate_id)
    if estimate is None or estimate.store_id != actor.store_id or estimate.kind != "estimate":
        raise NotFound("That estimate does not exist in this store.")
    return estimate


def _move(session: Session, estimate: Invoice, from_status: str, to_status: str) -> None:
    """Change the status only if nobody else did just now (two counters cannot quote or convert it twice)."""
    taken = session.execute(
        update(Invoice)
        .where(Invoice.id == estimate.id, Invoice.status == from_status)
        .values(status=to_status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise JewelError(f"This estimate was {to_status} by someone else just now.")
    estimate.status = to_status


def create_estimate(
    session: Session,
    actor: Actor,
    *,
    customer_id: int | None = None,
    customer_name: str = "",
    customer_pan: str = "",
    recipient: Recipient = NO_RECIPIENT,
) -> Invoice:
    """Start a draft estimate, dated the store's today (its rates price the lines); lines are added as on invoices.

    ``recipient`` is the customer's address, state, GSTIN and delivery address, checked as on an invoice.
    """
    estimate = create_draft(
        session,
        actor,
        customer_id=customer_id,
        customer_name=customer_name,
        customer_pan=customer_pan,
        recipient=recipient,
    )
    estimate.kind = "estimate"
    session.add(estimate)
    session.flush()
    return estimate


def quote_estimate(session: Session, actor: Actor, estimate_id: int) -> Invoice:
    """Number the draft estimate in the EST series and fix its prices until its validity date (read-only after)."""
    estimate = _estimate(session, actor, estimate_id)
    if estimate.status != "draft":
        raise JewelError(f"Estimate {estimate.number} is already {estimate.status}.")
    today = actor.today()
    if not any(line.kind != "old_gold" for line in lines_of(session, actor, estimate.id)):
        raise JewelError("Add a piece or a service before quoting the estimate.")
    if estimate.invoice_date != today:
        raise JewelError(
            f"This estimate was priced at the rates of {estimate.invoice_date:%d %b %Y}; "
            "start a new estimate at today's rates."
        )
    if pan_required(estimate.total) and not PAN_RE.match(estimate.customer_pan or ""):
        raise ValidationError(
            {"customer_pan": "An estimate above ₹2,00,000 needs the customer's PAN, as the sale will (Rule 114B)."}
        )
    if estimate.payable < 0:
        raise JewelError("The old gold credit is more than the estimate's total; settle the difference separately.")
    _move(session, estimate, "draft", "quoted")
    store = session.get(Store, actor.store_id)
    estimate.number = next_number(session, store.id, store.code, ESTIMATE, today)
    estimate.financial_year = financial_year(today)
    days = int(get_setting(session, actor.store_id, "billing.estimate_validity_days"))
    estimate.valid_until = today + timedelta(days=days)
    session.add(estimate)
    session.flush()
    return estimate


def _copy_line(session: Session, actor: Actor, invoice: Invoice, quoted: InvoiceLine) -> None:
    """Put a quoted line on the invoice at its quoted figures; a piece must still be for sale here."""
    if quoted.kind == "piece":
        line = add_piece_line(session, actor, invoice.id, quoted.piece_id)  # checks the piece; prices at priced_on
    else:
        line = InvoiceLine(invoice_id=invoice.id, kind=quoted.kind)
    for name in QUOTED_FIGURES:
        setattr(line, name, getattr(quoted, name))
    session.add(line)
    if quoted.kind == "old_gold":  # its purchase voucher goes with it, numbered when the invoice is issued
        session.flush()
        copy_draft(session, quoted.id, invoice, line)


def convert_estimate(session: Session, actor: Actor, estimate_id: int) -> Invoice:
    """Turn a quoted estimate, within its validity, into an issued invoice at the quoted prices.

    Returns the invoice: issued, or a draft that waits for a manager's approval when the sale needs
    one. Refuses (nothing changed) after the validity date or when a piece is no longer for sale.
    """
    estimate = _estimate(session, actor, estimate_id)
    if estimate.status != "quoted":
        raise JewelError(
            "Quote the estimate before converting it to an invoice."
            if estimate.status == "draft"
            else f"Estimate {estimate.number} is already converted to an invoice."
        )
    if actor.today() > estimate.valid_until:
        raise JewelError(
            f"Estimate {estimate.number} was valid until {estimate.valid_until:%d %b %Y}; "
            "make a new estimate at today's rates."
        )
    _move(session, estimate, "quoted", "converted")
    invoice = create_draft(
        session,
        actor,
        customer_id=estimate.customer_id,
        customer_name=estimate.customer_name,
        customer_pan=estimate.customer_pan,
        recipient=recipient_of(estimate),
    )
    invoice.priced_on = estimate.invoice_date
    for quoted in lines_of(session, actor, estimate.id):
        _copy_line(session, actor, invoice, quoted)
    session.flush()
    _recompute(session, invoice)
    estimate.converted_to_id = invoice.id
    session.add(estimate)
    session.flush()
    if needs_approval(session, actor, invoice):
        return request_approval(session, actor, invoice.id)
    return issue_invoice(session, actor, invoice.id)


def linked_document(session: Session, actor: Actor, invoice_id: int) -> Invoice | None:
    """For an estimate, the invoice it became; for an invoice, the estimate it came from; else None."""
    actor.require(CREATE)
    document = session.get(Invoice, invoice_id)
    if document is None or document.store_id != actor.store_id:
        raise NotFound("That invoice does not exist in this store.")
    if document.kind == "estimate":
        return session.get(Invoice, document.converted_to_id) if document.converted_to_id else None
    if document.priced_on is None:  # only an invoice priced at another date's rates can come from an estimate
        return None
    return session.scalars(
        select(Invoice).where(
            Invoice.store_id == actor.store_id,
            Invoice.kind == "estimate",
            Invoice.status == "converted",
            Invoice.converted_to_id == document.id,
        )
    ).first()
