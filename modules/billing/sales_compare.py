"""Sales by branch, salesperson, category or metal against the same period a year earlier, and the margin.

- **Sales comparison**: the taxable value (before GST and round-off) of the sale lines (pieces and services)
  of the invoices issued in the period and not cancelled, per group, beside the same dates a year earlier
  (29 February falls back to the 28th), the change in rupees and in %. Days are the store's own
  (:func:`modules.billing.reports._day_starts`).
- **Margin**: for the piece lines of the period, sale (taxable value) less the piece's recorded cost price
  (:func:`modules.stock.api.piece_costs`), per group, with the margin as a % of the sale. Pieces sold without a
  recorded cost are left out and counted in a note; services have no cost and are not in it. Only for those who
  may see cost prices (``stock.cost.view``) besides the reports (``billing.report.view``).

Groups: "branch" (the store), "salesperson" (who created the invoice), "category" (the line's category, as in
the daily sales report) or "metal" (the line's metal and purity); the category filter keeps one category.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.money import ZERO, format_inr
from jewelerp.reports import (
    Chart,
    ReportFilter,
    ReportKind,
    ReportRequest,
    ReportStore,
    ReportTable,
    period_filename,
    period_text,
    plural,
    report_stores,
)
from jewelerp.validation import years_after
from modules.billing.models import Invoice, InvoiceLine
from modules.billing.reports import CATEGORIES, SALE_LINES, SERVICES, VIEW, _day_starts
from modules.stock.api import get_metal, metal_label, piece_costs

COST = "stock.cost.view"
TENTH = Decimal("0.1")
DIMENSIONS = (("branch", "Branch"), ("salesperson", "Salesperson"), ("category", "Category"), ("metal", "Metal"))
CATEGORY_CHOICES = [*((c.lower(), c) for c in CATEGORIES), ("services", SERVICES)]
NO_METAL = "No metal recorded"


def percent(part: Decimal, whole: Decimal, signed: bool = True) -> str:
    """``part`` as a % of ``whole`` to one decimal (``+12.5%``; ``12.5%`` unsigned), or "—" when ``whole`` is
    zero."""
    if not whole:
        return "—"
    value = (part * 100 / whole).quantize(TENTH, ROUND_HALF_UP)
    return f"{value:+}%" if signed else f"{value}%"


def _dimension(raw: str) -> str:
    return raw if raw in dict(DIMENSIONS) else DIMENSIONS[0][0]


def _key_columns(dimension: str) -> tuple[Any, ...]:
    """The columns a group is told apart by (none for a branch: one query per store)."""
    if dimension == "salesperson":
        return (Invoice.created_by,)
    if dimension == "category":
        return (InvoiceLine.kind, func.lower(func.trim(InvoiceLine.category)))
    if dimension == "metal":
        return (InvoiceLine.kind, InvoiceLine.metal_id)
    return ()


def _labeller(session: Session, store: ReportStore, dimension: str) -> Callable[[tuple[Any, ...]], str]:
    """How a group's key values read on the report."""
    metals: dict[int, str] = {}

    def metal(metal_id: int | None) -> str:
        if metal_id is None:
            return NO_METAL
        if metal_id not in metals:
            found = get_metal(session, metal_id)
            metals[metal_id] = metal_label(found) if found is not None else NO_METAL
        return metals[metal_id]

    def label(values: tuple[Any, ...]) -> str:
        if dimension == "salesperson":
            return values[0] or "—"
        if dimension in ("category", "metal") and values[0] == "service":
            return SERVICES
        if dimension == "category":
            return (values[1] or "").title() or "Unclassified"
        if dimension == "metal":
            return metal(values[1])
        return store.code

    return label


def _lines(store: ReportStore, start: date, end: date, category: str, kinds: tuple[str, ...]) -> list[Any]:
    """Conditions for the sale lines of the store's invoices issued (not cancelled) on its dates start–end."""
    starts = _day_starts(store, start, end)
    where = [
        InvoiceLine.invoice_id == Invoice.id,
        Invoice.store_id == store.id,
        Invoice.kind == "invoice",
        Invoice.status == "issued",
        Invoice.issued_at >= starts[0],
        Invoice.issued_at < starts[-1],
        InvoiceLine.kind.in_(kinds),
    ]
    if category == "services":
        where.append(InvoiceLine.kind == "service")
    elif category in dict(CATEGORY_CHOICES):
        where += [InvoiceLine.kind == "piece", func.lower(func.trim(InvoiceLine.category)) == category]
    return where


