"""Who an event invites: customers of clienteling segments, customers who came to a past event of the store
(checked in at the door), and customers who registered for an event of the store (linked to a customer, not
cancelled). Only those who consented to a channel are reached: their contacts come from clienteling's api.

The choice is kept in ``Event.audience`` as comma-separated keys: segment keys (``vip``), ``attended:<event id>``
and ``registered:<event id>`` (at most one of each).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.validation import MAX_ID, read_int
from modules.clienteling.api import SEGMENTS, MarketingContact, marketing_audience, marketing_contacts
from modules.events.models import Event, Registration

ATTENDED = "attended"
REGISTERED = "registered"
CHOICES_SHOWN = 50  # events offered in each list of the form, newest first


@dataclass(frozen=True)
class Audience:
    """An event's audience: segment keys, and the event whose attendees / registrants are invited (0: none)."""

    segments: tuple[str, ...] = ()
    attended: int = 0
    registered: int = 0

    def text(self) -> str:
        """The value kept in ``Event.audience``."""
        keys = list(self.segments)
        keys += [f"{ATTENDED}:{self.attended}"] if self.attended else []
        keys += [f"{REGISTERED}:{self.registered}"] if self.registered else []
        return ",".join(keys)

    def __bool__(self) -> bool:
        return bool(self.segments or self.attended or self.registered)


@dataclass
class AudienceInput:
    """The form's audience: ticked segment keys and the chosen events' ids, as text ("" for none)."""

    segments: list[str] = field(default_factory=list)
    attended: str = ""
    registered: str = ""


def parse_audience(text: str) -> Audience:
    """The audience kept in ``Event.audience`` (unknown keys are ignored)."""
    segments, events = [], {ATTENDED: 0, REGISTERED: 0}
    for key in (part.strip() for part in text.split(",")):
        kind, _, number = key.partition(":")
        if kind in events and number:
            events[kind] = read_int(number, 1, MAX_ID) or 0
        elif key in dict(SEGMENTS):
            segments.append(key)
    return Audience(tuple(segments), events[ATTENDED], events[REGISTERED])


def _store_events(session: Session, actor: Actor, *conditions: object) -> list[Event]:
    stmt = select(Event).where(Event.store_id == actor.store_id, *conditions)
    return list(session.scalars(stmt.order_by(Event.starts_at.desc(), Event.id.desc()).limit(CHOICES_SHOWN)))


def _label(actor: Actor, event: Event) -> str:
    return f"{event.title} ({actor.local(event.starts_at):%d %b %Y})"


def audience_choices(session: Session, actor: Actor, event_id: int = 0) -> dict[str, list[dict[str, str]]]:
    """The form's lists: ``attended`` (past events of the store that took place) and ``registered`` (events of the
    store other than ``event_id``), each starting with "nobody"; newest first."""
    nobody = [{"value": "", "label": "Nobody from an event"}]
    past = _store_events(session, actor, Event.ends_at < utcnow(), Event.cancelled_at.is_(None))
    others = _store_events(session, actor, Event.id != event_id)
    return {
        ATTENDED: nobody + [{"value": str(e.id), "label": _label(actor, e)} for e in past],
        REGISTERED: nobody + [{"value": str(e.id), "label": _label(actor, e)} for e in others],
    }


def _chosen(session: Session, actor: Actor, raw: str) -> Event | None:
    """The event of the actor's store chosen in a list, or None (nothing chosen, or not an event of the store)."""
    number = read_int(raw.strip(), 1, MAX_ID)
    event = session.get(Event, number) if number else None
    return event if event is not None and event.store_id == actor.store_id else None


def clean_audience(
    session: Session, actor: Actor, data: AudienceInput, event_id: int, errors: dict[str, str]
) -> Audience:
    """The audience from the form; a problem goes into ``errors`` beside its list."""
    if any(key not in dict(SEGMENTS) for key in data.segments):
        errors["audience"] = "Choose segments from the list."
    segments = tuple(key for key, _label in SEGMENTS if key in data.segments)
    attended = _chosen(session, actor, data.attended) if data.attended.strip() else None
    if data.attended.strip() and (attended is None or attended.ends_at >= utcnow() or attended.cancelled_at):
        errors["audience_attended"] = "Choose an event of this store that has taken place."
    registered = _chosen(session, actor, data.registered) if data.registered.strip() else None
    if data.registered.strip() and (registered is None or registered.id == event_id):
        errors["audience_registered"] = "Choose another event of this store."
    return Audience(segments, attended.id if attended else 0, registered.id if registered else 0)


def describe(session: Session, actor: Actor, audience: Audience) -> str:
    """The audience in words, for the event page: ``VIP; customers who came to Winter preview (14 Nov 2026)``."""
    labels = dict(SEGMENTS)
    parts = [", ".join(labels[key] for key in audience.segments)] if audience.segments else []
    chosen = (("customers who came to", audience.attended), ("customers who registered for", audience.registered))
    for prefix, event_id in chosen:
        event = session.get(Event, event_id) if event_id else None
        if event is not None and event.store_id == actor.store_id:
            parts.append(f"{prefix} {_label(actor, event)}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] if text else "Nobody"


def _customers_of(session: Session, actor: Actor, event_id: int, *conditions: object) -> set[int]:
    stmt = (
        select(Registration.customer_id)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.event_id == event_id,
            Event.store_id == actor.store_id,
            Registration.customer_id.is_not(None),
            *conditions,
        )
    )
    return set(session.scalars(stmt))


def audience_contacts(session: Session, actor: Actor, audience: Audience) -> list[MarketingContact]:
    """The consenting customers the audience reaches, each once, by customer id."""
    found = {c.customer_id: c for c in marketing_audience(session, actor, audience.segments)}
    chosen: set[int] = set()
    if audience.attended:
        chosen |= _customers_of(session, actor, audience.attended, Registration.checked_in_at.is_not(None))
    if audience.registered:
        chosen |= _customers_of(session, actor, audience.registered, Registration.status != "cancelled")
    found |= {c.customer_id: c for c in marketing_contacts(session, actor, chosen - set(found))}
    return [found[customer_id] for customer_id in sorted(found)]
