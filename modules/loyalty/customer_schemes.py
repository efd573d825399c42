"""A customer's own gold schemes as plain data, for a module that shows customers their records (a portal)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError
from modules.loyalty.models import Enrolment, SchemeTemplate
from modules.loyalty.schemes import VIEW, instalments_of, scheme_value


@dataclass(frozen=True)
class SchemeInstalmentRow:
    """One instalment: its number, due date, amount and whether (and when) it was paid, with its receipt number and
    the payment's reference (the gateway's payment id for one paid online)."""

    seq: int
    due_on: date
    amount: Decimal
    status: str  # due | paid | missed
    paid_on: date | None
    receipt_number: str = ""
    reference: str = ""
    late_fee: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class CustomerScheme:
    """An enrolment with what was paid, what it is worth today (None without a rate) and the next instalment."""

    id: int
    number: str
    scheme: str
    status: str
    start_on: date
    maturity_on: date
    paid: Decimal
    value: Decimal | None
    next_due_on: date | None
    next_amount: Decimal | None
    instalments: tuple[SchemeInstalmentRow, ...]


def customer_schemes(session: Session, actor: Actor, customer_ids: tuple[int, ...]) -> list[CustomerScheme]:
    """The enrolments of the actor's store of any of ``customer_ids``, newest first."""
    actor.require(VIEW)
    stmt = select(Enrolment).where(
        Enrolment.store_id == actor.store_id, Enrolment.customer_id.in_(list(customer_ids) or [-1])
    )
    schemes = []
    for enrolment in session.scalars(stmt.order_by(Enrolment.id.desc())):
        rows = tuple(
            SchemeInstalmentRow(
                i.seq, i.due_on, i.amount, i.status, i.paid_on, i.receipt_number or "", i.reference, i.late_fee
            )
            for i in instalments_of(session, enrolment.id or 0)
        )
        due = next((r for r in rows if r.status != "paid"), None) if enrolment.status == "active" else None
        try:
            value: Decimal | None = scheme_value(session, actor, enrolment)
        except JewelError:  # no rate of the day for a grams scheme
            value = None
        template = session.get(SchemeTemplate, enrolment.template_id)
        schemes.append(
            CustomerScheme(
                enrolment.id or 0,
                enrolment.number,
                template.name if template else "",
                enrolment.status,
                enrolment.start_on,
                enrolment.maturity_on,
                enrolment.paid,
                value,
                due.due_on if due else None,
                due.amount if due else None,
                rows,
            )
        )
    return schemes
