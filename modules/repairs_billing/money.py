"""A job's money as billing documents: the quoted estimate, the service invoices and their receipts.

- **Amounts include GST.** The estimate and the final charge of a job are what the customer pays, as the
  counter quotes them. The bridge bills them as service lines with GST included (billing puts
  ``charge × 100 / (100 + rate)`` on the line) of the job's tax class (:func:`job_tax_class`): REPAIR
  (SAC 9987, 18%) for a repair, JOB_WORK (SAC 9988) for a custom order made from the customer's own metal
  (weighed in at intake), JEWELLERY (HSN 7113, 3%) for a custom order made from the store's metal. The job
  records no GSTIN, so the unregistered buyer's rate applies (job work 18%), and no state, so the supply is
  in the store's state; the invoice's rounding to the rupee brings the total back to the charge.
- **The link** between a job and its documents is the text of their service lines, which always start
  with ``"<kind> <job number>:"`` (``"Repair RP-MUM-000012: Resize from 12 to 14"``); job numbers are
  unique across branches, so no table or column is needed.
- **Estimate**: a job taken in with an estimate gets a quoted billing estimate (EST series) for it.
- **Invoices and receipts**: money for the job is taken with :func:`take_job_payment`. It first bills what
  is not yet invoiced: the first time an invoice for the whole charge (estimate, or the final charge once
  set), later a supplementary invoice for a final charge above what was invoiced. It then takes billing
  receipts (cash, card, UPI, bank) against the job's open invoices, oldest first. For the cash rule
  (section 269ST) the job is one transaction: the cash on all its invoices counts together.
  A final charge below what was invoiced is refused there: billing only cancels a whole invoice (a credit
  note) and refunds what it received, which a manager does in billing; the job is then billed again.
- **Delivery**: a job delivered with money still to invoice (a manager signed the balance off) gets its
  invoice then, so billing's dues show what the customer owes.
- **Amount paid** (repairs' ``"repairs.amount_paid"``): money taken at the repairs counter before the
  bridge was on (``job.paid``) plus the receipts on the job's invoices; when the invoices cover the
  charge (to the rupee of rounding) it is the charge less what the invoices still have due.
- **The status page** shows the balance, so a receipt on a job's invoice (taken here or in billing) and the
  cancellation of one tell repairs that the page changed (``touch_public_page``), in billing's transaction.

Documents are made only for staff who may create invoices (``billing.invoice.create``); a job taken in
by someone else (a designer) gets its estimate document from the first payment's invoice instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError, NotFound, ValidationError
from jewelerp.money import RUPEE, ZERO, format_inr
from modules.billing.api import (
    CREATE,
    JEWELLERY,
    JOB_WORK,
    ONLINE,
    REPAIR,
    TAKE,
    CashFor,
    Invoice,
    Payment,
    add_service_line,
    balance,
    check_cash,
    create_draft,
    create_estimate,
    documents_with_service_line,
    issue_invoice,
    lines_of,
    pan_reason,
    pan_required,
    parse_tender,
    payments_of,
    quote_estimate,
    sale_summary,
    take_payment,
)
from modules.payments.api import report_unapplied
from modules.repairs.api import (
    JOB_VIEW,
    KIND_LABELS,
    Job,
    charge_of,
    get_job,
    job_by_number,
    online_balance_problem,
    paid_job,
    touch_public_page,
)


def job_tax_class(job: Job) -> str:
    """The tax class a job is billed under: REPAIR for a repair; for a custom order JOB_WORK when the customer
    handed in metal to make it from (a weight in at intake), else JEWELLERY (the store sells the piece)."""
    if job.kind == "repair":
        return REPAIR
    return JOB_WORK if job.weight_in is not None else JEWELLERY


def line_prefix(job: Job) -> str:
    """How every billing line of the job starts: ``"Repair RP-MUM-000012:"``."""
    return f"{KIND_LABELS.get(job.kind, 'Job')} {job.number}:"


def documents_of(session: Session, job: Job) -> list[Invoice]:
    """The job's billing estimates and invoices (any status), oldest first."""
    return documents_with_service_line(session, job.store_id, line_prefix(job))


def _issued(documents: Iterable[Invoice]) -> list[Invoice]:
    return [d for d in documents if d.kind == "invoice" and d.status == "issued"]


def to_invoice(job: Job, invoices: list[Invoice]) -> Decimal:
    """What the issued invoices still leave to bill (negative when they bill more than the charge).

    A difference below a rupee is the invoices' rounding: nothing.
    """
    left = charge_of(job) - job.paid - sum((i.payable for i in invoices), ZERO)
    return ZERO if abs(left) < RUPEE else left


def paid_towards(session: Session, actor: Actor, job: Job) -> Decimal:
    """What the customer has paid towards ``job`` (the ``"repairs.amount_paid"`` answer)."""
    invoices = _issued(documents_of(session, job))
    if to_invoice(job, invoices) == 0:
        return max(charge_of(job) - sum((balance(i) for i in invoices), ZERO), ZERO)
    return job.paid + sum((i.paid for i in invoices), ZERO)


