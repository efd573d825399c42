"""The customer of an invoice, an estimate or a booking: clienteling's customer, read through its service.

A customer number must name a customer (:func:`modules.clienteling.services.get_customer`, which
checks that the actor may see customers); the documents of a merged customer go to the customer
they were merged into. A blank name is taken from the customer. Clienteling keeps neither a state
nor a PAN for its customers, so those stay as typed (a blank state is the store's). No number is a
walk-in sale.
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound, ValidationError
from modules.clienteling.api import get_customer


def billed_customer(session: Session, actor: Actor, customer_id: int | None, name: str) -> tuple[int | None, str]:
    """The customer number and name to put on a document: ``(None, name)`` for a walk-in.

    Raises ValidationError keyed ``customer_id`` when no customer has that number.
    """
    text = " ".join(name.split())
    if customer_id is None:
        return None, text
    try:
        customer = get_customer(session, actor, customer_id)
    except NotFound:
        raise ValidationError({"customer_id": f"No customer has number {customer_id}."}) from None
    return customer.id, text or customer.name
