"""Contribution ``"stock.tag_price"``: a piece's price at today's billing rate, for its tag.

Priced with :func:`modules.billing.pricing.price`: no discounts, within the state (over the counter),
at the unregistered buyer's rate of the piece's tax class (:func:`modules.billing.line_tax.piece_class`),
the stones at the values stock keeps for them (:func:`modules.stock.pieces.stones_of`) and the store's
``billing.hallmark_charge`` for a piece with a HUID.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.money import ZERO, format_inr
from modules.billing.line_tax import piece_class
from modules.billing.pricing import PriceBreakdown, PriceInput, price
from modules.billing.rates import VIEW, rate_on
from modules.billing.tax_classes import rate_for
from modules.stock.api import Piece, piece_here, stones_of


def hallmark_charge(session: Session, store_id: int, piece: Piece) -> Decimal:
    """The store's hallmark charge for a piece that carries a BIS HUID, else nothing.

    The charge pays for hallmarking, so it applies only to a piece that was hallmarked (has a HUID:
    BIS Hallmarking of Gold Jewellery and Gold Artefacts Order 2020, as amended), never merely because
    its metal is one that is usually hallmarked.
    """
    return Decimal(get_setting(session, store_id, "billing.hallmark_charge")) if piece.huid else ZERO


def piece_price(session: Session, actor: Actor, piece_id: int) -> PriceBreakdown | None:
    """The breakdown of a piece at the actor's store's rate of today, or None when there is no rate."""
    actor.require(VIEW)
    piece = piece_here(session, actor, piece_id)
    today = actor.today()
    rate = rate_on(session, actor.store_id, piece.metal_id, today)
    if rate is None:
        return None
    hallmark = hallmark_charge(session, actor.store_id, piece)
    return price(
        PriceInput(
            rate=rate,
            net_weight=piece.net_weight,
            wastage_pct=piece.wastage_pct,
            making_rule=piece.making_rule,
            making_value=piece.making_value,
            stones_value=stones_of(session, actor, piece.id).value,
            hallmark_charge=hallmark,
            tax_rate=rate_for(piece_class(session, piece, today), registered=False),
        )
    )


def tag_price(session: Session, actor: Actor, piece_id: int) -> str | None:
    """The total as tag text ("₹77,252"), or None when today's rate is missing (or rates cannot be seen)."""
    if not actor.can(VIEW):
        return None
    breakdown = piece_price(session, actor, piece_id)
    return format_inr(breakdown.total) if breakdown is not None else None
