"""Small input helpers shared by the billing pages (invoices, estimates, bookings)."""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.errors import ValidationError

NEW_FIELDS = ("customer_name", "customer_id", "customer_state", "customer_pan")


def store_state_of(session: Session, actor: Actor) -> str:
    """The state of the actor's store (a customer with no state is taken to be in it)."""
    store = session.get(Store, actor.store_id)
    return store.state if store is not None else ""


def customer_number(raw: str) -> int | None:
    """The clienteling customer number typed in the form; empty means a walk-in customer."""
    text = raw.strip().lstrip("#")
    if not text:
        return None
    if not text.isdigit() or int(text) <= 0:
        raise ValidationError({"customer_id": "The customer number is digits only, e.g. 42 (or leave it empty)."})
    return int(text)
