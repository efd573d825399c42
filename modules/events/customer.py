"""Events' section of the customer 360 page (clienteling's ``"clienteling.customer360"``): the customer's
registrations in this store and whether they came."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from modules.events.models import Event, Registration
from modules.events.records import KIND_LABELS, STATUS_LABELS, VIEW

SHOWN = 20


def attendance(registration: Registration, over: bool) -> str:
    """ "Came", "Did not come" (a confirmed place at an event that is over), or "" otherwise."""
    if registration.checked_in_at is not None:
        return "Came"
    return "Did not come" if over and registration.status == "confirmed" else ""


def customer_events(session: Session, actor: Actor, customer_id: int) -> dict[str, Any] | None:
    """The customer's latest 20 registrations in the actor's store, newest event first; None when there are none
    or the actor may not see events."""
    if not actor.can(VIEW):
        return None
    now = utcnow()
    rows = session.execute(
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(Event.store_id == actor.store_id, Registration.customer_id == customer_id)
        .order_by(Event.starts_at.desc())
        .limit(SHOWN)
    ).all()
    if not rows:
        return None
    return {
        "title": "Events",
        "columns": [
            ("date", "Date"),
            ("event", "Event"),
            ("kind", "Kind"),
            ("status", "Registration"),
            ("came", "Attendance"),
        ],
        "rows": [
            {
                "date": f"{actor.local(event.starts_at):%d %b %Y}",
                "event": event.title,
                "kind": KIND_LABELS.get(event.kind, event.kind),
                "status": STATUS_LABELS[registration.status],
                "came": attendance(registration, event.ends_at < now),
            }
            for registration, event in rows
        ],
        "links": [(f"Open {event.title}", f"/events/{event.id}") for _registration, event in rows[:3]],
    }
