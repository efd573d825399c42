"""Contribution ``"stock.tag_price"``: a piece's price at today's billing rate, for its tag.

Priced with :func:`modules.billing.pricing.price`: no discounts, within the state, the stones
at the values stock keeps for them (:func:`modules.stock.pieces.stones_of`) and the store's
``billing.hallmark_charge`` for a hallmarked metal.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.money import format_inr
from modules.billing.pricing import PriceBreakdown, PriceInput, price
from modules.billing.rates import VIEW, rate_on, store_today
from modules.stock.certificates import piece_here
from modules.stock.masters import get_metal
from modules.stock.pieces import stones_of


def piece_price(session: Session, actor: Actor, piece_id: int) -> PriceBreakdown | None:
    """The breakdown of a piece at the actor's store's rate of today, or None when there is no rate."""
    actor.require(VIEW)
    piece = piece_here(session, actor, piece_id)
    rate = rate_on(session, actor.store_id, piece.metal_id, store_today(actor))
    if rate is None:
        return None
    metal = get_metal(session, piece.metal_id)
    hallmark = Decimal(get_setting(session, actor.store_id, "billing.hallmark_charge")) if metal.hallmarked else 0
    return price(
        PriceInput(
            rate=rate,
            net_weight=piece.net_weight,
            wastage_pct=piece.wastage_pct,
            making_rule=piece.making_rule,
            making_value=piece.making_value,
            stones_value=stones_of(session, actor, piece.id).value,
            hallmark_charge=Decimal(hallmark),
        )
    )


def tag_price(session: Session, actor: Actor, piece_id: int) -> str | None:
    """The total as tag text ("₹77,252"), or None when today's rate is missing (or rates cannot be seen)."""
    if not actor.can(VIEW):
        return None
    breakdown = piece_price(session, actor, piece_id)
    return format_inr(breakdown.total) if breakdown is not None else None
