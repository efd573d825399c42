"""Stock ageing and dead stock: how long the pieces held today have been in stock.

- **Days in stock**: today (the branch's date) less the branch-local date the piece was received
  (``Piece.created_at``); a piece moved between branches keeps its first date, for it has been unsold all
  along. The pieces counted are those valuation counts (:data:`modules.stock.valuation.HELD_STATUSES`, not
  the vendor's consignment pieces).
- **Ageing**: per branch, bucket (0–30, 31–90, 91–180, 181–365, over 365 days) and category: pieces, net
  weight and value at the branch's metal rates of today (:func:`modules.stock.valuation.metal_rate`); a metal
  without a rate is counted and weighed but left out of the value, with a note. Grouped in SQL.
- **Dead stock**: each piece older than the threshold (the report's filter, else the store setting
  ``stock.dead_stock_days``, default 365), oldest first.

Both are as of today: the period of the report page does not apply. Permission ``stock.report.view``; with
"every store" each active branch where the user holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal_column, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import system_actor
from jewelerp.columns import Column, Kind
from jewelerp.core.settings import get_setting
from jewelerp.db import PAISA
from jewelerp.reports import (
    Chart,
    ReportFilter,
    ReportKind,
    ReportRequest,
    ReportStore,
    ReportTable,
    as_of_today,
    midnight_utc,
    plural,
    report_stores,
    store_column,
    store_today,
)
from modules.stock.masters import metal_label
from modules.stock.models import Category, Metal, Piece
from modules.stock.valuation import HELD_STATUSES, metal_rate

VIEW = "stock.report.view"
DEAD_STOCK_SETTING = "stock.dead_stock_days"
GRAMS = Decimal("0.001")
ZERO, ZERO_G = Decimal("0.00"), Decimal("0.000")
BUCKETS = ((30, "0–30 days"), (90, "31–90 days"), (180, "91–180 days"), (365, "181–365 days"), (None, "Over 365 days"))


def _categories(session: Session, actor: Actor) -> list[tuple[str, str]]:
    actor.require(VIEW)
    return [(str(c.id), c.name) for c in session.scalars(select(Category).order_by(Category.name))]


CATEGORY = ReportFilter("category", "Category", _categories, all_label="All categories")


def _held(store: ReportStore, category: str) -> list[Any]:
    """The conditions for the pieces a branch holds today (of one category when ``category`` is an id)."""
    where = [Piece.store_id == store.id, Piece.status.in_(HELD_STATUSES), Piece.consignment.is_(False)]
    if category.isdigit():
        where.append(Piece.category_id == int(category))
    return where


def _rates(session: Session, actor: Actor, store: ReportStore, metals: dict[int, Metal]) -> dict[int, Decimal | None]:
    """Today's per-gram rate of each metal at the branch (None without one)."""
    branch_actor = actor if store.id == actor.store_id else system_actor(session, store.id)
    on = store_today(store)
    return {metal_id: metal_rate(session, branch_actor, metal, on).rate for metal_id, metal in metals.items()}


def _value(weight: Decimal, rate: Decimal | None) -> Decimal | None:
    return (weight * rate).quantize(PAISA, ROUND_HALF_UP) if rate is not None else None


# ---------------------------------------------------------------------------- ageing


@dataclass
class AgeingRow:
    """One branch, bucket and category: pieces, net weight, the value of what has a rate, and metals without."""

    store: str
    bucket: str
    category: str
    pieces: int = 0
    net_weight: Decimal = ZERO_G
    value: Decimal = ZERO
    unrated: set[str] | None = None


def _bucket_case(store: ReportStore, today: date) -> Any:
    """The bucket number (0–4) of a piece from when it was received: thresholds at the branch's midnights."""
    whens = [
        (Piece.created_at >= midnight_utc(store.time_zone, today - timedelta(days=days)), literal_column(str(n)))
        for n, (days, _label) in enumerate(BUCKETS)
        if days is not None
    ]
    return case(*whens, else_=literal_column(str(len(BUCKETS) - 1)))


def ageing(session: Session, actor: Actor, every_store: bool = False, category: str = "") -> list[AgeingRow]:
    """The pieces held today per branch, days-in-stock bucket and category (buckets in order, then by name)."""
    stores = report_stores(session, actor, VIEW, every_store)
    metals = {m.id: m for m in session.scalars(select(Metal))}
    names = dict(session.execute(select(Category.id, Category.name)).all())
    rows: list[AgeingRow] = []
    for store in stores:
        rates = _rates(session, actor, store, metals)
        bucket = _bucket_case(store, store_today(store)).label("bucket")
        stmt = (
            select(bucket, Piece.category_id, Piece.metal_id, func.count(), func.sum(Piece.net_weight))
            .where(*_held(store, category))
            .group_by(bucket, Piece.category_id, Piece.metal_id)
        )
        merged: dict[tuple[int, str], AgeingRow] = {}
        for index, category_id, metal_id, pieces, weight in session.execute(stmt):
            name = names[category_id]
            row = merged.setdefault((int(index), name), AgeingRow(store.code, BUCKETS[int(index)][1], name))
            net = Decimal(weight or 0).quantize(GRAMS)
            row.pieces += pieces
            row.net_weight += net
            value = _value(net, rates[metal_id])
            if value is None:
                row.unrated = (row.unrated or set()) | {metal_label(metals[metal_id])}
            else:
                row.value += value
        rows += [merged[key] for key in sorted(merged)]
    return rows


