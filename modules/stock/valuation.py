"""Stock valuation per branch at today's metal rates, and the stock's own rate list.

Today's rate of a metal (per gram, at its purity) in a store comes from the first module
enabled in that store that contributes ``"stock.metal_rate"`` and has a rate for the day
(billing keeps the daily rate it sells at), and otherwise from the latest rate entered in
stock (``stock_metal_rate``) on or before today. A metal with no rate is reported as such:
its pieces are counted and weighed, but never valued at zero.

Extension point (contributions key ``"stock.metal_rate"``):
``fn(session, actor, metal_id, on: date) -> Decimal | None``, the per-gram rate of the
metal in ``actor``'s store on that day, or None when it has none.

Valued pieces are the branch's own stock: in stock, reserved, on memo, in repair or in
transit to another branch (valued at the sending branch until received); sold, melted,
returned and written-off pieces and consignment pieces (the vendor's) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import system_actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import Store
from jewelerp.core.module_states import enabled_stores
from jewelerp.db import PAISA
from jewelerp.errors import require_fields
from jewelerp.money import format_inr
from jewelerp.registry import get_registry
from jewelerp.ui.table_query import new_export
from jewelerp.validation import parse_amount_field
from jewelerp.xlsx_export import write_table
from modules.stock.masters import metal_label
from modules.stock.models import Metal, MetalRate, Piece

METAL_RATE_HOOK = "stock.metal_rate"
HELD_STATUSES = ("in_stock", "reserved", "on_memo", "in_repair", "in_transit")
STOCK_SOURCE = "Stock"
EXPORT_COLUMNS = (
    Column("branch", "Branch"),
    Column("metal", "Metal"),
    Column("pieces", "Pieces", kind=Kind.INTEGER),
    Column("net_weight", "Net weight (g)", kind=Kind.WEIGHT),
    Column("rate", "Rate (₹/g)", kind=Kind.MONEY),
    Column("source", "Rate from"),
    Column("value", "Value (₹)", kind=Kind.MONEY),
)


@dataclass(frozen=True)
class Rate:
    """Today's rate of one metal in one store: the rate (None when there is none) and where it came from."""

    metal_id: int
    metal: str
    rate: Decimal | None
    source: str = ""
    stock_rate: Decimal | None = None
    stock_rate_on: date | None = None


@dataclass(frozen=True)
class Line:
    """One branch and metal: how many pieces, their net weight, the rate and the value (None without a rate)."""

    store_id: int
    branch: str
    metal_id: int
    metal: str
    pieces: int
    net_weight: Decimal
    rate: Decimal | None
    source: str
    value: Decimal | None

    @property
    def missing(self) -> str:
        """The "no rate" marker shown instead of a value, or "" when valued."""
        return "" if self.value is not None else f"No rate for {self.metal} today"


@dataclass(frozen=True)
class Branch:
    """A branch's totals: pieces, the value of what has a rate, and the metals without one."""

    store_id: int
    branch: str
    pieces: int
    value: Decimal
    missing: tuple[str, ...]


@dataclass
class Valuation:
    """Lines per branch and metal, each branch's totals and the grand total."""

    lines: list[Line] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)

    @property
    def pieces(self) -> int:
        """Pieces valued or counted across every branch."""
        return sum(b.pieces for b in self.branches)

    @property
    def total(self) -> Decimal:
        """Value of every line that has a rate."""
        return sum((b.value for b in self.branches), Decimal("0.00"))

    @property
    def missing(self) -> list[str]:
        """Every "no rate" marker, with its branch."""
        return [f"{line.missing} at {line.branch}" for line in self.lines if line.value is None]


class MetalRateSource(Protocol):
    """A ``"stock.metal_rate"`` contribution: the per-gram rate of the metal in the actor's store on ``on``."""

    def __call__(self, session: Session, actor: Actor, metal_id: int, on: date) -> Decimal | None: ...


