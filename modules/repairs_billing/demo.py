"""Demo money for the demo workshop: repairs' demo delivers jobs with a manager's sign-off of the balance
("paid at the billing counter") and the bridge invoices them on delivery; here those invoices are paid
through :func:`~modules.repairs_billing.money.take_job_payment`, so billing shows no dues for them.

Small amounts come in cash or UPI, large ones by UPI or bank transfer, each with its reference; a job of
more than ₹2,00,000 (alone or with the customer's purchases of the day) is invoiced with the customer's PAN.
Loading again adds nothing: a paid job has nothing due.
"""

from __future__ import annotations

import random
from decimal import Decimal

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from modules.billing.api import pan_reason
from modules.repairs.api import balance_due, charge_of, delivered_jobs
from modules.repairs_billing.money import bill_job, take_job_payment

CASH_UP_TO = Decimal("20000")
UPI_UP_TO = Decimal("100000")


def _tender(rng: random.Random, due: Decimal) -> tuple[str, str]:
    """A method and its reference for paying ``due``."""
    if due <= CASH_UP_TO and rng.random() < 0.5:
        return "cash", ""
    if due <= UPI_UP_TO:
        return "upi", str(rng.randrange(10**11, 10**12))
    return "bank", f"HDFCN{rng.randrange(10**13, 10**14)}"


def _pan(rng: random.Random) -> str:
    """A well-formed PAN of an individual (its fourth letter is P)."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return f"{''.join(rng.choice(letters) for _ in range(3))}P{rng.choice(letters)}{rng.randrange(10_000):04d}A"


def load(session: Session, actor: Actor) -> None:
    """Pay what the store's delivered jobs still owe, as billing receipts (idempotent)."""
    rng = random.Random(f"repairs-billing-{actor.store_code}")
    for job in delivered_jobs(session, actor):
        if balance_due(session, actor, job) <= 0:
            continue
        needs_pan = pan_reason(session, job.customer_id, job.customer_name, charge_of(job), actor.today())
        bill_job(session, actor, job, _pan(rng) if needs_pan else "")
        due = balance_due(session, actor, job)  # what the invoices have due, to the paisa
        method, reference = _tender(rng, due)
        take_job_payment(session, actor, job.id or 0, method, due, reference)
