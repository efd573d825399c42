"""Changing an event after it was created, as staff: editing it before it starts, calling it off, and cancelling
one registration for someone who phoned.

- A changed date, time, place or meeting link is told to everyone registered or waiting ("details changed");
  a new title, kind, description, capacity or audience is not. A new start is reminded of again the day before.
- Raising the capacity gives the new places to the waiting list in order (each told, as a cancellation does);
  a capacity below the places already confirmed is refused beside the field.
- Cancelling an event keeps every record: it closes registration, and everyone registered or waiting is told
  once, with the reason.
Each change is written to the audit log by the platform.
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError
from modules.events.audience import parse_audience
from modules.events.messages import queue_details_changed, queue_event_cancelled, queue_registration_cancelled
from modules.events.models import Event, Registration
from modules.events.records import MANAGE, confirmed_count, get_event, registrations_of
from modules.events.registrations import cancel, lock_event, promote_waiting
from modules.events.services import EventInput, clean_event

TOLD_OF_CHANGES = ("starts_at", "ends_at", "place", "meeting_link")
MAX_REASON = 300


def _changeable(session: Session, actor: Actor, event_id: int) -> Event:
    """The event of the actor's store if it may still be changed (not cancelled, not started), locked."""
    event = get_event(session, actor, event_id, MANAGE)
    if event.cancelled_at is not None:
        raise JewelError("This event is cancelled: it can no longer be changed.")
    if event.starts_at <= utcnow():
        raise JewelError("The event has started: it can no longer be changed.")
    lock_event(session, event)
    return event


def edit_values(session: Session, actor: Actor, event_id: int) -> dict[str, str]:
    """The event as the edit form starts: text values, times in the store's zone, the audience's choices."""
    event = get_event(session, actor, event_id, MANAGE)
    audience = parse_audience(event.audience)
    values = {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "starts": f"{actor.local(event.starts_at):%Y-%m-%dT%H:%M}",
        "ends": f"{actor.local(event.ends_at):%Y-%m-%dT%H:%M}",
        "place": event.place,
        "meeting_link": event.meeting_link,
        "capacity": str(event.capacity),
        "audience_attended": str(audience.attended or ""),
        "audience_registered": str(audience.registered or ""),
    }
    return values | {f"audience_{key}": "on" for key in audience.segments}


def update_event(session: Session, actor: Actor, event_id: int, data: EventInput) -> Event:
    """Change an event that has not started; registration open or closed stays as it is."""
    event = _changeable(session, actor, event_id)
    values = clean_event(session, actor, data, event.id or 0)
    taken = confirmed_count(session, event.id)
    if values["capacity"] < taken:
        raise ValidationError(
            {"capacity": f"{taken} people hold a confirmed place: the capacity cannot be less than {taken}."}
        )
    told = any(getattr(event, key) != values[key] for key in TOLD_OF_CHANGES)
    if event.starts_at != values["starts_at"]:  # a new day: the reminder goes again the day before it
        for registration in registrations_of(session, event.id, "confirmed"):
            registration.reminded_at = None
            session.add(registration)
    for key, value in values.items():
        setattr(event, key, value)
    session.add(event)
    session.flush()
    promoted = {r.id for r in promote_waiting(session, event)}  # their confirmation has the new details
    if told:
        for status in ("confirmed", "waiting"):
            for registration in registrations_of(session, event.id, status):
                if registration.id not in promoted:
                    queue_details_changed(session, event, registration)
    return event


def cancel_event(session: Session, actor: Actor, event_id: int, reason: str) -> int:
    """Call off an event that has not started: registration closes for good, and everyone registered or waiting
    is told once, with ``reason``. Returns how many were told."""
    event = _changeable(session, actor, event_id)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say why the event is cancelled: the registrants are told."})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"Keep the reason to {MAX_REASON} characters."})
    event.cancelled_at, event.cancel_reason, event.registration_open = utcnow(), reason, False
    session.add(event)
    session.flush()
    told = registrations_of(session, event.id, "confirmed") + registrations_of(session, event.id, "waiting")
    for registration in told:
        queue_event_cancelled(session, event, registration)
    return len(told)


def cancel_registration(session: Session, actor: Actor, registration_id: int) -> Registration:
    """Cancel a registration for its holder (who asked the store), as their own cancel link does: a confirmed
    place goes to the first on the waiting list, and the holder is told by e-mail."""
    actor.require(MANAGE)
    registration = session.get(Registration, registration_id)
    if registration is None or registration.store_id != actor.store_id:
        raise NotFound("That registration does not exist in this store.")
    if not cancel(session, registration):
        raise JewelError(f"{registration.name}'s registration is cancelled already.")
    queue_registration_cancelled(session, session.get_one(Event, registration.event_id), registration)
    return registration
