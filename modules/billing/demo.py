"""Demo metal rates: the last 14 days for every metal in the store.

Today's rates are stock's demo figures (the author's 2026 estimates, per gram before GST:
gold 24K ₹13,100, 22K ₹12,000, 18K ₹9,825, 14K ₹7,665; silver 999 ₹165, 925 ₹153; platinum
950 ₹4,400); earlier days drift from them by at most ±1.5% a day, seeded per store, so the
same figures come back on every run. A store that already has billing rates is left alone.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from modules.billing.models import BillingMetalRate
from modules.billing.rates import store_today, write_rate
from modules.stock.masters import ensure_default_masters, list_metals

DAYS = 14
RATES_2026: dict[tuple[str, int], Decimal] = {
    ("gold", 999): Decimal("13100.00"),
    ("gold", 916): Decimal("12000.00"),
    ("gold", 750): Decimal("9825.00"),
    ("gold", 585): Decimal("7665.00"),
    ("silver", 999): Decimal("165.00"),
    ("silver", 925): Decimal("153.00"),
    ("platinum", 950): Decimal("4400.00"),
}


def load(session: Session, actor: Actor) -> None:
    """Add 14 days of rates for every known metal in the actor's store (idempotent)."""
    have = session.execute(
        select(func.count()).select_from(BillingMetalRate).where(BillingMetalRate.store_id == actor.store_id)
    ).scalar_one()
    if have:
        return
    ensure_default_masters(session)
    rng = random.Random(f"billing-rates-{actor.store_code}")
    today = store_today(actor)
    for metal in list_metals(session, actor, active_only=True):
        base = RATES_2026.get((metal.metal, metal.fineness))
        if base is None:
            continue
        rate = base
        for back in range(DAYS):
            write_rate(session, actor, metal.id, today - timedelta(days=back), rate)
            drift = Decimal(str(rng.uniform(-0.015, 0.015)))
            rate = (rate * (1 + drift)).quantize(Decimal("0.01"), ROUND_HALF_UP)