def _sales(session: Session, store: ReportStore, start: date, end: date, dimension: str, category: str) -> dict:
    keys = _key_columns(dimension)
    stmt = select(*keys, func.sum(InvoiceLine.taxable)).where(*_lines(store, start, end, category, SALE_LINES))
    label = _labeller(session, store, dimension)
    sums: dict[str, Decimal] = {}
    for *values, taxable in session.execute(stmt.group_by(*keys) if keys else stmt):
        if taxable is not None:
            name = label(tuple(values))
            sums[name] = sums.get(name, ZERO) + taxable
    return sums


@dataclass(frozen=True)
class ComparisonRow:
    """One group's sales in the period and a year earlier."""

    group: str
    this_period: Decimal
    last_year: Decimal

    @property
    def change(self) -> Decimal:
        """This period less a year earlier."""
        return self.this_period - self.last_year


def compare_sales(session: Session, actor: Actor, request: ReportRequest) -> list[ComparisonRow]:
    """Sales per group (``choices["group"]``, of one ``choices["category"]`` when given) in the period and on the
    same dates a year earlier, largest this period first."""
    start, end = request.start, request.end
    dimension, category = _dimension(request.choices.get("group", "")), request.choices.get("category", "")
    this: dict[str, Decimal] = {}
    last: dict[str, Decimal] = {}
    for store in report_stores(session, actor, VIEW, request.every_store):
        for target, (first, final) in ((this, (start, end)), (last, (years_after(start, -1), years_after(end, -1)))):
            for name, amount in _sales(session, store, first, final, dimension, category).items():
                target[name] = target.get(name, ZERO) + amount
    rows = [ComparisonRow(name, this.get(name, ZERO), last.get(name, ZERO)) for name in this.keys() | last.keys()]
    return sorted(rows, key=lambda r: (-r.this_period, -r.last_year, r.group.lower()))


GROUP = ReportFilter("group", "Group by", lambda _session, _actor: list(DIMENSIONS), default="branch", all_label="")
CATEGORY = ReportFilter("category", "Category", lambda _session, _actor: CATEGORY_CHOICES, all_label="All categories")


def _group_label(dimension: str) -> str:
    return dict(DIMENSIONS)[_dimension(dimension)]


def comparison_table(session: Session, actor: Actor, request: ReportRequest) -> ReportTable:
    """The sales comparison as a table, with a chart of this period beside a year earlier."""
    dimension = request.choices.get("group", "")
    rows = compare_sales(session, actor, request)
    this = sum((r.this_period for r in rows), ZERO)
    last = sum((r.last_year for r in rows), ZERO)
    earlier = (years_after(request.start, -1), years_after(request.end, -1))
    return ReportTable(
        title="Sales comparison",
        filename=period_filename("sales-comparison", request.start, request.end),
        period=period_text(request.start, request.end),
        columns=(
            Column("group", _group_label(dimension)),
            Column("this_period", "This period (₹)", kind=Kind.MONEY),
            Column("last_year", "A year earlier (₹)", kind=Kind.MONEY),
            Column("change", "Change (₹)", kind=Kind.MONEY),
            Column("change_pct", "Change %"),
        ),
        rows=[
            {"group": r.group, "this_period": r.this_period, "last_year": r.last_year, "change": r.change}
            | {"change_pct": percent(r.change, r.last_year)}
            for r in rows
        ],
        footer=[
            {"group": "Total", "this_period": this, "last_year": last, "change": this - last}
            | {"change_pct": percent(this - last, last)}
        ],
        numeric=frozenset({"this_period", "last_year", "change", "change_pct"}),
        summary=(("This period", this), ("A year earlier", last), ("Change", this - last)),
        notes=(
            f"Taxable value of the invoices issued and not cancelled; a year earlier: {earlier[0]:%d %b %Y} to "
            f"{earlier[1]:%d %b %Y}.",
        ),
    )


COMPARISON = ReportKind(
    comparison_table,
    VIEW,
    filters=(GROUP, CATEGORY),
    chart=Chart("group", (("this_period", "This period"), ("last_year", "A year earlier"))),
)


# ---------------------------------------------------------------------------- margin


@dataclass(frozen=True)
class MarginRow:
    """One group's pieces sold with a recorded cost: sale, cost and margin."""

    group: str
    pieces: int
    sale: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        """Sale less cost."""
        return self.sale - self.cost


