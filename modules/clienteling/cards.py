"""Home dashboard cards of the clienteling module."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.dashboard import CardValue
from jewelerp.db import utcnow
from modules.clienteling.models import Customer, FollowUp


def customers_card(session: Session, actor: Actor) -> CardValue:
    """Customers of this store and how many joined in 30 days."""
    in_store = (Customer.store_id == actor.store_id) & Customer.merged_into_id.is_(None)
    total = session.execute(select(func.count()).where(in_store)).scalar_one()
    recent = session.execute(
        select(func.count()).where(in_store, Customer.created_at >= utcnow() - timedelta(days=30))
    ).scalar_one()
    return CardValue(f"{total:,}", f"{recent} new in the last 30 days", "/clienteling/customers")


def follow_ups_card(session: Session, actor: Actor) -> CardValue:
    """The signed-in person's open follow-ups due today or earlier."""
    today = actor.local(utcnow()).date()
    mine = (FollowUp.assigned_user_id == actor.user_id) & FollowUp.done_at.is_(None)
    due = session.execute(
        select(func.count()).where(mine, FollowUp.store_id == actor.store_id, FollowUp.due_on <= today)
    ).scalar_one()
    overdue = session.execute(
        select(func.count()).where(mine, FollowUp.store_id == actor.store_id, FollowUp.due_on < today)
    ).scalar_one()
    return CardValue(str(due), f"{overdue} overdue" if overdue else "nothing overdue", "/clienteling/follow-ups")
