"""Daily jobs: follow-ups before occasions, and segments as purchases age."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from modules.clienteling.followups import add_follow_up
from modules.clienteling.models import Customer, Occasion, Relative
from modules.clienteling.segments import refresh_store

CONSENTED = or_(Customer.consent_email, Customer.consent_sms, Customer.consent_whatsapp)


def _occasions_on(session: Session, store_id: int, day: date) -> list[tuple[int, str, str]]:
    """(customer id, key, reason) for every occasion falling on ``day`` for consenting customers."""
    active = and_(Customer.store_id == store_id, Customer.merged_into_id.is_(None), CONSENTED)
    found: list[tuple[int, str, str]] = []
    for c in session.scalars(
        select(Customer).where(active, Customer.birth_month == day.month, Customer.birth_day == day.day)
    ):
        found.append((c.id, f"birthday:{c.id}", f"{c.name}'s birthday on {day:%d %b}"))
    for c in session.scalars(
        select(Customer).where(active, Customer.anniversary_month == day.month, Customer.anniversary_day == day.day)
    ):
        found.append((c.id, f"anniversary:{c.id}", f"{c.name}'s wedding anniversary on {day:%d %b}"))
    relatives = session.execute(
        select(Relative, Customer.name).join(Customer, Customer.id == Relative.customer_id).where(active)
    )
    for relative, customer_name in relatives:
        for kind, moment in (("birthday", relative.date_of_birth), ("anniversary", relative.anniversary)):
            if moment and (moment.month, moment.day) == (day.month, day.day):
                found.append(
                    (
                        relative.customer_id,
                        f"relative-{kind}:{relative.id}",
                        f"{relative.name}'s {kind} ({relative.relation} of {customer_name}) on {day:%d %b}",
                    )
                )
    occasions = session.execute(
        select(Occasion, Customer.name)
        .join(Customer, Customer.id == Occasion.customer_id)
        .where(active, Occasion.month == day.month, Occasion.day == day.day)
    )
    for occasion, customer_name in occasions:
        found.append(
            (occasion.customer_id, f"occasion:{occasion.id}", f"{occasion.label} ({customer_name}) on {day:%d %b}")
        )
    return found


def occasion_follow_ups(session: Session, actor: Actor) -> int:
    """Create a follow-up N days (store setting) before each occasion; safe to run twice. Returns how many."""
    days = get_setting(session, actor.store_id, "clienteling.occasion_lead_days")
    today = actor.local(utcnow()).date()
    target = today + timedelta(days=days)
    created = 0
    for customer_id, key, reason in _occasions_on(session, actor.store_id, target):
        follow_up = add_follow_up(session, actor, customer_id, today, reason, "occasion", f"{key}:{target.isoformat()}")
        created += follow_up is not None
    return created


def refresh_segments(session: Session, actor: Actor) -> int:
    """Recompute segments as purchases leave the twelve-month window."""
    return refresh_store(session, actor)
