"""Daily metal rates: one per store, metal (at its purity) and day, entered on the rates page or imported.

A sale uses the rate of its own date (:func:`rate_on` looks up that exact day, never an
earlier one); :func:`require_rate` stops a sale when the day has no rate. Entering a rate
for a day that has one replaces it; the audit log keeps the old value. Rates cannot be
entered for a day after the store's today.

Contribution ``"stock.metal_rate"``: :func:`stock_metal_rate` gives stock valuation the
billing rate of the day (or None, and stock falls back to its own rates).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, require_fields
from jewelerp.money import format_inr
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from jewelerp.validation import PAISA, read_amount
from modules.billing.models import BillingMetalRate
from modules.stock.api import get_metal, list_metals, metal_label

if TYPE_CHECKING:
    from modules.stock.api import Metal

VIEW = "billing.rate.view"
MANAGE = "billing.rate.manage"
HISTORY_DAYS = 30
RATE_HINT = "Enter rupees per gram, more than 0 with at most 2 decimals, e.g. 12000 or 12000.50."


def metal_name(metal: Metal) -> str:  # a stock.masters record
    """'gold 22K', 'silver 925': how the missing-rate message names a metal."""
    return f"{metal.metal.lower()} {metal.purity}"


def parse_rate(raw: str | Decimal) -> Decimal | None:
    """A per-gram rate from text ("12,000.50", "₹12000"): more than 0 and at most
    :data:`~jewelerp.validation.MAX_AMOUNT`, at most 2 decimals; None when not."""
    return read_amount(str(raw).strip().removesuffix("/g"), low=PAISA)


def _find(session: Session, store_id: int, metal_id: int, on: date) -> BillingMetalRate | None:
    return session.scalars(
        select(BillingMetalRate).where(
            BillingMetalRate.store_id == store_id, BillingMetalRate.metal_id == metal_id, BillingMetalRate.on == on
        )
    ).first()


def write_rate(session: Session, actor: Actor, metal_id: int, on: date, rate: Decimal) -> BillingMetalRate:
    """Save an already checked rate for the actor's store (a correction replaces the day's rate)."""
    row = _find(session, actor.store_id, metal_id, on)
    if row is None:
        label = metal_label(get_metal(session, metal_id))
        row = BillingMetalRate(store_id=actor.store_id, metal_id=metal_id, metal_label=label, on=on, rate=rate)
    elif row.rate == rate:
        return row
    row.rate, row.entered_by, row.entered_at = rate, actor.user_name, utcnow()
    session.add(row)
    session.flush()
    return row


def set_rate(
    session: Session, actor: Actor, metal_id: int | str, rate: str | Decimal, on: date | None = None
) -> BillingMetalRate:
    """Enter (or correct) the per-gram rate of a metal in the actor's store for a day (default: today).

    Bad input raises ValidationError keyed ``metal_id``, ``rate`` or ``on`` and saves nothing.
    """
    actor.require(MANAGE)
    errors: dict[str, str] = {}
    raw_metal = str(metal_id).strip()
    metal = get_metal(session, int(raw_metal)) if raw_metal.isdigit() else None
    if metal is None:
        errors["metal_id"] = "Choose the metal and purity."
    value = parse_rate(rate)
    if value is None:
        errors["rate"] = RATE_HINT
    today = actor.today()
    on = on or today
    if on > today:
        errors["on"] = f"Rates cannot be entered for a day after today ({today:%d %b %Y})."
    require_fields(errors)
    return write_rate(session, actor, metal.id, on, value)


def rate_on(session: Session, store_id: int, metal_id: int, on: date) -> Decimal | None:
    """The store's rate of the metal on exactly that day (a sale uses the rate of its date), or None."""
    row = _find(session, store_id, metal_id, on)
    return row.rate if row is not None else None


def require_rate(session: Session, actor: Actor, metal_id: int, on: date | None = None) -> Decimal:
    """The rate of the day in the actor's store; raises JewelError naming the metal, day and store when missing."""
    on = on or actor.today()
    rate = rate_on(session, actor.store_id, metal_id, on)
    if rate is not None:
        return rate
    metal = get_metal(session, metal_id)
    what = metal_name(metal) if metal is not None else f"metal #{metal_id}"
    raise JewelError(f"No {what} rate entered for {on:%d %b %Y} in {actor.store_code}; enter today's rates first.")


def todays_rates(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every active metal with the store's rate of today (None when not entered yet), gold 24K first."""
    actor.require(VIEW)
    today = actor.today()
    rows = {
        r.metal_id: r
        for r in session.scalars(
            select(BillingMetalRate).where(BillingMetalRate.store_id == actor.store_id, BillingMetalRate.on == today)
        )
    }
    result = []
    for metal in list_metals(session, actor, active_only=True):
        row = rows.get(metal.id)
        result.append(
            {
                "metal_id": metal.id,
                "metal": metal_label(metal),
                "rate": row.rate if row else None,
                "entered_by": row.entered_by if row else "",
                "entered_at": actor.local(row.entered_at) if row else None,
            }
        )
    return result


def stock_metal_rate(session: Session, actor: Actor, metal_id: int, on: date) -> Decimal | None:
    """Contribution ``"stock.metal_rate"``: billing's rate of the day in the actor's store, or None."""
    if not actor.can(VIEW):
        return None
    return rate_on(session, actor.store_id, metal_id, on)


# ---------------------------------------------------------------------------- history


def _history_base(actor: Actor, q: TableQuery) -> Select:
    since = actor.today() - timedelta(days=HISTORY_DAYS - 1)
    stmt = select(BillingMetalRate).where(BillingMetalRate.store_id == actor.store_id, BillingMetalRate.on >= since)
    if str(q.filters.get("metal", "")).isdigit():
        stmt = stmt.where(BillingMetalRate.metal_id == int(q.filters["metal"]))
    return stmt


def _history_row(r: Any, actor: Actor) -> dict[str, Any]:
    (rate,) = r
    return {
        "on": rate.on,
        "metal": rate.metal_label,
        "rate": rate.rate,
        "entered_by": rate.entered_by or "—",
        "entered_at": actor.local(rate.entered_at),
    }


def per_gram(rate: Decimal) -> str:
    """``₹6,500.00/g``: a rate per gram as the pages show it."""
    return f"{format_inr(rate, paise=True)}/g"


def _metal_filter(session: Session, actor: Actor) -> list[tuple[str, str]]:
    return [(str(m.id), metal_label(m)) for m in list_metals(session, actor)]


RATE_HISTORY = TableSpec(
    name="billing-rate-history",
    title="Metal rates, last 30 days",
    permission=VIEW,
    columns=(
        Column("on", "Date", kind=Kind.DATE),
        Column("metal", "Metal", sortable=False),
        Column("rate", "Rate", sortable=False, kind=Kind.MONEY, shown=per_gram),
        Column("entered_by", "Entered by", sortable=False),
        Column("entered_at", "Entered at", sortable=False, kind=Kind.DATETIME),
    ),
    base=_history_base,
    row=_history_row,
    sort_columns={"on": BillingMetalRate.on},
    default_sort="on",
    newest_first=True,
    filters=(Filter("metal", "Metals", (), options_loader=_metal_filter),),
)
