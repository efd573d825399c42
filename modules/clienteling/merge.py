"""Merging two profiles of the same person: all history moves to the one kept."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError, ValidationError
from jewelerp.events import emit
from jewelerp.validation import too_long
from modules.clienteling.models import (
    Customer,
    FollowUp,
    Interaction,
    Occasion,
    Purchase,
    Relative,
    ServiceCase,
    Wish,
)
from modules.clienteling.segments import refresh_customer
from modules.clienteling.services import get_customer

HISTORY = (Relative, Occasion, FollowUp, Interaction, Wish, Purchase, ServiceCase)
FILLABLE = (
    "phone",
    "alt_phone",
    "email",
    "address",
    "gender",
    "date_of_birth",
    "birth_month",
    "birth_day",
    "anniversary",
    "anniversary_month",
    "anniversary_day",
    "photo",
    "assigned_user_id",
    "pref_metals",
    "pref_stones",
    "pref_styles",
    "price_min",
    "price_max",
    "ring_size_in",
    "bangle_size",
    "chain_length_in",
    "necklace_length_in",
)


def merge_customers(session: Session, actor: Actor, keep_id: int, merge_id: int) -> Customer:
    """Move every record of ``merge_id`` to ``keep_id``, fill the kept profile's gaps, and retire the other.

    Each moved row is an audited edit; the retired profile stays, pointing at the kept one.
    """
    actor.require("clienteling.customer.merge")
    if keep_id == merge_id:
        raise JewelError("Choose two different customers to merge.")
    keep, other = get_customer(session, actor, keep_id), get_customer(session, actor, merge_id)
    if keep.id == other.id:
        raise JewelError("These two profiles were already merged.")
    tags = ", ".join(dict.fromkeys(t for t in f"{keep.tags}, {other.tags}".split(", ") if t))
    if message := too_long(Customer, "tags", tags, "Their tags together"):
        raise ValidationError({"tags": f"{message} Remove some tags from either profile, then merge."})
    for model in HISTORY:
        for row in session.scalars(select(model).where(model.customer_id == other.id)):
            row.customer_id = keep.id
            session.add(row)
    for key in FILLABLE:
        if getattr(keep, key) in (None, "") and getattr(other, key) not in (None, ""):
            setattr(keep, key, getattr(other, key))
    keep.tags = tags
    if other.notes:
        keep.notes = f"{keep.notes}\n{other.notes}".strip()
    other.merged_into_id = keep.id
    session.add(other)
    session.flush()
    refresh_customer(session, keep)
    emit(session, actor, "clienteling.customer", "merged", {"kept": keep.id, "merged": other.id})
    return keep
