"""Home dashboard card of the stock module."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.dashboard import CardValue
from modules.stock.models import Piece


def on_hand_card(session: Session, actor: Actor) -> CardValue:
    """Pieces in stock at this branch, and how many are on their way here."""
    here = Piece.store_id == actor.store_id
    in_stock = session.execute(select(func.count()).where(here, Piece.status == "in_stock")).scalar_one()
    incoming = session.execute(
        select(func.count()).where(Piece.transit_to_store_id == actor.store_id, Piece.status == "in_transit")
    ).scalar_one()
    return CardValue(f"{in_stock:,}", f"{incoming} arriving from other branches", "/stock/pieces")
