"""Registering on the public page, the waiting list, cancelling, and promoting the next in line.

A registration is keyed on the event and the e-mail address (a unique index): submitting the form again, or a
double click, finds the registration already made and sends nothing more. The same phone number under another
address counts as the same person too. Someone who cancelled and registers again gets their row back, at the end
of the queue.

A registration is linked to a customer only when it came through that customer's own invitation link (the
``?i=`` token of an invitation of this event): a typed e-mail or phone alone never links it, because anyone can
type someone else's details. Staff may link the others later on the event page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, require_fields
from jewelerp.validation import check_lengths
from modules.clienteling.api import parse_phone
from modules.events.messages import queue_confirmation, queue_waiting
from modules.events.models import Event, Invitation, Registration
from modules.events.records import confirmed_count, new_token, registrations_of

PER_CLIENT = 10  # registrations one client address may send ...
LIMIT_WINDOW = timedelta(minutes=15)  # ... in this long: a family registers a few, a script many
EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")


@dataclass
class RegistrationInput:
    """What a person types into the public page's form."""

    name: str = ""
    email: str = ""
    phone: str = ""
    consent: bool = False


@dataclass(frozen=True)
class Registered:
    """The outcome the public page tells: ``confirmed`` or ``waiting`` (with the place in the queue), and
    whether this person had registered already (nothing new was sent then)."""

    status: str
    position: int
    again: bool
    name: str


class RegistrationClosed(JewelError):
    """The event takes no registrations now (closed by staff, or already over)."""


class TooManyRegistrations(JewelError):
    """One client sent more registrations than :data:`PER_CLIENT` in :data:`LIMIT_WINDOW` (a script filling events)."""


def _crowded(session: Session, client_ip: str) -> bool:
    """Whether ``client_ip`` sent :data:`PER_CLIENT` registrations (of any event) in the last :data:`LIMIT_WINDOW`."""
    if not client_ip:
        return False
    since = utcnow() - LIMIT_WINDOW
    recent = select(func.count()).where(Registration.client_ip == client_ip, Registration.created_at > since)
    return session.execute(recent).scalar_one() >= PER_CLIENT


def _clean(session: Session, event: Event, data: RegistrationInput) -> dict:
    errors: dict[str, str] = {}
    values = {"name": " ".join(data.name.split()), "email": data.email.strip().lower()}
    if not values["name"]:
        errors["name"] = "Enter your name."
    if not EMAIL_RE.match(values["email"]):
        errors["email"] = "Enter an e-mail address like name@example.com: your confirmation goes there."
    region = str(get_setting(session, event.store_id, "clienteling.default_country"))
    values["phone"] = parse_phone(data.phone, region, errors, "phone")
    check_lengths(Registration, values, errors)
    require_fields(errors)
    return values | {"consent": bool(data.consent)}


def _existing(session: Session, event_id: int, email: str, phone: str) -> Registration | None:
    same = Registration.email == email
    if phone:
        same = or_(same, Registration.phone == phone)
    stmt = select(Registration).where(Registration.event_id == event_id, same).order_by(Registration.id)
    return session.scalars(stmt).first()


def _invitation(session: Session, event: Event, token: str) -> Invitation | None:
    """The invitation of this event whose token is ``token`` (a token of another event links nothing)."""
    if not token:
        return None
    return session.scalars(select(Invitation).where(Invitation.token == token, Invitation.event_id == event.id)).first()


def lock_event(session: Session, event: Event) -> None:
    """Hold the event's row until the commit, so two registrations for its last place (or a cancellation and a
    registration) take turns on PostgreSQL; SQLite's write transactions take turns already."""
    session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def waiting_position(session: Session, registration: Registration) -> int:
    """The registration's place on its event's waiting list, from 1 (0 when not waiting)."""
    waiting = [r.id for r in registrations_of(session, registration.event_id, "waiting")]
    return waiting.index(registration.id) + 1 if registration.id in waiting else 0


def is_open(event: Event) -> bool:
    """Whether the public page takes registrations: open, not cancelled, and not started yet."""
    return event.registration_open and event.cancelled_at is None and event.starts_at > utcnow()


def register(
    session: Session, event: Event, data: RegistrationInput, invitation_token: str = "", client_ip: str = ""
) -> Registered:
    """Register someone for ``event`` from the public page; a full event puts them on the waiting list.

    Idempotent: the same e-mail or phone finds the live registration and changes nothing. ``client_ip`` (the
    public page's sender) may send at most :data:`PER_CLIENT` new registrations in :data:`LIMIT_WINDOW`.
    """
    values = _clean(session, event, data)
    if not is_open(event):
        raise RegistrationClosed("Registration for this event is closed.")
    if _crowded(session, client_ip):
        raise TooManyRegistrations("Too many registrations from this connection. Please try again in 15 minutes.")
    lock_event(session, event)
    existing = _existing(session, event.id, values["email"], values["phone"])
    if existing is not None and existing.status != "cancelled":
        return Registered(existing.status, waiting_position(session, existing), True, existing.name)
    invitation = _invitation(session, event, invitation_token)
    status = "confirmed" if confirmed_count(session, event.id) < event.capacity else "waiting"
    registration = existing or Registration(
        event_id=event.id, store_id=event.store_id, ticket_token=new_token(), cancel_token=new_token(), **values
    )
    registration.name, registration.phone, registration.consent = values["name"], values["phone"], values["consent"]
    registration.status, registration.created_at, registration.cancelled_at = status, utcnow(), None
    registration.client_ip = client_ip[:45]
    if invitation is not None:
        registration.customer_id, registration.invitation_id = invitation.customer_id, invitation.id
    session.add(registration)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same address registered a moment ago in another transaction
        twin = _existing(session, event.id, values["email"], "")
        return Registered(twin.status, waiting_position(session, twin), True, twin.name)
    position = waiting_position(session, registration)
    if status == "confirmed":
        queue_confirmation(session, event, registration)
    else:
        queue_waiting(session, event, registration, position)
    return Registered(status, position, False, registration.name)


def promote_waiting(session: Session, event: Event) -> list[Registration]:
    """Give free places to the waiting list, first come first served, and tell each one; returns them."""
    promoted = []
    free = event.capacity - confirmed_count(session, event.id)
    for registration in registrations_of(session, event.id, "waiting")[: max(free, 0)]:
        registration.status, registration.promoted_at = "confirmed", utcnow()
        session.add(registration)
        promoted.append(registration)
    session.flush()
    for registration in promoted:
        queue_confirmation(session, event, registration, promoted=True)
    return promoted


def cancel(session: Session, registration: Registration) -> bool:
    """Cancel a registration (from its cancel link); a confirmed place goes to the first waiting.
    Returns False when it was cancelled already."""
    if registration.status == "cancelled":
        return False
    event = session.get_one(Event, registration.event_id)
    if event.cancelled_at is not None:
        raise JewelError("This event is cancelled: there is nothing to cancel.")
    if event.starts_at <= utcnow():
        raise JewelError("The event has started; a registration can no longer be cancelled.")
    lock_event(session, event)
    registration.status, registration.cancelled_at = "cancelled", utcnow()
    session.add(registration)
    session.flush()
    promote_waiting(session, event)
    return True