@dataclass(frozen=True)
class Margin:
    """The margin rows and the pieces left out for want of a recorded cost."""

    rows: list[MarginRow]
    uncosted: int
    uncosted_sale: Decimal


def margin_stores(session: Session, actor: Actor, every_store: bool) -> list[ReportStore]:
    """The stores a margin covers: the actor's, or with ``every_store`` each where the user may see both the
    reports and cost prices."""
    costed = {store.id for store in report_stores(session, actor, COST, every_store)}
    return [store for store in report_stores(session, actor, VIEW, every_store) if store.id in costed]


def margin(session: Session, actor: Actor, request: ReportRequest) -> Margin:
    """Sale, cost and margin of the pieces sold in the period per group (as for :func:`compare_sales`; needs the
    cost permission)."""
    actor.require(VIEW)
    actor.require(COST)
    start, end = request.start, request.end
    dimension, category = _dimension(request.choices.get("group", "")), request.choices.get("category", "")
    sold: list[tuple[str, int, Decimal]] = []
    stores = margin_stores(session, actor, request.every_store) if category != "services" else []
    for store in stores:
        keys = _key_columns(dimension)
        stmt = select(*keys, InvoiceLine.piece_id, func.sum(InvoiceLine.taxable)).where(
            *_lines(store, start, end, category, ("piece",)), InvoiceLine.piece_id.isnot(None)
        )
        label = _labeller(session, store, dimension)
        for *values, piece_id, taxable in session.execute(stmt.group_by(*keys, InvoiceLine.piece_id)):
            sold.append((label(tuple(values)), piece_id, taxable or ZERO))
    costs = piece_costs(session, actor, [piece_id for _name, piece_id, _sale in sold])
    groups: dict[str, list[Any]] = {}
    uncosted, uncosted_sale = 0, ZERO
    for name, piece_id, sale in sold:
        if piece_id not in costs:
            uncosted, uncosted_sale = uncosted + 1, uncosted_sale + sale
            continue
        sums = groups.setdefault(name, [0, ZERO, ZERO])
        groups[name] = [sums[0] + 1, sums[1] + sale, sums[2] + costs[piece_id]]
    rows = [MarginRow(name, *sums) for name, sums in groups.items()]
    return Margin(sorted(rows, key=lambda r: (-r.margin, r.group.lower())), uncosted, uncosted_sale)


def margin_table(session: Session, actor: Actor, request: ReportRequest) -> ReportTable:
    """The margin report as a table, with a chart of sale and cost per group."""
    dimension = request.choices.get("group", "")
    result = margin(session, actor, request)
    sale = sum((r.sale for r in result.rows), ZERO)
    cost = sum((r.cost for r in result.rows), ZERO)
    share = percent(sale - cost, sale, signed=False)
    notes = ["Pieces only, at their recorded cost price; services have no cost and are not in this report."]
    if result.uncosted:
        notes.append(
            f"Left out: {plural(result.uncosted, 'piece')} sold without a recorded cost "
            f"(sales {format_inr(result.uncosted_sale, paise=True)})."
        )
    return ReportTable(
        title="Margin",
        filename=period_filename("margin", request.start, request.end),
        period=period_text(request.start, request.end),
        columns=(
            Column("group", _group_label(dimension)),
            Column("pieces", "Pieces", kind=Kind.INTEGER),
            Column("sale", "Sale (₹)", kind=Kind.MONEY),
            Column("cost", "Cost (₹)", kind=Kind.MONEY),
            Column("margin", "Margin (₹)", kind=Kind.MONEY),
            Column("margin_pct", "Margin %"),
        ),
        rows=[
            {"group": r.group, "pieces": r.pieces, "sale": r.sale, "cost": r.cost, "margin": r.margin}
            | {"margin_pct": percent(r.margin, r.sale, signed=False)}
            for r in result.rows
        ],
        footer=[
            {"group": "Total", "pieces": sum(r.pieces for r in result.rows), "sale": sale, "cost": cost}
            | {"margin": sale - cost, "margin_pct": share}
        ],
        numeric=frozenset({"pieces", "sale", "cost", "margin", "margin_pct"}),
        summary=(
            ("Sale", sale),
            ("Cost", cost),
            ("Margin", sale - cost),
            ("Margin %", percent(sale - cost, sale, signed=False)),
        ),
        notes=tuple(notes),
    )


MARGIN = ReportKind(
    margin_table,
    VIEW,
    filters=(GROUP, CATEGORY),
    chart=Chart("group", (("sale", "Sale"), ("cost", "Cost"))),
)
