"""A job's balance paid online: the quote a customer's page may offer, and the money taken when the payment gateway
says it was paid.

- :func:`balance_quote`: what is still to pay on one of the customer's own jobs (the final charge or estimate less
  what was paid, :func:`~modules.repairs.payments.balance_due`), never an amount from a page. The reference of the
  payment is the job's number.
- :func:`online_balance_problem`: why a paid order cannot be taken for its job ("" when it can): the job is not
  the customer's, or the payment is more than is due now (a second tab's order paid too). Then nothing is taken
  and the payment is reported for refund (:func:`modules.payments.api.report_unapplied`).
- :func:`balance_paid` handles ``("payments.order", "paid")`` for :data:`PURPOSE` in a store where repairs takes
  its own money (``job.paid``); where a module takes the money for jobs (the bridge to billing), that module
  handles the event and writes billing's receipt instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError, NotFound
from jewelerp.money import format_inr
from modules.payments.api import report_unapplied
from modules.repairs.models import Job
from modules.repairs.payments import balance_due, payments_elsewhere
from modules.repairs.records import KIND_LABELS, get_job, job_by_number

PURPOSE = "repairs.balance"


@dataclass(frozen=True)
class BalanceQuote:
    """What is due on a customer's job now."""

    job_id: int
    customer_id: int
    number: str
    balance: Decimal
    description: str


def balance_quote(session: Session, actor: Actor, customer_ids: tuple[int, ...], job_id: int) -> BalanceQuote:
    """The balance of one of ``customer_ids``' jobs in the actor's store; NotFound for a job that is not theirs,
    JewelError when nothing is due."""
    job = get_job(session, actor, job_id)
    if job.customer_id not in customer_ids:
        raise NotFound("That job does not exist in this store.")
    due = balance_due(session, actor, job)
    if due <= 0:
        raise JewelError(f"Nothing is due on {job.number}.")
    what = f"{KIND_LABELS.get(job.kind, 'Job')} {job.number}, balance"
    return BalanceQuote(job.id or 0, job.customer_id, job.number, due, what)


def paid_job(session: Session, actor: Actor, payload: dict[str, Any]) -> Job | None:
    """The job a ``("payments.order", "paid")`` payload of :data:`PURPOSE` paid, or None (another purpose, or
    no such job: reported for refund)."""
    if payload.get("purpose") != PURPOSE:
        return None
    try:
        return job_by_number(session, actor, str(payload["reference"]))
    except NotFound:
        report_unapplied(session, actor, payload, "no such job", "/repairs/jobs")
        return None


def online_balance_problem(session: Session, actor: Actor, job: Job, payload: dict[str, Any]) -> str:
    """Why the paid order cannot be taken for ``job`` ("" when it can); reported for refund when there is one."""
    amount, due = Decimal(str(payload["amount"])), balance_due(session, actor, job)
    problem = ""
    if job.customer_id != int(payload["customer_id"]):
        problem = "the job is not this customer's"
    elif amount > due:
        problem = f"{format_inr(amount, paise=True)} is more than the {format_inr(due, paise=True)} due"
    if problem:
        report_unapplied(session, actor, payload, problem, f"/repairs/jobs/{job.id}")
    return problem


def balance_paid(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """``("payments.order", "paid")``: the money goes on the job where repairs takes its own (see the docstring)."""
    if payload.get("purpose") != PURPOSE or payments_elsewhere(actor):
        return
    job = paid_job(session, actor, payload)
    if job is None or online_balance_problem(session, actor, job, payload):
        return
    job.paid += Decimal(str(payload["amount"]))
    session.add(job)
    session.flush()
