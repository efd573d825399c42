"""Lookups other modules reach through the registry (never by importing stock's tables)."""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from modules.stock.models import Category, Metal
from modules.stock.pieces import piece_by_sku


def describe_piece(session: Session, actor: Actor, sku: str) -> str:
    """'MUM-000123: Ring, gold 22K, 5.120 g' for a wishlist line; NotFound for an unknown SKU."""
    piece = piece_by_sku(session, actor, sku)
    category = session.get(Category, piece.category_id)
    metal = session.get(Metal, piece.metal_id)
    return f"{piece.sku}: {category.name}, {metal.metal} {metal.purity}, {piece.net_weight} g"