def _contributed_rate(session: Session, actor: Actor, metal_id: int, on: date) -> tuple[Decimal, str] | None:
    for module, source in get_registry().contributions_by_module(METAL_RATE_HOOK, actor.enabled_modules):
        rate = source(session, actor, metal_id, on)
        if rate is not None and Decimal(rate).is_finite() and Decimal(rate) > 0:
            return Decimal(rate).quantize(PAISA, ROUND_HALF_UP), module.title
    return None


def stock_rate(session: Session, store_id: int, metal_id: int, on: date) -> MetalRate | None:
    """The latest rate entered in stock for the store and metal on or before ``on``."""
    return session.scalars(
        select(MetalRate)
        .where(MetalRate.store_id == store_id, MetalRate.metal_id == metal_id, MetalRate.on <= on)
        .order_by(MetalRate.on.desc())
        .limit(1)
    ).first()


def metal_rate(session: Session, actor: Actor, metal: Metal, on: date | None = None) -> Rate:
    """The rate of ``metal`` in the actor's store on ``on`` (default: the store's today)."""
    on = on or actor.today()
    own = stock_rate(session, actor.store_id, metal.id, on)
    own_rate, own_on = (own.rate, own.on) if own else (None, None)
    contributed = _contributed_rate(session, actor, metal.id, on)
    if contributed is not None:
        rate, source = contributed
    elif own is not None:
        rate, source = own.rate, STOCK_SOURCE if own.on == on else f"{STOCK_SOURCE}, entered {own.on:%d %b %Y}"
    else:
        rate, source = None, ""
    return Rate(metal.id, metal_label(metal), rate, source, own_rate, own_on)


def todays_rates(session: Session, actor: Actor) -> list[Rate]:
    """Today's rate of every active metal in the actor's store."""
    actor.require("stock.piece.view")
    on = actor.today()
    metals = session.scalars(select(Metal).where(Metal.active).order_by(Metal.metal, Metal.fineness.desc()))
    return [metal_rate(session, actor, metal, on) for metal in metals]


def set_rate(
    session: Session, actor: Actor, metal_id: int | str, rate: str | Decimal, on: date | None = None
) -> MetalRate:
    """Enter (or correct) the stock's own per-gram rate of a metal in the actor's store for a day."""
    actor.require("stock.masters.manage")
    errors: dict[str, str] = {}
    raw_metal = str(metal_id).strip()
    metal = session.get(Metal, int(raw_metal)) if raw_metal.isdigit() else None
    if metal is None:
        errors["metal_id"] = "Choose the metal and purity."
    value = parse_amount_field(str(rate), "Rate", errors, "rate")
    if "rate" in errors or (value is not None and value <= 0):
        errors["rate"] = "Enter rupees per gram, more than 0 with at most 2 decimals, e.g. 12000 or 12000.50."
    require_fields(errors)
    on = on or actor.today()
    row = session.scalars(
        select(MetalRate).where(
            MetalRate.store_id == actor.store_id, MetalRate.metal_id == metal.id, MetalRate.on == on
        )
    ).first()
    if row is None:
        row = MetalRate(store_id=actor.store_id, metal_id=metal.id, on=on, rate=value)
    else:
        row.rate = value
    session.add(row)
    session.flush()
    return row


def _branch_lines(session: Session, actor: Actor, store: Store, metals: dict[int, Metal]) -> list[Line]:
    held = session.execute(
        select(Piece.metal_id, func.count(), func.sum(Piece.net_weight))
        .where(Piece.store_id == store.id, Piece.status.in_(HELD_STATUSES), Piece.consignment.is_(False))
        .group_by(Piece.metal_id)
    ).all()
    on = actor.today()
    lines = []
    for metal_id, pieces, weight in held:
        metal = metals[metal_id]
        rate = metal_rate(session, actor, metal, on)
        net = Decimal(weight or 0).quantize(Decimal("0.001"))
        value = (net * rate.rate).quantize(PAISA, ROUND_HALF_UP) if rate.rate is not None else None
        lines.append(Line(store.id, store.code, metal_id, rate.metal, pieces, net, rate.rate, rate.source, value))
    order = {m_id: n for n, m_id in enumerate(sorted(metals, key=lambda i: (metals[i].metal, -metals[i].fineness)))}
    return sorted(lines, key=lambda line: order[line.metal_id])


