"""The signed-in customer's events, through events' api: the store's upcoming events, their own registrations,
registering with the account's proved details, and cancelling. ``customer`` comes from the portal session, never
from the page; an event of another store or another customer's registration raises ``NotYours`` ("not found"),
which the page logs.
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.core.module_states import enabled_modules
from jewelerp.errors import JewelError, NotFound
from modules.events.api import (
    Registered,
    RegistrationInput,
    cancel_customer_registration,
    customer_registrations,
    register_customer,
    upcoming_events,
)
from modules.portal.api import Customer, NotYours, primary_customer, record_number

MODULE = "portal_events"


def _require_on(session: Session, customer: Customer) -> None:
    """Refuse when the customer's store does not offer events on the portal (events or this bridge off)."""
    if MODULE not in enabled_modules(session, customer.store_id):
        raise JewelError("Your store does not offer its events here.")


def overview(session: Session, customer: Customer) -> dict[str, list[dict[str, str]]]:
    """``events``: the store's upcoming events open for registration (``registered`` when the customer holds a
    place or a place in the queue); ``registrations``: the customer's own, with status, waiting position and
    check-in."""
    _require_on(session, customer)
    mine = customer_registrations(session, customer.customer_ids)
    held = {r.event_id for r in mine if r.status_key != "cancelled"}
    events = [
        {
            "id": str(e.id),
            "kind": e.kind,
            "title": e.title,
            "when": e.when,
            "where": e.where,
            "registered": "yes" if e.id in held else "",
        }
        for e in upcoming_events(session, customer.store_id)
    ]
    registrations = [
        {
            "id": str(r.id),
            "title": r.event_title,
            "when": r.when,
            "where": r.where,
            "status": r.status,
            "position": str(r.position) if r.position else "",
            "checked_in": "yes" if r.checked_in else "",
            "can_cancel": "yes" if r.can_cancel else "",
        }
        for r in mine
    ]
    return {"events": events, "registrations": registrations}


def register(session: Session, customer: Customer, event_id: object, client_ip: str) -> Registered:
    """Register the customer for an upcoming event of their store with their account's name, e-mail and (once
    confirmed) phone; a second click finds the registration already made."""
    _require_on(session, customer)
    number, customer_id = record_number(event_id), primary_customer(customer)
    phone = customer.phone if customer.phone_confirmed else ""  # an unconfirmed phone could be someone else's
    data = RegistrationInput(customer.name, customer.email, phone)
    try:
        return register_customer(session, customer.store_id, number, customer_id, data, client_ip)
    except NotFound:
        raise NotYours("event", event_id) from None


def cancel(session: Session, customer: Customer, registration_id: object) -> bool:
    """Cancel one of the customer's registrations; False when it was cancelled already."""
    _require_on(session, customer)
    number = record_number(registration_id)
    try:
        return cancel_customer_registration(session, number, customer.customer_ids)
    except NotFound:
        raise NotYours("event registration", registration_id) from None