def _over_invoiced(job: Job, invoices: list[Invoice], left: Decimal) -> str:
    """Why no money is taken while the invoices bill more than the charge, and what to do."""
    numbers = ", ".join(i.number or "" for i in invoices)
    return (
        f"{job.number}'s charge is {format_inr(charge_of(job))}, {format_inr(-left)} less than invoiced ({numbers}). "
        "A manager cancels the invoice in billing (a credit note) and refunds what it received; "
        "then take the payment here to bill the job again."
    )


def _bill(session: Session, actor: Actor, job: Job, amount: Decimal, first: bool, pan: str) -> Invoice:
    """Issue a service invoice of ``amount`` (with GST) for the job."""
    what = job.requested_work if first else f"additional charge (final charge {format_inr(charge_of(job))})"
    invoice = create_draft(
        session, actor, customer_id=job.customer_id, customer_name=job.customer_name, customer_pan=pan
    )
    text = f"{line_prefix(job)} {what}"
    add_service_line(session, actor, invoice.id, text, amount, job_tax_class(job), includes_tax=True)
    return issue_invoice(session, actor, invoice.id)


def bill_job(session: Session, actor: Actor, job: Job, pan: str = "") -> Invoice | None:
    """Invoice what the job's issued invoices do not bill yet; returns the new invoice, or None when all is billed.

    Refuses (JewelError) when the invoices bill more than the charge.
    """
    actor.require(CREATE)
    invoices = _issued(documents_of(session, job))
    left = to_invoice(job, invoices)
    if left < 0:
        raise JewelError(_over_invoiced(job, invoices, left))
    return _bill(session, actor, job, left, not invoices, pan) if left > 0 else None


def job_cash(session: Session, job: Job) -> CashFor:
    """The job as section 269ST sees it: one transaction, the cash on all its issued invoices together."""
    invoices = tuple(i.id for i in _issued(documents_of(session, job)))
    return CashFor(job.customer_id, job.customer_name, f"job {job.number}", invoice_ids=invoices)


def take_job_payment(
    session: Session,
    actor: Actor,
    job_id: int,
    method: str,
    amount: str | Decimal,
    reference: str = "",
    pan: str = "",
    *,
    online: bool = False,
) -> list[Payment]:
    """Take money for a job as billing receipts, invoicing first what is not billed yet; all or nothing.

    The amount goes to the job's open invoices, oldest first (one receipt each); more than is due is refused.
    ``online``: paid through a payment gateway (billing's ``online`` method, the gateway's payment id).
    """
    actor.require(TAKE)
    job = get_job(session, actor, job_id, "repairs.job.edit")
    tender = parse_tender(method, amount, reference, online=online)
    if charge_of(job) <= 0:
        raise JewelError(f"Set {job.number}'s estimate or final charge before taking money for it.")
    if tender.method == "cash":
        check_cash(session, actor, tender.amount, job_cash(session, job), actor.today())
    bill_job(session, actor, job, pan)
    open_invoices = [i for i in _issued(documents_of(session, job)) if balance(i) > 0]
    due = sum((balance(i) for i in open_invoices), ZERO)
    if due <= 0:
        raise JewelError(f"Nothing is due on {job.number}.")
    if tender.amount > due:
        raise ValidationError(
            {"amount": f"{format_inr(tender.amount, paise=True)} is more than the {format_inr(due, paise=True)} due."}
        )
    receipts, rest = [], tender.amount
    for invoice in open_invoices:
        part = min(rest, balance(invoice))
        if part > 0:
            receipts.append(
                take_payment(session, actor, invoice.id, tender.method, part, tender.reference, online=online)
            )
            rest -= part
    return receipts


# ---------------------------------------------------------------------------- event handlers


