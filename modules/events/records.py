"""Finding an event or a registration of the actor's store, tokens, and the public addresses."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.errors import NotFound
from modules.events.models import Event, Registration

VIEW = "events.event.view"
MANAGE = "events.event.manage"
CHECK_IN = "events.checkin"
KINDS = (
    ("trunk_show", "Trunk show"),
    ("bridal_preview", "Bridal preview"),
    ("webinar", "Webinar"),
    ("other", "Other"),
)
KIND_LABELS = dict(KINDS)
STATUS_LABELS = {"confirmed": "Confirmed", "waiting": "Waiting list", "cancelled": "Cancelled"}


def new_token() -> str:
    """A fresh random token for a link (256 bits, 43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def get_event(session: Session, actor: Actor, event_id: int, permission: str = VIEW) -> Event:
    """The event ``event_id`` of the actor's store, or NotFound; checks ``permission`` first."""
    actor.require(permission)
    event = session.get(Event, event_id)
    if event is None or event.store_id != actor.store_id:
        raise NotFound("That event does not exist in this store.")
    return event


def registrations_of(session: Session, event_id: int, status: str) -> list[Registration]:
    """The event's registrations with ``status``, in the order they came (the waiting list's order)."""
    stmt = (
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status == status)
        .order_by(Registration.created_at, Registration.id)
    )
    return list(session.exec(stmt))


def confirmed_count(session: Session, event_id: int) -> int:
    """How many places of the event are taken."""
    return len(registrations_of(session, event_id, "confirmed"))


def public_base(session: Session, store_id: int) -> str:
    """The store's ``events.public_base_url``, without a trailing slash."""
    return str(get_setting(session, store_id, "events.public_base_url")).strip().rstrip("/")


def event_url(session: Session, event: Event, invitation_token: str = "") -> str:
    """The public page of the event; with an invitation's token, the invited customer's own link."""
    url = f"{public_base(session, event.store_id)}/events/e/{event.public_token}"
    return f"{url}?i={invitation_token}" if invitation_token else url


def cancel_url(session: Session, registration: Registration) -> str:
    """The link in the confirmation that cancels this registration."""
    return f"{public_base(session, registration.store_id)}/events/cancel/{registration.cancel_token}"


def check_in_url(session: Session, registration: Registration) -> str:
    """What the ticket's QR encodes: the staff page that checks this registration in."""
    return f"{public_base(session, registration.store_id)}/events/checkin/{registration.ticket_token}"
