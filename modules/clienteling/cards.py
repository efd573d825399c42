"""Home dashboard cards of the clienteling module."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.dashboard import CardValue, DashboardFilters
from jewelerp.db import utcnow
from modules.clienteling.models import Customer, FollowUp


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
