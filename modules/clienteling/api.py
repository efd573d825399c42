"""What other modules may use of clienteling: customer lookups, how contact details are shown, the list spec,
customers found by a proved contact address, consent to one channel and the history of consent changes, wishes
and occasions, service cases as the customer sees them, the segments and the customers a marketing message may
reach (by segment, or chosen by id).

Functions that take ``(session, actor)`` check the actor's permission like the page that does the same;
``PII`` names the permission to see full contact details (others see them masked). The case functions
(``open_customer_case``, ``customer_cases``, ``add_customer_reply``; ``CASE_KINDS`` to choose from,
``case_channel`` to follow a case live) take no actor: they are scoped to the customer id the caller passes,
which a portal must take from its signed-in customer, never from the browser.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from modules.clienteling.case_portal import (
    PublicCase,
    PublicNote,
    add_customer_reply,
    customer_cases,
    open_customer_case,
)
from modules.clienteling.cases import KINDS as CASE_KINDS
from modules.clienteling.cases import case_channel
from modules.clienteling.consent_history import ConsentChange, consent_history
from modules.clienteling.contacts import customers_with_contact, remove_wish, set_consent
from modules.clienteling.family import add_occasion, occasion_rows
from modules.clienteling.models import Customer
from modules.clienteling.parsing import parse_phone
from modules.clienteling.segments import SEGMENTS
from modules.clienteling.services import (
    CHANNELS,
    PII,
    CustomerInput,
    contact_view,
    create_customer,
    get_customer,
    mask_email,
    mask_phone,
    searched_phone,
    shown_phone,
)
from modules.clienteling.tables import CUSTOMERS
from modules.clienteling.wishlist import add_wish, wish_rows

__all__ = [
    "CASE_KINDS",
    "CHANNELS",
    "CUSTOMERS",
    "PII",
    "SEGMENTS",
    "ConsentChange",
    "CustomerInput",
    "MarketingContact",
    "PublicCase",
    "PublicNote",
    "add_customer_reply",
    "add_occasion",
    "add_wish",
    "case_channel",
    "consent_history",
    "contact_view",
    "create_customer",
    "customer_cases",
    "customers_with_contact",
    "get_customer",
    "marketing_audience",
    "marketing_contacts",
    "mask_email",
    "mask_phone",
    "occasion_rows",
    "open_customer_case",
    "parse_phone",
    "remove_wish",
    "searched_phone",
    "set_consent",
    "shown_phone",
    "wish_rows",
]


@dataclass(frozen=True)
class MarketingContact:
    """A customer who agreed to be contacted, with the (channel, recipient) pairs they agreed to: e-mail, and
    WhatsApp or else SMS on their phone."""

    customer_id: int
    name: str
    channels: tuple[tuple[str, str], ...]


def _consented_channels(customer: Customer) -> tuple[tuple[str, str], ...]:
    channels = []
    if customer.consent_email and customer.email:
        channels.append(("email", customer.email))
    if customer.phone and customer.consent_whatsapp:
        channels.append(("whatsapp", customer.phone))
    elif customer.phone and customer.consent_sms:
        channels.append(("sms", customer.phone))
    return tuple(channels)


def marketing_audience(session: Session, actor: Actor, segments: Collection[str]) -> list[MarketingContact]:
    """Customers of the actor's store in any of ``segments`` (keys of :data:`SEGMENTS`) who consented to at least
    one channel, by id; merged-away profiles are left out."""
    actor.require("clienteling.customer.view")
    wanted = [key for key, _label in SEGMENTS if key in set(segments)]
    return _consenting(session, actor, Customer.segment.in_(wanted)) if wanted else []


def marketing_contacts(session: Session, actor: Actor, customer_ids: Collection[int]) -> list[MarketingContact]:
    """Those of ``customer_ids`` who are customers of the actor's store and consented to at least one channel, by
    id; another store's customers and merged-away profiles are left out."""
    actor.require("clienteling.customer.view")
    wanted = sorted({int(customer_id) for customer_id in customer_ids})
    return _consenting(session, actor, Customer.id.in_(wanted)) if wanted else []


def _consenting(session: Session, actor: Actor, which: ColumnElement[bool]) -> list[MarketingContact]:
    """The store's live customers matching ``which`` who consented to a channel, with those channels, by id."""
    stmt = (
        select(Customer)
        .where(
            Customer.store_id == actor.store_id,
            Customer.merged_into_id.is_(None),
            which,
            or_(Customer.consent_email, Customer.consent_sms, Customer.consent_whatsapp),
        )
        .order_by(Customer.id)
    )
    contacts = (MarketingContact(c.id, c.name, _consented_channels(c)) for c in session.scalars(stmt))
    return [contact for contact in contacts if contact.channels]
