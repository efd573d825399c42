"""Finding a store's customers by a contact address someone has proved (a confirmed e-mail or phone), and
changing a customer's consent to one channel (each change stamped with its time and kept in the audit log)."""

from __future__ import annotations

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import NotFound, ValidationError
from modules.clienteling.models import Customer, Wish
from modules.clienteling.services import CHANNELS, get_customer


def customers_with_contact(session: Session, actor: Actor, *, email: str = "", phone: str = "") -> list[int]:
    """Ids of the actor's store's customers (not merged away) whose e-mail is ``email`` or whose phone (either
    number) is ``phone`` (E.164), oldest first. Exact matches only: pass an address the person has proved."""
    actor.require("clienteling.customer.view")
    email, phone = email.strip().lower(), phone.strip()
    if bool(email) == bool(phone):
        raise ValueError("give exactly one of email or phone")
    match = Customer.email == email if email else (Customer.phone == phone) | (Customer.alt_phone == phone)
    stmt = select(Customer.id).where(Customer.store_id == actor.store_id, Customer.merged_into_id.is_(None), match)
    return list(session.exec(stmt.order_by(Customer.id)))


def set_consent(session: Session, actor: Actor, customer_id: int, channel: str, wanted: bool) -> bool:
    """Give or withdraw the customer's consent to ``channel`` (email, sms, whatsapp); the time of a change is kept
    on the profile and the change in the audit log. Returns whether anything changed."""
    actor.require("clienteling.customer.edit")
    if channel not in CHANNELS:
        raise ValidationError({f"consent_{channel}": "Choose e-mail, SMS or WhatsApp."})
    customer = get_customer(session, actor, customer_id)
    if getattr(customer, f"consent_{channel}") == wanted and getattr(customer, f"consent_{channel}_at") is not None:
        return False
    setattr(customer, f"consent_{channel}", wanted)
    setattr(customer, f"consent_{channel}_at", utcnow())
    session.add(customer)
    session.flush()
    return True


def remove_wish(session: Session, actor: Actor, customer_id: int, wish_id: int) -> None:
    """Take a wish off the customer's wishlist; ``NotFound`` when it is not on that customer's list."""
    actor.require("clienteling.customer.edit")
    customer = get_customer(session, actor, customer_id)
    wish = session.get(Wish, wish_id)
    if wish is None or wish.customer_id != customer.id:
        raise NotFound("That wish is not on this wishlist.")
    session.delete(wish)
    session.flush()
