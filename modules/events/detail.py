"""The event page's data: the event as staff see it (its audience in words, whether it may still be changed, why
it was cancelled), its registrations, waiting list and check-ins, and linking a registration to a customer by
hand."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound
from modules.clienteling.api import PII, get_customer, mask_email, mask_phone, shown_phone
from modules.events.audience import describe, parse_audience
from modules.events.messages import when_text
from modules.events.models import Invitation, Registration
from modules.events.records import KIND_LABELS, MANAGE, STATUS_LABELS, event_url, get_event


def _contact(actor: Actor, registration: Registration) -> tuple[str, str]:
    if actor.can(PII):
        return registration.email, shown_phone(actor, registration.phone) if registration.phone else ""
    return mask_email(registration.email), mask_phone(registration.phone) if registration.phone else ""


def _registration_row(actor: Actor, registration: Registration, position: int) -> dict[str, str]:
    email, phone = _contact(actor, registration)
    return {
        "id": str(registration.id),
        "position": str(position),
        "name": registration.name,
        "email": email,
        "phone": phone,
        "status": STATUS_LABELS[registration.status],
        "customer": f"#{registration.customer_id}" if registration.customer_id else "",
        "customer_link": f"/clienteling/customers/{registration.customer_id}" if registration.customer_id else "",
        "registered": f"{actor.local(registration.created_at):%d %b %H:%M}",
        "checked_in": f"{actor.local(registration.checked_in_at):%H:%M}" if registration.checked_in_at else "",
    }


def event_view(session: Session, actor: Actor, event_id: int) -> dict[str, Any]:
    """What the event page shows: its facts, and its registrations by status in the order they came."""
    event = get_event(session, actor, event_id)
    stmt = (
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.created_at, Registration.id)
    )
    groups: dict[str, list[dict[str, str]]] = {"confirmed": [], "waiting": [], "cancelled": []}
    for registration in session.scalars(stmt):
        group = groups[registration.status]
        group.append(_registration_row(actor, registration, len(group) + 1))
    invited = len(session.scalars(select(Invitation.id).where(Invitation.event_id == event.id)).all())
    changeable = event.cancelled_at is None and event.starts_at > utcnow()
    called_off = ""
    if event.cancelled_at is not None:
        called_off = f"{actor.local(event.cancelled_at):%d %b %Y %H:%M}: {event.cancel_reason}"
    return {
        "id": event.id,
        "title": event.title,
        "kind": KIND_LABELS.get(event.kind, event.kind),
        "when": when_text(event, actor.time_zone),
        "place": event.place,
        "meeting_link": event.meeting_link,
        "description": event.description,
        "capacity": str(event.capacity),
        "audience": describe(session, actor, parse_audience(event.audience)),
        "registration_open": event.registration_open,
        "changeable": changeable,
        "called_off": called_off,
        "public_url": event_url(session, event),
        "invited": str(invited),
        "confirmed": groups["confirmed"],
        "waiting": groups["waiting"],
        "cancelled": groups["cancelled"],
        "checked_in": str(sum(1 for row in groups["confirmed"] if row["checked_in"])),
    }


def link_customer(session: Session, actor: Actor, registration_id: int, customer_id: int) -> Registration:
    """Link a registration of an event of the actor's store to the customer it is (staff checked who it is)."""
    actor.require(MANAGE)
    registration = session.get(Registration, registration_id)
    if registration is None or registration.store_id != actor.store_id:
        raise NotFound("That registration does not exist in this store.")
    try:
        customer = get_customer(session, actor, customer_id)
    except NotFound:
        raise JewelError(f"There is no customer #{customer_id}.") from None
    registration.customer_id = customer.id
    session.add(registration)
    session.flush()
    return registration
