"""What other modules may use of events: a store's upcoming events open for registration, a customer's own
registrations, and registering or cancelling for a customer whose identity the caller has proved.

These functions take no actor, like the public event page: they are scoped to the store and the customer ids the
caller passes, which a customer portal must take from its signed-in customer, never from the browser. A
registration made here is linked to ``customer_id`` (the caller proved who they are), unlike one typed on the
public page; it is idempotent on the e-mail address as the public page is.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.core.models import Store
from jewelerp.core.module_states import enabled_modules
from jewelerp.db import utcnow
from jewelerp.errors import NotFound
from jewelerp.validation import MAX_ID, read_int
from modules.events.messages import when_text, where_text
from modules.events.models import Event, Registration
from modules.events.records import KIND_LABELS, STATUS_LABELS
from modules.events.registrations import (
    Registered,
    RegistrationClosed,
    RegistrationInput,
    cancel,
    is_open,
    register,
    waiting_position,
)

__all__ = [
    "CustomerRegistration",
    "Registered",
    "RegistrationClosed",
    "RegistrationInput",
    "UpcomingEvent",
    "cancel_customer_registration",
    "customer_registrations",
    "register_customer",
    "upcoming_events",
]
SHOWN = 50


@dataclass(frozen=True)
class UpcomingEvent:
    """An event open for registration, as a customer sees it (times in the store's zone)."""

    id: int
    kind: str
    title: str
    when: str
    where: str


@dataclass(frozen=True)
class CustomerRegistration:
    """One of the customer's registrations: its status (``status_key`` confirmed, waiting or cancelled), the place
    on the waiting list (0 when not waiting), whether they were checked in and whether they may still cancel.
    When staff cancelled the event, ``status`` says so ("Event cancelled") and nothing can be cancelled."""

    id: int
    event_id: int
    event_title: str
    when: str
    where: str
    status_key: str
    status: str
    position: int
    checked_in: bool
    can_cancel: bool


def _zone(session: Session, store_id: int) -> str:
    return session.get_one(Store, store_id).time_zone


def _events_on(session: Session, store_id: int) -> bool:
    return "events" in enabled_modules(session, store_id)


def upcoming_events(session: Session, store_id: int) -> list[UpcomingEvent]:
    """The store's events still taking registrations, soonest first (none when the store has events off)."""
    if not _events_on(session, store_id):
        return []
    stmt = (
        select(Event)
        .where(
            Event.store_id == store_id,
            Event.registration_open,
            Event.cancelled_at.is_(None),
            Event.starts_at > utcnow(),
        )
        .order_by(Event.starts_at, Event.id)
        .limit(SHOWN)
    )
    zone = _zone(session, store_id)
    return [
        UpcomingEvent(e.id or 0, KIND_LABELS.get(e.kind, "Event"), e.title, when_text(e, zone), where_text(e))
        for e in session.scalars(stmt)
    ]


def customer_registrations(session: Session, customer_ids: Collection[int]) -> list[CustomerRegistration]:
    """The registrations linked to ``customer_ids``, soonest event first, the latest :data:`SHOWN`."""
    if not customer_ids:
        return []
    rows = session.execute(
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.customer_id.in_(list(customer_ids)))
        .order_by(Event.starts_at.desc(), Registration.id)
        .limit(SHOWN)
    ).all()
    now, zones = utcnow(), {}
    found = []
    for registration, event in reversed(rows):
        zone = zones.setdefault(event.store_id, _zone(session, event.store_id))
        called_off = event.cancelled_at is not None
        found.append(
            CustomerRegistration(
                id=registration.id or 0,
                event_id=event.id or 0,
                event_title=event.title,
                when=when_text(event, zone),
                where=where_text(event, with_link=registration.status == "confirmed" and not called_off),
                status_key=registration.status,
                status="Event cancelled" if called_off else STATUS_LABELS[registration.status],
                position=waiting_position(session, registration),
                checked_in=registration.checked_in_at is not None,
                can_cancel=registration.status != "cancelled" and not called_off and event.starts_at > now,
            )
        )
    return found


def _event(session: Session, store_id: int, event_id: object) -> Event:
    """The event ``event_id`` of ``store_id`` with events on there, or NotFound."""
    number = read_int(event_id, 1, MAX_ID)
    event = session.get(Event, number) if number else None
    if event is None or event.store_id != store_id or not _events_on(session, store_id):
        raise NotFound("That event does not exist.")
    return event


def register_customer(
    session: Session,
    store_id: int,
    event_id: int,
    customer_id: int,
    data: RegistrationInput,
    client_ip: str = "",
) -> Registered:
    """Register the customer ``customer_id`` (whose ``data.email`` the caller has proved) for an event of
    ``store_id``: confirmed, or on the waiting list when it is full; a second call changes nothing. The
    registration under that e-mail is linked to the customer (never one found by another address)."""
    event = _event(session, store_id, event_id)
    if not is_open(event):
        raise RegistrationClosed("Registration for this event is closed.")
    done = register(session, event, data, client_ip=client_ip)
    email = data.email.strip().lower()
    mine = session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.email == email)
    ).first()
    if mine is not None and mine.customer_id is None:
        mine.customer_id = customer_id
        session.add(mine)
        session.flush()
    return done


def cancel_customer_registration(session: Session, registration_id: object, customer_ids: Collection[int]) -> bool:
    """Cancel one of the customers' registrations (a confirmed place goes to the first waiting); False when it was
    cancelled already. Another's registration is "not found"."""
    number = read_int(registration_id, 1, MAX_ID)
    registration = session.get(Registration, number) if number else None
    if registration is None or registration.customer_id not in set(customer_ids):
        raise NotFound("That registration does not exist.")
    if not _events_on(session, registration.store_id):
        raise NotFound("That registration does not exist.")
    return cancel(session, registration)
