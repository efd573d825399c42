"""Home dashboard cards of the loyalty module: schemes maturing this month and the scheme liability."""

from __future__ import annotations

import calendar

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import system_actor
from jewelerp.dashboard import CardRow, CardValue, DashboardFilters
from jewelerp.money import ZERO, format_inr
from modules.loyalty.models import Enrolment
from modules.loyalty.schemes import NOTHING_OWED, OPEN, liability


def maturing_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """Open schemes of the dashboard's branches that mature this calendar month, and what was paid into them."""
    today = actor.today()
    first, last = today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])
    paid = list(
        session.scalars(
            select(Enrolment.paid).where(
                Enrolment.store_id.in_(filters.store_ids),
                Enrolment.status.in_(OPEN),
                Enrolment.maturity_on >= first,
                Enrolment.maturity_on <= last,
            )
        )
    )
    caption = f"{format_inr(sum(paid, ZERO))} paid in; maturing in {today:%B}"
    return CardValue(str(len(paid)), caption, "/loyalty/schemes-maturing")


def liability_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """What the dashboard's branches owe on open schemes: paid in plus accrued bonus less redeemed."""
    owed = NOTHING_OWED
    for store_id in filters.store_ids:
        owed += liability(session, system_actor(session, store_id))
    at_today = format_inr(owed.at_today) if owed.at_today is not None else "no rate today for a grams scheme"
    rows = (
        CardRow("Paid in", format_inr(owed.paid)),
        CardRow("Bonus accrued", format_inr(owed.bonus)),
        CardRow("Redeemed", format_inr(owed.redeemed)),
        CardRow("At today's rate", at_today),
    )
    return CardValue(format_inr(owed.total), f"on {owed.schemes} open schemes", "/loyalty/scheme-liability", rows=rows)
