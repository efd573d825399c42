"""High-value approval: a draft invoice with a large discount or a large total waits for a manager.

- :func:`needs_approval` says why a draft needs approval ("" when it does not): a line whose
  discount is more than the store's ``billing.discount_limit_pct`` % of its price before the
  discount (``taxable + discount``), or a total above the store's ``billing.approval_amount``.
- The salesperson asks with :func:`request_approval` (``approval="pending"``). A manager of the
  same store (``billing.invoice.approve``) decides with :func:`approve` or :func:`reject` (a note
  is required to reject); the approver, the time and the note are kept on the invoice and the
  audit log records every change.
- :func:`check_approval` is called by :func:`modules.billing.invoices.issue_invoice`: a draft that
  needs approval is issued only once approved; a rejected draft stays unissued.
- Any change to the lines clears the approval (:func:`clear_approval`, called when the totals are
  recomputed after a line change), so an approved draft cannot be altered and issued unseen.
- A manager approves only a draft that waits for approval, or their own draft: the same rule holds
  for a manager's own sale, and approving it is an explicit, recorded step.

Permissions: ``billing.invoice.create`` (request), ``billing.invoice.approve`` (approve, reject).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError
from jewelerp.money import format_inr
from modules.billing.models import Invoice, InvoiceLine
from modules.stock.api import get_piece

CREATE = "billing.invoice.create"
APPROVE = "billing.invoice.approve"
HUNDRED = Decimal("100")
ALREADY = {
    "pending": "This draft already waits for a manager's approval.",
    "approved": "A manager has approved this draft: it can be issued.",
    "rejected": "A manager rejected this draft; change its lines before asking again.",
}


def _percent(value: Decimal) -> str:
    """Decimal("5.00") -> "5%", Decimal("12.50") -> "12.5%"."""
    text = f"{value:f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def _line_name(session: Session, actor: Actor, line: InvoiceLine) -> str:
    return get_piece(session, actor, line.piece_id).sku if line.piece_id else line.description


def needs_approval(session: Session, actor: Actor, invoice: Invoice) -> str:
    """Why the invoice needs a manager's approval under the store's limits, or "" when it does not."""
    limit = Decimal(get_setting(session, actor.store_id, "billing.discount_limit_pct"))
    ceiling = Decimal(get_setting(session, actor.store_id, "billing.approval_amount"))
    reasons = []
    discounted = session.scalars(
        select(InvoiceLine)
        .where(InvoiceLine.invoice_id == invoice.id, InvoiceLine.discount > 0)
        .order_by(InvoiceLine.id)
    )
    for line in discounted:
        before = line.taxable + line.discount
        if line.discount * HUNDRED > limit * before:
            share = (line.discount * HUNDRED / before).quantize(Decimal("0.01"))
            reasons.append(
                f"{_line_name(session, actor, line)} is discounted {_percent(share)} "
                f"({format_inr(line.discount, paise=True)} off {format_inr(before, paise=True)}), "
                f"above the {_percent(limit)} limit"
            )
    if invoice.total > ceiling:
        reasons.append(f"the total {format_inr(invoice.total)} is above {format_inr(ceiling)}")
    return "; ".join(reasons)


def check_approval(session: Session, actor: Actor, invoice: Invoice) -> None:
    """Raise JewelError when the draft needs approval and is not approved (called when issuing)."""
    reason = needs_approval(session, actor, invoice)
    if not reason or invoice.approval == "approved":
        return
    if invoice.approval == "rejected":
        raise JewelError(
            f"A manager rejected this draft ({invoice.approval_note}): it cannot be issued as it is; "
            "change its lines and ask again."
        )
    raise JewelError(f"This invoice waits for a manager's approval: {reason}.")


def clear_approval(invoice: Invoice) -> None:
    """Forget the draft's approval (its lines changed): it must be asked for and given again."""
    if invoice.approval:
        invoice.approval, invoice.approval_reason, invoice.approval_note = "", "", ""
        invoice.approval_by, invoice.approval_at = "", None


def _draft(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.store_id != actor.store_id or invoice.kind != "invoice":
        raise NotFound("That invoice does not exist in this store.")
    if invoice.status != "draft":
        raise JewelError(f"Invoice {invoice.number} is {invoice.status}: only a draft waits for approval.")
    return invoice


def approval_of(session: Session, actor: Actor, invoice_id: int) -> tuple[Invoice, str]:
    """An invoice of the actor's store and why it needs approval now ("" when it does not or is not a draft)."""
    if not actor.can(APPROVE):
        actor.require(CREATE)
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.store_id != actor.store_id:
        raise NotFound("That invoice does not exist in this store.")
    needed = invoice.kind == "invoice" and invoice.status == "draft"
    return invoice, needs_approval(session, actor, invoice) if needed else ""


def request_approval(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    """Ask a manager to approve the draft: it waits (``pending``) with the reason it needs approval."""
    actor.require(CREATE)
    invoice = _draft(session, actor, invoice_id)
    reason = needs_approval(session, actor, invoice)
    if not reason:
        raise JewelError("This draft is within the store's limits: it needs no approval.")
    if invoice.approval in ALREADY:
        raise JewelError(ALREADY[invoice.approval])
    invoice.approval, invoice.approval_reason = "pending", reason[:300]
    session.add(invoice)
    session.flush()
    return invoice


def _decide(session: Session, actor: Actor, invoice_id: int, decision: str, note: str) -> Invoice:
    invoice = _draft(session, actor, invoice_id)
    reason = needs_approval(session, actor, invoice)
    if not reason:
        raise JewelError("This draft is within the store's limits: it needs no approval.")
    own_draft = invoice.approval == "" and decision == "approved" and invoice.created_by == actor.user_name
    if invoice.approval != "pending" and not own_draft:
        raise JewelError(ALREADY.get(invoice.approval, "Nobody has asked for approval of this draft yet."))
    invoice.approval, invoice.approval_reason = decision, reason[:300]
    invoice.approval_by, invoice.approval_at, invoice.approval_note = actor.user_name, utcnow(), note[:300]
    session.add(invoice)
    session.flush()
    return invoice


def approve(session: Session, actor: Actor, invoice_id: int, note: str = "") -> Invoice:
    """Approve a draft that waits for approval (or the manager's own draft); the note is optional."""
    actor.require(APPROVE)
    return _decide(session, actor, invoice_id, "approved", " ".join(note.split()))


def reject(session: Session, actor: Actor, invoice_id: int, note: str) -> Invoice:
    """Reject a draft that waits for approval, saying why; it stays an unissued draft."""
    actor.require(APPROVE)
    text = " ".join(note.split())
    if not text:
        raise ValidationError({"note": "Say why the draft is rejected, e.g. Discount too large."})
    return _decide(session, actor, invoice_id, "rejected", text)
