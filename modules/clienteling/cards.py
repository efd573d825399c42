"""Home dashboard cards of the clienteling module."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.dashboard import CardRow, CardValue, DashboardFilters
from jewelerp.db import utcnow
from modules.clienteling.cases import ACTIVE
from modules.clienteling.models import Customer, FollowUp, ServiceCase

WEEK = 7
LISTED = 6


def customers_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """Customers of the dashboard's branches and how many joined in 30 days."""
    in_stores = Customer.store_id.in_(filters.store_ids) & Customer.merged_into_id.is_(None)
    total = session.execute(select(func.count()).where(in_stores)).scalar_one()
    recent = session.execute(
        select(func.count()).where(in_stores, Customer.created_at >= utcnow() - timedelta(days=30))
    ).scalar_one()
    return CardValue(f"{total:,}", f"{recent} new in the last 30 days", "/clienteling/customers")


def follow_ups_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """The signed-in person's open follow-ups due today or earlier at the dashboard's branches."""
    today = actor.today()
    mine = (FollowUp.assigned_user_id == actor.user_id) & FollowUp.done_at.is_(None)
    here = FollowUp.store_id.in_(filters.store_ids)
    due = session.execute(select(func.count()).where(mine, here, FollowUp.due_on <= today)).scalar_one()
    overdue = session.execute(select(func.count()).where(mine, here, FollowUp.due_on < today)).scalar_one()
    return CardValue(str(due), f"{overdue} overdue" if overdue else "nothing overdue", "/clienteling/follow-ups")


def cases_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """The signed-in person's open and waiting service cases at the dashboard's branches, soonest due first."""
    today = actor.today()
    mine = (
        (ServiceCase.assigned_user_id == actor.user_id)
        & ServiceCase.status.in_(ACTIVE)
        & ServiceCase.store_id.in_(filters.store_ids)
    )
    total = session.execute(select(func.count()).where(mine)).scalar_one()
    overdue = session.execute(select(func.count()).where(mine, ServiceCase.due_on < today)).scalar_one()
    soonest = session.scalars(
        select(ServiceCase).where(mine).order_by(ServiceCase.due_on, ServiceCase.id).limit(LISTED)
    )
    rows = tuple(
        CardRow(f"{case.number} · {case.subject}", f"due {case.due_on:%d %b}", f"/clienteling/cases/{case.id}")
        for case in soonest
    )
    caption = f"{overdue} overdue" if overdue else "nothing overdue"
    return CardValue(str(total), caption, "/clienteling/cases", rows=rows)


def occasions_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """Customers of the dashboard's branches whose birthday or wedding anniversary falls in the next seven days
    (today included), soonest first; 29 February counts on the 28th in other years."""
    today = actor.today()
    days = [today + timedelta(days=n) for n in range(WEEK)]
    found: list[tuple[int, str, str, int]] = []
    for what, month, day in (
        ("birthday", Customer.birth_month, Customer.birth_day),
        ("anniversary", Customer.anniversary_month, Customer.anniversary_day),
    ):
        on = or_(*(and_(month == d.month, day == d.day) for d in _calendar_days(days)))
        rows = session.execute(
            select(Customer.id, Customer.name, month, day).where(
                Customer.store_id.in_(filters.store_ids), Customer.merged_into_id.is_(None), on
            )
        )
        for customer_id, name, m, d in rows:
            offset = next(n for n, when in enumerate(days) if (when.month, when.day) == _observed(when.year, m, d))
            found.append((offset, name, what, customer_id))
    found.sort()
    rows = tuple(
        CardRow(f"{name} · {what}", f"{today + timedelta(days=offset):%a %d %b}", f"/clienteling/customers/{cid}")
        for offset, name, what, cid in found[:LISTED]
    )
    birthdays = sum(1 for item in found if item[2] == "birthday")
    caption = f"{birthdays} birthdays, {len(found) - birthdays} anniversaries in the next 7 days"
    return CardValue(str(len(found)), caption, "/clienteling/customers", rows=rows)


def _observed(year: int, month: int, day: int) -> tuple[int, int]:
    """The (month, day) an occasion is kept on in ``year``: 29 February on the 28th outside leap years."""
    return (2, 28) if (month, day) == (2, 29) and not calendar.isleap(year) else (month, day)


def _calendar_days(days: list[date]) -> list[date]:
    """The week's days, and 29 February for a week holding 28 February of a common year."""
    extra = [(2, 29)] if any((d.month, d.day) == (2, 28) and not calendar.isleap(d.year) for d in days) else []
    return [*days, *(date(2000, m, d) for m, d in extra)]
