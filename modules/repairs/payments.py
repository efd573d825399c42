"""What a job costs and what the customer has paid.

The charge is the final charge once it is set, the estimate until then. The amount paid comes from
the extension point ``"repairs.amount_paid"``: ``fn(session, actor, job) -> Decimal | None``, offered
by a module that takes the money (a bridge to billing). When no enabled module answers, the amount is
``job.paid``: the deposit taken at intake plus payments recorded at the repairs counter.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import PAISA
from jewelerp.errors import JewelError, require_fields
from jewelerp.registry import get_registry
from jewelerp.validation import parse_amount_field
from modules.repairs.models import Job
from modules.repairs.records import get_job

AMOUNT_PAID = "repairs.amount_paid"
ZERO = Decimal("0.00")


class AmountPaid(Protocol):
    """A ``"repairs.amount_paid"`` contribution: what the customer has paid towards ``job``, or None."""

    def __call__(self, session: Session, actor: Actor, job: Job) -> Decimal | None: ...


def payments_elsewhere(actor: Actor) -> bool:
    """Whether an enabled module (billing's bridge) takes the money for jobs in the actor's store."""
    return bool(get_registry().contributions(AMOUNT_PAID, actor))


def amount_paid(session: Session, actor: Actor, job: Job) -> Decimal:
    """What the customer has paid towards ``job`` (the first enabled provider's answer, else ``job.paid``)."""
    for source in get_registry().contributions(AMOUNT_PAID, actor):
        paid = source(session, actor, job)
        if paid is not None:
            return Decimal(paid).quantize(PAISA)
    return job.paid


def charge_of(job: Job) -> Decimal:
    """The final charge once set, the estimate until then."""
    return job.final_charge if job.final_charge > 0 else job.estimate


def balance_after(job: Job, paid: Decimal) -> Decimal:
    """What is still to pay once ``paid`` has been paid (never below zero)."""
    return max(charge_of(job) - paid, ZERO)


def balance_due(session: Session, actor: Actor, job: Job) -> Decimal:
    """What is still to pay (never below zero)."""
    return balance_after(job, amount_paid(session, actor, job))


def _counter_job(session: Session, actor: Actor, job_id: int) -> Job:
    job = get_job(session, actor, job_id, "repairs.job.edit")
    if payments_elsewhere(actor):
        raise JewelError("Money for jobs is taken in billing in this store.")
    if job.delivered_at is not None:
        raise JewelError(f"{job.number} was delivered; its money is settled.")
    return job


def record_payment(session: Session, actor: Actor, job_id: int, amount: str) -> Job:
    """Record money taken at the repairs counter (only where no module such as billing takes it)."""
    job = _counter_job(session, actor, job_id)
    errors: dict[str, str] = {}
    value = parse_amount_field(amount, "Amount received", errors, "amount")
    if value is not None and value <= 0:
        errors["amount"] = "Enter the amount received."
    require_fields(errors)
    job.paid += value or ZERO
    session.add(job)
    session.flush()
    return job


def set_final_charge(session: Session, actor: Actor, job_id: int, amount: str) -> Job:
    """Set what the work finally costs (the balance is then counted against it instead of the estimate)."""
    job = get_job(session, actor, job_id, "repairs.job.edit")
    if job.delivered_at is not None:
        raise JewelError(f"{job.number} was delivered; its charge cannot change.")
    errors: dict[str, str] = {}
    value = parse_amount_field(amount, "Final charge", errors, "final_charge")
    require_fields(errors)
    job.final_charge = value or ZERO
    session.add(job)
    session.flush()
    return job