def ageing_table(session: Session, actor: Actor, request: ReportRequest) -> ReportTable:
    """The ageing report as a table, with a chart of the value in each bucket."""
    stores = report_stores(session, actor, VIEW, request.every_store)
    rows = ageing(session, actor, request.every_store, request.choices.get("category", ""))
    unrated = sorted({name for row in rows for name in row.unrated or ()})
    by_bucket = {label: ZERO for _days, label in BUCKETS}
    for row in rows:
        by_bucket[row.bucket] += row.value
    pieces = sum(r.pieces for r in rows)
    weight = sum((r.net_weight for r in rows), ZERO_G)
    value = sum((r.value for r in rows), ZERO)
    return ReportTable(
        title="Stock ageing",
        filename=f"stock-ageing-{actor.today().isoformat()}.xlsx",
        columns=(
            *store_column(stores),
            Column("bucket", "Days in stock"),
            Column("category", "Category"),
            Column("pieces", "Pieces", kind=Kind.INTEGER),
            Column("net_weight", "Net weight (g)", kind=Kind.WEIGHT),
            Column("value", "Value today (₹)", kind=Kind.MONEY),
        ),
        rows=[
            {"store": r.store, "bucket": r.bucket, "category": r.category, "pieces": r.pieces}
            | {"net_weight": r.net_weight, "value": r.value}
            for r in rows
        ],
        footer=[{"bucket": "Total", "pieces": pieces, "net_weight": weight, "value": value}],
        numeric=frozenset({"pieces", "net_weight", "value"}),
        summary=(("Pieces", pieces), ("Net weight (g)", f"{weight:,.3f}"), ("Value today", value)),
        notes=(f"Not valued (no rate today): {', '.join(unrated)}.",) if unrated else (),
        chart_rows=[{"bucket": label, "value": amount} for label, amount in by_bucket.items()],
    )


AGEING = ReportKind(
    ageing_table,
    VIEW,
    default_period=as_of_today,
    filters=(CATEGORY,),
    chart=Chart("bucket", (("value", "Value today (₹)"),)),
    period=False,
)


# ---------------------------------------------------------------------------- dead stock


@dataclass(frozen=True)
class DeadPiece:
    """A piece unsold for longer than the threshold."""

    store: str
    sku: str
    category: str
    metal: str
    net_weight: Decimal
    received: date
    days: int
    value: Decimal | None


def threshold_days(session: Session, actor: Actor, raw: str = "") -> int:
    """The days after which a held piece is dead stock: ``raw`` when given, else the store's setting."""
    return int(raw) if raw.strip().isdigit() else int(get_setting(session, actor.store_id, DEAD_STOCK_SETTING))


def dead_stock(
    session: Session, actor: Actor, days: int, every_store: bool = False, category: str = ""
) -> list[DeadPiece]:
    """Every piece held today that was received more than ``days`` days ago (the branch's dates), oldest first."""
    stores = report_stores(session, actor, VIEW, every_store)
    metals = {m.id: m for m in session.scalars(select(Metal))}
    names = dict(session.execute(select(Category.id, Category.name)).all())
    found: list[DeadPiece] = []
    for store in stores:
        today = store_today(store)
        rates = _rates(session, actor, store, metals)
        before = midnight_utc(store.time_zone, today - timedelta(days=days))
        stmt = select(Piece.sku, Piece.category_id, Piece.metal_id, Piece.net_weight, Piece.created_at).where(
            *_held(store, category), Piece.created_at < before
        )
        zone = ZoneInfo(store.time_zone)
        for sku, category_id, metal_id, net, created in session.execute(stmt):
            received = created.replace(tzinfo=created.tzinfo or UTC).astimezone(zone).date()
            found.append(
                DeadPiece(
                    store.code,
                    sku,
                    names[category_id],
                    metal_label(metals[metal_id]),
                    net,
                    received,
                    (today - received).days,
                    _value(net, rates[metal_id]),
                )
            )
    return sorted(found, key=lambda p: (-p.days, p.store, p.sku))


def dead_stock_table(session: Session, actor: Actor, request: ReportRequest) -> ReportTable:
    """The dead stock report as a table (threshold from the filter, else the store's setting)."""
    stores = report_stores(session, actor, VIEW, request.every_store)
    days = threshold_days(session, actor, request.choices.get("days", ""))
    pieces = dead_stock(session, actor, days, request.every_store, request.choices.get("category", ""))
    weight = sum((p.net_weight for p in pieces), ZERO_G)
    value = sum((p.value for p in pieces if p.value is not None), ZERO)
    return ReportTable(
        title="Dead stock",
        filename=f"dead-stock-{actor.today().isoformat()}.xlsx",
        columns=(
            *store_column(stores),
            Column("sku", "SKU"),
            Column("category", "Category"),
            Column("metal", "Metal"),
            Column("net_weight", "Net weight (g)", kind=Kind.WEIGHT),
            Column("received", "Received", kind=Kind.DATE),
            Column("days", "Days in stock", kind=Kind.INTEGER),
            Column("value", "Value today (₹)", kind=Kind.MONEY),
        ),
        rows=[
            {k: getattr(p, k) for k in ("store", "sku", "category", "metal", "net_weight", "received", "days")}
            | {"value": p.value if p.value is not None else "No rate today"}
            for p in pieces
        ],
        footer=[{"sku": "Total", "net_weight": weight, "value": value}],
        numeric=frozenset({"net_weight", "days", "value"}),
        summary=(("Pieces", len(pieces)), ("Net weight (g)", f"{weight:,.3f}"), ("Value today", value)),
        notes=(f"{plural(len(pieces), 'piece')} unsold for more than {days:,} days.",),
    )


DEAD_STOCK = ReportKind(
    dead_stock_table,
    VIEW,
    default_period=as_of_today,
    filters=(CATEGORY, ReportFilter("days", "Older than (days)", hint="Blank: the store's setting (365 by default).")),
    period=False,
)
