"""Home dashboard card of the stock module."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.dashboard import CardValue, DashboardFilters
from modules.stock.models import Piece


def on_hand_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """Pieces in stock at the dashboard's branches, and how many are on their way to them."""
    in_stock = session.execute(
        select(func.count()).where(Piece.store_id.in_(filters.store_ids), Piece.status == "in_stock")
    ).scalar_one()
    incoming = session.execute(
        select(func.count()).where(Piece.transit_to_store_id.in_(filters.store_ids), Piece.status == "in_transit")
    ).scalar_one()
    return CardValue(f"{in_stock:,}", f"{incoming} arriving from other branches", "/stock/pieces")