def valuation(session: Session, actor: Actor) -> Valuation:
    """Every branch where stock is enabled (the actor's first), per metal, at that branch's rates of today.

    Each branch is valued at its own rates: a module contributing ``stock.metal_rate`` counts
    only where it is enabled in that branch.
    """
    actor.require("stock.piece.view")
    metals = {m.id: m for m in session.scalars(select(Metal))}
    store_ids = set(enabled_stores(session, "stock")) | {actor.store_id}
    stores = session.scalars(select(Store).where(Store.id.in_(store_ids)).order_by(Store.code)).all()
    stores = sorted(stores, key=lambda s: s.id != actor.store_id)
    result = Valuation()
    for store in stores:
        if store.id != actor.store_id and not store.active:
            continue
        branch_actor = actor if store.id == actor.store_id else system_actor(session, store.id)
        lines = _branch_lines(session, branch_actor, store, metals)
        result.lines.extend(lines)
        result.branches.append(
            Branch(
                store.id,
                store.code,
                sum(line.pieces for line in lines),
                sum((line.value for line in lines if line.value is not None), Decimal("0.00")),
                tuple(line.missing for line in lines if line.value is None),
            )
        )
    return result


def _grams(weight: Decimal) -> str:
    return f"{weight:,.3f} g"


def valuation_rows(result: Valuation) -> list[dict[str, str]]:
    """Lines and each branch's total as display rows (``kind`` is line, branch or total)."""
    rows: list[dict[str, str]] = []
    for branch in result.branches:
        for line in (line for line in result.lines if line.store_id == branch.store_id):
            rows.append(
                {
                    "kind": "line",
                    "branch": line.branch,
                    "metal": line.metal,
                    "pieces": f"{line.pieces:,}",
                    "net_weight": _grams(line.net_weight),
                    "rate": f"{format_inr(line.rate, paise=True)}/g" if line.rate is not None else "—",
                    "source": line.source,
                    "value": format_inr(line.value, paise=True) if line.value is not None else line.missing,
                }
            )
        rows.append(
            {
                "kind": "branch",
                "branch": branch.branch,
                "metal": "All metals",
                "pieces": f"{branch.pieces:,}",
                "net_weight": "",
                "rate": "",
                "source": "",
                "value": format_inr(branch.value, paise=True)
                + (" (some metals have no rate)" if branch.missing else ""),
            }
        )
    rows.append(
        {
            "kind": "total",
            "branch": "All branches",
            "metal": "",
            "pieces": f"{result.pieces:,}",
            "net_weight": "",
            "rate": "",
            "source": "",
            "value": format_inr(result.total, paise=True) + (" (some metals have no rate)" if result.missing else ""),
        }
    )
    return rows


def _export_rows(result: Valuation) -> list[dict[str, Any]]:
    """Numbers as numbers (Excel sums them); a missing rate as its marker text."""
    rows: list[dict[str, Any]] = []
    for branch in result.branches:
        for line in (line for line in result.lines if line.store_id == branch.store_id):
            rows.append(
                {
                    "branch": line.branch,
                    "metal": line.metal,
                    "pieces": line.pieces,
                    "net_weight": line.net_weight,
                    "rate": line.rate if line.rate is not None else "",
                    "source": line.source,
                    "value": line.value if line.value is not None else line.missing,
                }
            )
        rows.append({"branch": branch.branch, "metal": "All metals", "pieces": branch.pieces, "value": branch.value})
    rows.append({"branch": "All branches", "pieces": result.pieces, "value": result.total})
    return rows


def export_valuation(session: Session, actor: Actor) -> str:
    """Write the valuation to an .xlsx file; returns the one-time download token (``/api/export/<token>``)."""
    result = valuation(session, actor)
    token, path = new_export(f"stock-valuation-{actor.today().isoformat()}.xlsx")
    write_table(path, EXPORT_COLUMNS, _export_rows(result), "Stock valuation")
    return token
