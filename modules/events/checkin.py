"""Checking a registrant in at the door: staff scan the ticket's QR, which opens the check-in page of the app
with the ticket's token; only signed-in staff holding ``events.checkin`` in the event's store may use it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound
from jewelerp.ui.public_page import TOKEN_RE
from modules.events.messages import when_text
from modules.events.models import Event, Registration
from modules.events.records import CHECK_IN, STATUS_LABELS

UNKNOWN_TICKET = "No such ticket for an event of this store."


@dataclass(frozen=True)
class Ticket:
    """What the check-in page shows of a registration."""

    name: str
    event_title: str
    when: str
    status: str  # confirmed | waiting | cancelled
    status_label: str
    checked_in: str  # "" or hh:mm in the store's zone


def _find(session: Session, actor: Actor, token: str) -> tuple[Registration, Event]:
    actor.require(CHECK_IN)
    registration = None
    if TOKEN_RE.match(token):
        stmt = select(Registration).where(Registration.ticket_token == token)
        registration = session.scalars(stmt).first()
    if registration is None or registration.store_id != actor.store_id:
        raise NotFound(UNKNOWN_TICKET)
    return registration, session.get_one(Event, registration.event_id)


def _ticket(actor: Actor, registration: Registration, event: Event) -> Ticket:
    checked = f"{actor.local(registration.checked_in_at):%H:%M}" if registration.checked_in_at else ""
    return Ticket(
        registration.name,
        event.title,
        when_text(event, actor.time_zone),
        registration.status,
        STATUS_LABELS[registration.status],
        checked,
    )


def ticket_for(session: Session, actor: Actor, token: str) -> Ticket:
    """The ticket ``token`` of an event of the actor's store, or NotFound."""
    return _ticket(actor, *_find(session, actor, token))


def check_in(session: Session, actor: Actor, token: str) -> Ticket:
    """Record that the ticket's holder came; a second scan is refused with the time of the first."""
    registration, event = _find(session, actor, token)
    if event.cancelled_at is not None:
        raise JewelError("This event is cancelled.")
    if registration.checked_in_at is not None:
        raise JewelError(f"Already checked in at {actor.local(registration.checked_in_at):%H:%M}.")
    if registration.status != "confirmed":
        raise JewelError(f"This registration is not confirmed ({STATUS_LABELS[registration.status].lower()}).")
    registration.checked_in_at, registration.checked_in_by = utcnow(), actor.user_id
    session.add(registration)
    session.flush()
    return _ticket(actor, registration, event)
