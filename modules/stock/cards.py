"""Home dashboard cards of the stock module: pieces in stock, stock value by metal, low stock."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import system_actor
from jewelerp.core.models import Store
from jewelerp.dashboard import CardRow, CardValue, Chart, ChartPoint, DashboardFilters
from jewelerp.money import ZERO, format_inr
from modules.stock.models import Metal, Piece
from modules.stock.reorder import low_stock_rows
from modules.stock.valuation import _branch_lines

LISTED = 5


def on_hand_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """Pieces in stock at the dashboard's branches, and how many are on their way to them."""
    in_stock = session.execute(
        select(func.count()).where(Piece.store_id.in_(filters.store_ids), Piece.status == "in_stock")
    ).scalar_one()
    incoming = session.execute(
        select(func.count()).where(Piece.transit_to_store_id.in_(filters.store_ids), Piece.status == "in_transit")
    ).scalar_one()
    return CardValue(f"{in_stock:,}", f"{incoming} arriving from other branches", "/stock/pieces")


def value_by_metal_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """The stock of the dashboard's branches valued at each branch's rates of today, per metal and purity
    (as on the valuation page); a metal without a rate today is named, never valued at zero."""
    metals = {m.id: m for m in session.scalars(select(Metal))}
    values: dict[str, Decimal] = {}
    missing: list[str] = []
    for store in session.scalars(select(Store).where(Store.id.in_(filters.store_ids)).order_by(Store.code)):
        for line in _branch_lines(session, system_actor(session, store.id), store, metals):
            if line.value is None:
                missing.append(f"{line.metal} at {line.branch}")
            else:
                values[line.metal] = values.get(line.metal, ZERO) + line.value
    total = sum(values.values(), ZERO)
    points = tuple(ChartPoint(metal, value) for metal, value in values.items())
    rows = tuple(CardRow(metal, format_inr(value)) for metal, value in values.items())
    caption = f"no rate today: {', '.join(missing)}" if missing else "at today's rates"
    chart = Chart("bar", points, "Value ₹") if points else None
    return CardValue(format_inr(total), caption, "/stock/valuation", chart, rows)


def low_stock_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """Reorder rules of the dashboard's branches with fewer pieces in stock than they keep, shortest first."""
    short = []
    for store in session.scalars(select(Store).where(Store.id.in_(filters.store_ids)).order_by(Store.code)):
        for rule in low_stock_rows(session, system_actor(session, store.id)):
            if rule["shortfall"]:
                short.append((int(rule["shortfall"].replace(",", "")), store.code, rule))
    short.sort(key=lambda item: -item[0])
    rows = tuple(
        CardRow(f"{code} · {rule['category']} ({rule['design']})", f"{rule['on_hand']} of {rule['min_qty']}")
        for _gap, code, rule in short[:LISTED]
    )
    caption = "categories below their minimum" if short else "every reorder rule is met"
    return CardValue(str(len(short)), caption, "/stock/low-stock", rows=rows)
