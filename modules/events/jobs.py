"""The reminder job: every hour, each confirmed registration of an event starting within the next day gets one
reminder (``reminded_at`` keeps it to one)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from modules.events.messages import queue_reminder
from modules.events.models import Event, Registration

AHEAD = timedelta(days=1)


def remind(session: Session, actor: Actor) -> int:
    """Queue the day-before reminders of the actor's store; returns how many."""
    now = utcnow()
    stmt = (
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Event.store_id == actor.store_id,
            Event.starts_at > now,
            Event.cancelled_at.is_(None),
            Event.starts_at <= now + AHEAD,
            Registration.status == "confirmed",
            Registration.reminded_at.is_(None),
        )
        .order_by(Registration.id)
    )
    sent = 0
    for registration, event in session.execute(stmt).all():
        queue_reminder(session, event, registration)
        registration.reminded_at = now
        session.add(registration)
        sent += 1
    session.flush()
    return sent
