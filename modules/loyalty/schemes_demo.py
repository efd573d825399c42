"""Demo gold savings schemes: three templates and enrolments at every stage, through the scheme services.

Per store (left alone once it has a scheme template): "Swarna 11+1" (₹5,000 a month in gold 22K, bonus one
instalment), "Gold Gram Plan" (1 g of gold 22K a month, 50% off making charges) and "Quick Saver 6" (₹10,000
a month for 6 months, one missed instalment tolerated). The first of clienteling's demo customers are
enrolled: one up to date (one instalment paid late), one with a missed instalment, two matured (one of
them redeemed against an invoice through billing's "scheme" method), one foreclosed and one lapsed.
Instalments are paid on their own past days, in date order, at each day's rate; a past day without a
gold rate gets today's (billing's demo keeps 120 days of rates).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.ui.table_query import TableQuery
from modules.billing.api import add_service_line, create_draft, issue_invoice, rate_on, take_payment, write_rate
from modules.clienteling.api import CUSTOMERS
from modules.loyalty import schemes
from modules.loyalty.models import Enrolment, SchemeTemplate
from modules.loyalty.program import add_months
from modules.stock.api import list_metals

TEMPLATES = (
    schemes.TemplateInput("Swarna 11+1", instalment="5000", months="11", foreclosure_deduction_pct="2"),
    schemes.TemplateInput(
        "Gold Gram Plan",
        unit="grams",
        instalment_grams="1",
        bonus_kind="making_pct",
        bonus_value="50",
        foreclosure_deduction_pct="3",
    ),
    schemes.TemplateInput("Quick Saver 6", instalment="10000", months="6", max_missed="1"),
)
# (template index, months since it started, instalments paid in order; the unpaid ones past their grace are missed)
STAGES = (
    (0, 4, 4),  # active, up to date (the fifth falls due today)
    (1, 5, 3),  # active with a missed instalment
    (2, 6, 6),  # matured today
    (2, 8, 6),  # matured, then redeemed
    (0, 3, 2),  # foreclosed
    (2, 5, 1),  # lapsed
)
METHODS = (("cash", ""), ("upi", "412345678901"), ("card", "4821"))
NOMINEES = (("Ravi", "Son"), ("Asha", "Daughter"), ("Kiran", "Husband"), ("Leela", "Wife"), ("Mohan", "Brother"))


def _gold_22k(session: Session, actor: Actor) -> int | None:
    metal = next(
        (m for m in list_metals(session, actor, active_only=True) if (m.metal, m.fineness) == ("gold", 916)), None
    )
    return metal.id if metal else None


def _templates(session: Session, actor: Actor, gold: int) -> list[SchemeTemplate]:
    made = []
    for data in TEMPLATES:
        data.metal_id = str(gold)
        made.append(schemes.save_template(session, actor, data))
    return made


def _rate_for(session: Session, actor: Actor, gold: int, day: date) -> None:
    """Give a past day without a gold rate today's rate, so its instalment can be converted."""
    if rate_on(session, actor.store_id, gold, day) is None:
        write_rate(session, actor, gold, day, rate_on(session, actor.store_id, gold, actor.today()))


def _enrol(session: Session, actor: Actor, template: SchemeTemplate, customer_id: int, start: date, n: int):
    nominee, relation = NOMINEES[n % len(NOMINEES)]
    data = schemes.EnrolInput(
        str(template.id), str(customer_id), nominee, relation, id_kind="aadhaar", id_number=f"{234567890120 + n}"
    )
    return schemes.enrol(session, actor, data, start_on=start)


def _redeem(session: Session, actor: Actor, enrolment: Enrolment) -> None:
    """Sell the customer a piece of custom work and pay for it with the matured scheme."""
    value = schemes.scheme_value(session, actor, enrolment)
    draft = create_draft(session, actor, customer_name=enrolment.customer_name, customer_id=enrolment.customer_id)
    add_service_line(session, actor, draft.id, "Custom gold bangle, making and finishing", str(value * 2))
    invoice = issue_invoice(session, actor, draft.id)
    take_payment(session, actor, invoice.id, "scheme", value, enrolment.number)


def load(session: Session, actor: Actor) -> None:
    """Templates and enrolments at every stage in the store, unless it already has scheme templates."""
    has = session.scalar(select(func.count(SchemeTemplate.id)).where(SchemeTemplate.store_id == actor.store_id))
    gold = _gold_22k(session, actor)
    customers = [int(r["id"]) for r in CUSTOMERS.iter_rows(session, actor, TableQuery(sort="since", limit=None))]
    if has or gold is None or rate_on(session, actor.store_id, gold, actor.today()) is None:
        return
    if len(customers) < len(STAGES):
        return
    templates = _templates(session, actor, gold)
    today = actor.today()
    payments: list[tuple[date, int, Enrolment]] = []
    enrolled = []
    for n, (index, months_ago, paid) in enumerate(STAGES):
        enrolment = _enrol(session, actor, templates[index], customers[n], add_months(today, -months_ago), n)
        enrolled.append(enrolment)
        for seq in range(1, paid + 1):
            due = add_months(enrolment.start_on, seq - 1)
            late = timedelta(days=10) if (n, seq) == (0, 2) else timedelta(days=seq % 3)
            payments.append((min(due + late, today), seq, enrolment))
    for day, seq, enrolment in sorted(payments, key=lambda p: (p[0], p[2].id, p[1])):
        _rate_for(session, actor, gold, day)
        method, reference = METHODS[(enrolment.id + seq) % len(METHODS)]
        schemes.collect(session, actor, enrolment, method, reference, day)
    schemes.run_daily(session, actor, today)
    _redeem(session, actor, enrolled[3])
    schemes.foreclose(session, actor, enrolled[4].id, "cash")
