"""What a customer would like: words, or a stock item when a stock module is enabled."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound, require_fields
from jewelerp.registry import get_registry
from modules.clienteling.models import Wish
from modules.clienteling.services import get_customer

STOCK_LOOKUP = "clienteling.stock_lookup"


class StockLookup(Protocol):
    """A ``"clienteling.stock_lookup"`` contribution: describes the stock item ``ref`` (raises NotFound)."""

    def __call__(self, session: Session, actor: Actor, ref: str) -> str: ...


def _describe_stock_item(session: Session, actor: Actor, ref: str) -> str:
    for lookup in get_registry().contributions(STOCK_LOOKUP, actor):
        return lookup(session, actor, ref)
    raise NotFound("No stock module is enabled in this store to look up item references; describe it in words.")


def add_wish(session: Session, actor: Actor, customer_id: int, text: str, stock_ref: str = "") -> Wish:
    """Add to the wishlist; a stock reference is checked with the enabled stock module."""
    actor.require("clienteling.customer.edit")
    customer = get_customer(session, actor, customer_id)
    text, stock_ref = " ".join(text.split()), stock_ref.strip().upper()
    if stock_ref:  # always checked, so a typo never lands on the wishlist
        described = _describe_stock_item(session, actor, stock_ref)
        text = text or described
    require_fields({} if text else {"wish_text": "Describe what the customer would like."})
    wish = Wish(customer_id=customer.id, text=text[:300], stock_ref=stock_ref, added_by=actor.user_id)
    session.add(wish)
    session.flush()
    return wish


def wish_rows(session: Session, actor: Actor, customer_id: int) -> list[dict[str, str]]:
    """The wishlist, newest first."""
    customer = get_customer(session, actor, customer_id)
    wishes = session.scalars(select(Wish).where(Wish.customer_id == customer.id).order_by(Wish.added_at.desc()))
    return [
        {"id": str(w.id), "text": w.text, "ref": w.stock_ref, "added": actor.local(w.added_at).strftime("%d %b %Y")}
        for w in wishes
    ]