def estimate_job(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """``("repairs.job", "created")``: a quoted billing estimate for a job taken in with an estimate.

    An estimate above ₹2,00,000 stays a draft (quoting it needs the customer's PAN, which intake does
    not ask for).
    """
    if not actor.can(CREATE) or not actor.can(JOB_VIEW):
        return
    job = get_job(session, actor, int(payload["job_id"]))
    if job.estimate <= 0:
        return
    estimate = create_estimate(session, actor, customer_id=job.customer_id, customer_name=job.customer_name)
    text = f"{line_prefix(job)} {job.requested_work}"
    add_service_line(session, actor, estimate.id, text, job.estimate, job_tax_class(job), includes_tax=True)
    if not pan_required(estimate.total):
        quote_estimate(session, actor, estimate.id)


def bill_delivered(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """``("repairs.job", "delivered")``: invoice what is still unbilled, so billing's dues show what is owed.

    Skipped for staff who may not invoice, and when the invoice would need the customer's PAN (Rule 114B:
    above ₹2,00,000, or the customer's purchases of the day with it): take it with a payment.
    """
    if not actor.can(CREATE) or not actor.can(JOB_VIEW):
        return
    job = get_job(session, actor, int(payload["job_id"]))
    invoices = _issued(documents_of(session, job))
    left = to_invoice(job, invoices)
    total = left.quantize(RUPEE, ROUND_HALF_UP)  # the invoice's total, to the rupee
    if left > 0 and not pan_reason(session, job.customer_id, job.customer_name, total, actor.today()):
        _bill(session, actor, job, left, not invoices, "")


def payment_received(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """``("billing.payment", "received")``: a receipt on a job's invoice changes the balance its status page shows."""
    if payload.get("invoice") is not None:
        _touch_jobs_billed(session, actor, lambda: int(payload["invoice"]))


def balance_paid_online(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """``("payments.order", "paid")`` for a job's balance (repairs' ``BALANCE_PURPOSE``): billing receipts by the
    ``online`` method, invoicing first what is not billed yet. A payment that cannot be taken (more than is due, or
    billing refuses it) takes nothing and is reported for refund."""
    job = paid_job(session, actor, payload)
    if job is None or online_balance_problem(session, actor, job, payload):
        return
    try:
        with session.begin_nested():  # billing's refusal undoes only its own part
            amount, reference = Decimal(str(payload["amount"])), str(payload["payment_id"])
            take_job_payment(session, actor, job.id or 0, ONLINE, amount, reference, online=True)
    except JewelError as exc:
        problem = "; ".join(exc.fields.values()) if isinstance(exc, ValidationError) else exc.message
        report_unapplied(session, actor, payload, problem, f"/repairs/jobs/{job.id}")


def invoice_cancelled(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """``("billing.invoice", "cancelled", {"number"})``: a job's invoice no longer counts towards its balance."""
    _touch_jobs_billed(session, actor, lambda: sale_summary(session, actor, str(payload["number"])).invoice_id)


def _touch_jobs_billed(session: Session, actor: Actor, invoice_id: Callable[[], int]) -> None:
    """Tell repairs that the status page of each job the invoice ``invoice_id()`` bills changed (its service lines
    name the jobs). Never refuses: it runs inside billing's transaction, which must not fail for a page's sake."""
    if not (actor.can(CREATE) and actor.can(JOB_VIEW)):
        return
    try:
        lines = lines_of(session, actor, invoice_id())
    except NotFound:  # an event about a document the store does not have: no job of it
        return
    for line in lines:
        head, colon, _work = line.description.partition(":")
        number = head.rpartition(" ")[2]
        if line.kind != "service" or not colon or not number:
            continue
        try:
            job = job_by_number(session, actor, number)
        except NotFound:  # a service line that only looks like a job's
            continue
        if line.description.startswith(line_prefix(job)):
            touch_public_page(session, actor, job.id or 0)


# ---------------------------------------------------------------------------- the job's billing page


def job_links(session: Session, actor: Actor, job: Job) -> list[tuple[str, str]]:
    """Repairs' ``"repairs.job_links"``: the job's billing page, for staff who may invoice and take payments."""
    if not (actor.can(TAKE) and actor.can(CREATE)):
        return []
    return [("Billing and payments", f"/repairs_billing/jobs/{job.id}")]


def _document_row(document: Invoice) -> dict[str, str]:
    estimate = document.kind == "estimate"
    return {
        "id": str(document.id),
        "href": f"/billing/invoices/{document.id}",
        "number": document.number or "Draft",
        "kind": "Estimate" if estimate else "Invoice",
        "status": document.status.title(),
        "total": format_inr(document.payable),
        "paid": "" if estimate else format_inr(document.paid),
        "balance": "" if estimate or document.status != "issued" else format_inr(balance(document)),
    }


def _receipt_rows(session: Session, actor: Actor, invoices: list[Invoice]) -> list[dict[str, str]]:
    rows = []
    for invoice in invoices:
        for line in payments_of(session, actor, invoice.id):
            rows.append(
                {
                    "receipt": line.receipt or line.kind.title(),
                    "invoice": invoice.number or "",
                    "method": line.method.upper() if line.method == "upi" else line.method.title(),
                    "amount": format_inr(line.amount, paise=True),
                    "on": f"{line.on:%d %b %Y}" if line.on else "",
                }
            )
    return rows


def billing_view(session: Session, actor: Actor, job_id: int) -> dict[str, Any]:
    """What the job's billing page shows: ``on`` (shown at all), documents, receipts and a summary."""
    if "repairs_billing" not in actor.enabled_modules or not (actor.can(TAKE) and actor.can(CREATE)):
        return {"on": False, "documents": [], "receipts": [], "summary": {}}
    job = get_job(session, actor, job_id)
    documents = documents_of(session, job)
    invoices = [d for d in documents if d.kind == "invoice" and d.status != "draft"]
    left = to_invoice(job, _issued(documents))
    due = sum((balance(i) for i in _issued(documents)), ZERO) + max(left, ZERO)
    deposit_left = job.deposit - paid_towards(session, actor, job)
    summary = {
        "to_invoice": format_inr(left) if left > 0 else "",
        "over": _over_invoiced(job, _issued(documents), left) if left < 0 else "",
        "due": format_inr(due, paise=True),
        "suggest": str(deposit_left if deposit_left > 0 else due) if due > 0 else "",
    }
    return {
        "on": True,
        "documents": [_document_row(d) for d in documents],
        "receipts": _receipt_rows(session, actor, invoices),
        "summary": summary,
    }
