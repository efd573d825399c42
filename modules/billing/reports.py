"""Billing reports: daily sales by store, salesperson and category, and the GST summary for filing.

Both read the invoices (``kind="invoice"``) issued in a period of the store's own dates, and
both are aggregated in SQL, so a month of a million invoice lines never leaves the database
as lines.

- **Local days.** ``issued_at`` is stored in UTC. Each local day of the period becomes its
  UTC window ``[midnight, next midnight)`` in the store's time zone (India: 18:30 UTC the
  day before), and one query maps every invoice to its window with a balanced ``CASE``
  (:func:`_day_index`, about nine comparisons for a year), so a sale at 23:30 IST counts on
  its own day, never on the next one as SQLite's UTC ``date()`` would put it. Stores with
  other time zones get their own windows (one query per store).
- **Daily sales**: per day × store × salesperson (who created the invoice) × category: the
  invoices with a line of that category, the taxable value, GST and their total. Categories
  are the invoice line's ``category`` (gold, diamond, platinum, silver, recorded when the piece
  was added); service lines are "Services"; a piece line without a category (from before
  categories were recorded) is "Unclassified": whether that piece carried diamonds was not
  recorded, and guessing from its metal would put diamond jewellery under gold. Old gold taken
  in exchange is a purchase, not a sale, and stays out of the rows. The round-off is made per
  invoice, not per line, so it is its own footer row: rows + round-off = the sum of the invoice
  totals, to the paisa. Cancelled invoices are left out and counted in a note.
- **GST summary** (GSTR-1 style): per supply type (intra-state: CGST + SGST; inter-state: IGST),
  buyer (B2B: a GSTIN on the invoice; B2C otherwise), place of supply (the invoice's, as a GST
  state code and name, :func:`modules.billing.supply.place_of_supply`; an invoice from before it
  was recorded shows the state typed on it), and the HSN/SAC and rate each line was charged
  (its tax class, :mod:`modules.billing.tax_classes`): taxable value, CGST, SGST, IGST and total
  (before the round-off, which is not a supply). Every invoice issued in the period counts, also
  one cancelled since; each credit note written in the period is a reduction row with its
  invoice's figures; the net row is what is filed.

Permission: ``billing.report.view``. With "every store" the reports cover each active store
where the user holds that permission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, case, distinct, func, literal_column, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import build_actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import Store
from jewelerp.core.users import store_roles
from jewelerp.errors import require_fields
from jewelerp.money import ZERO, format_inr
from jewelerp.xlsx_export import write_table
from modules.billing.models import CreditNote, Invoice, InvoiceLine
from modules.billing.supply import state_label

VIEW = "billing.report.view"
MAX_DAYS = 366
SALE_LINES = ("piece", "service")
CATEGORIES = ("Gold", "Diamond", "Platinum", "Silver")
SERVICES = "Services"
UNCLASSIFIED = "Unclassified"
INTRA, INTER = "Intra-state", "Inter-state"


# ---------------------------------------------------------------------------- period and stores


@dataclass(frozen=True)
class ReportStore:
    """A store a report covers, with what the report needs of it."""

    id: int
    code: str
    state: str
    state_code: str
    time_zone: str


def this_month(actor: Actor) -> tuple[date, date]:
    """The default period: the first of the month to today, in the store's dates."""
    today = actor.today()
    return today.replace(day=1), today


def parse_period(raw_from: str, raw_to: str) -> tuple[date, date]:
    """The period typed on a report page (``2026-11-01``), at most :data:`MAX_DAYS` days."""
    errors: dict[str, str] = {}
    start, end = _iso_date(raw_from), _iso_date(raw_to)
    if start is None:
        errors["date_from"] = "Enter the first day of the period, e.g. 2026-11-01."
    if end is None:
        errors["date_to"] = "Enter the last day of the period, e.g. 2026-11-30."
    if start and end and end < start:
        errors["date_to"] = "The last day cannot come before the first day."
    elif start and end and (end - start).days >= MAX_DAYS:
        errors["date_to"] = f"Choose a period of at most {MAX_DAYS} days."
    require_fields(errors)
    return start, end


def _iso_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        return None


def report_stores(
    session: Session, actor: Actor, every_store: bool = False, permission: str = VIEW
) -> list[ReportStore]:
    """The actor's store, or with ``every_store`` each active store where the user holds ``permission``."""
    actor.require(permission)
    ids = {actor.store_id}
    if every_store and actor.user_id is not None:
        user = actor.user_id
        ids |= {sid for sid in store_roles(session, user) if build_actor(session, user, sid).can(permission)}
    stores = session.scalars(
        select(Store).where(Store.id.in_(ids), Store.active | (Store.id == actor.store_id)).order_by(Store.code)
    )
    return [ReportStore(s.id, s.code, s.state, s.state_code, s.time_zone) for s in stores]


def _day_starts(store: ReportStore, start: date, end: date) -> list[datetime]:
    """The UTC instants at which each local day of the period starts, and the one after it ends."""
    zone = ZoneInfo(store.time_zone)
    days = (end - start).days + 2
    return [datetime.combine(start + timedelta(days=n), time(), zone).astimezone(UTC) for n in range(days)]


def _day_index(column: Any, starts: list[datetime]) -> ColumnElement[int]:
    """The number of the local day whose window holds ``column`` (a binary search written as CASE).

    Rows must already be limited to ``[starts[0], starts[-1])``.
    """

    def node(low: int, high: int) -> ColumnElement[int]:
        if high - low == 1:
            return literal_column(str(low))
        middle = (low + high) // 2
        return case((column < starts[middle], node(low, middle)), else_=node(middle, high))

    return node(0, len(starts) - 1)


def _issued_between(stmt: Select, store: ReportStore, starts: list[datetime], statuses: tuple[str, ...]) -> Select:
    return stmt.where(
        Invoice.store_id == store.id,
        Invoice.kind == "invoice",
        Invoice.status.in_(statuses),
        Invoice.issued_at >= starts[0],
        Invoice.issued_at < starts[-1],
    )


def written_between(stmt: Select, store: ReportStore, starts: list[datetime]) -> Select:
    """``stmt`` limited to the store's credit notes written in the period's UTC window."""
    return stmt.where(
        CreditNote.store_id == store.id, CreditNote.created_at >= starts[0], CreditNote.created_at < starts[-1]
    )


def _money(value: Decimal | None) -> Decimal:
    return value if value is not None else ZERO


def _count(number: int, noun: str) -> str:
    """``1 invoice``, ``2 invoices``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# ---------------------------------------------------------------------------- daily sales


@dataclass(frozen=True)
class SalesRow:
    """One day's sales of one salesperson in one category at one store."""

    day: date
    store: str
    salesperson: str
    category: str
    invoices: int
    taxable: Decimal
    gst: Decimal

    @property
    def total(self) -> Decimal:
        """Taxable value plus GST (the round-off is made per invoice, see the report's footer)."""
        return self.taxable + self.gst


@dataclass(frozen=True)
class SalesReport:
    """The daily sales of a period, and the invoices' own totals (which the rows add up to)."""

    start: date
    end: date
    stores: list[ReportStore]
    rows: list[SalesRow]
    invoices: int = 0
    taxable: Decimal = ZERO
    gst: Decimal = ZERO
    round_off: Decimal = ZERO
    total: Decimal = ZERO
    cancelled: int = 0
    cancelled_total: Decimal = ZERO


def _category(kind: str, category: str) -> str:
    if kind == "service":
        return SERVICES
    return category.title() or UNCLASSIFIED


def _category_order(name: str) -> tuple[int, str]:
    """Gold, diamond, platinum, silver, any other category, then unclassified pieces and services."""
    if name in CATEGORIES:
        return CATEGORIES.index(name), name
    return {UNCLASSIFIED: 6, SERVICES: 7}.get(name, 5), name


def _sales_rows(session: Session, store: ReportStore, start: date, starts: list[datetime]) -> list[SalesRow]:
    """One query: each sale line tagged with its local day and category, grouped in an outer select."""
    lines = select(
        _day_index(Invoice.issued_at, starts).label("day"),
        Invoice.created_by.label("salesperson"),
        Invoice.id.label("invoice_id"),
        InvoiceLine.kind,
        case((InvoiceLine.kind == "service", ""), else_=func.lower(func.trim(InvoiceLine.category))).label("category"),
        InvoiceLine.taxable,
        InvoiceLine.cgst,
        InvoiceLine.sgst,
        InvoiceLine.igst,
    ).join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
    lines = _issued_between(lines, store, starts, ("issued",)).where(InvoiceLine.kind.in_(SALE_LINES)).subquery()
    keys = (lines.c.day, lines.c.salesperson, lines.c.kind, lines.c.category)
    stmt = select(
        *keys,
        func.count(distinct(lines.c.invoice_id)),
        *(func.sum(c) for c in (lines.c.taxable, lines.c.cgst, lines.c.sgst, lines.c.igst)),
    ).group_by(*keys)
    return [
        SalesRow(
            start + timedelta(days=int(index)),
            store.code,
            salesperson or "—",
            _category(kind, category),
            count,
            _money(taxable),
            _money(cgst) + _money(sgst) + _money(igst),
        )
        for index, salesperson, kind, category, count, taxable, cgst, sgst, igst in session.execute(stmt)
    ]


def _invoice_figures(session: Session, store: ReportStore, starts: list[datetime]) -> dict[str, dict[str, Any]]:
    """Per status ("issued", "cancelled"): the count and the sums of the invoices' own figures."""
    stmt = select(
        Invoice.status,
        func.count(Invoice.id),
        *(func.sum(c) for c in (Invoice.taxable, Invoice.cgst, Invoice.sgst, Invoice.igst)),
        func.sum(Invoice.round_off),
        func.sum(Invoice.total),
    )
    stmt = _issued_between(stmt, store, starts, ("issued", "cancelled")).group_by(Invoice.status)
    figures = {}
    for status, count, taxable, cgst, sgst, igst, round_off, total in session.execute(stmt):
        figures[status] = {
            "count": count,
            "taxable": _money(taxable),
            "gst": _money(cgst) + _money(sgst) + _money(igst),
            "round_off": _money(round_off),
            "total": _money(total),
        }
    return figures


def daily_sales(session: Session, actor: Actor, start: date, end: date, every_store: bool = False) -> SalesReport:
    """Sales per local day, store, salesperson and category, with the invoices' totals."""
    stores = report_stores(session, actor, every_store)
    rows: list[SalesRow] = []
    sums = {"invoices": 0, "taxable": ZERO, "gst": ZERO, "round_off": ZERO, "total": ZERO}
    cancelled, cancelled_total = 0, ZERO
    for store in stores:
        starts = _day_starts(store, start, end)
        rows += _sales_rows(session, store, start, starts)
        figures = _invoice_figures(session, store, starts)
        issued = figures.get("issued", {})
        sums["invoices"] += issued.get("count", 0)
        for key in ("taxable", "gst", "round_off", "total"):
            sums[key] += issued.get(key, ZERO)
        cancelled += figures.get("cancelled", {}).get("count", 0)
        cancelled_total += figures.get("cancelled", {}).get("total", ZERO)
    rows.sort(key=lambda r: (r.day, r.store, r.salesperson.lower(), _category_order(r.category)))
    return SalesReport(start, end, stores, rows, **sums, cancelled=cancelled, cancelled_total=cancelled_total)


# ---------------------------------------------------------------------------- GST summary


@dataclass(frozen=True)
class GstRow:
    """Taxable value and tax of one supply type, buyer type, place of supply, HSN/SAC and rate (negative for
    credit notes)."""

    section: str
    store: str
    document: str
    supply: str
    buyers: str
    place: str
    hsn: str
    rate: Decimal
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def total(self) -> Decimal:
        """Taxable value plus every tax."""
        return self.taxable + self.cgst + self.sgst + self.igst


@dataclass(frozen=True)
class GstReport:
    """The period's invoices by supply, place, HSN and rate, less the credit notes written in it."""

    start: date
    end: date
    stores: list[ReportStore]
    rows: list[GstRow]
    invoices: int = 0
    credit_notes: int = 0

    def net(self, key: str) -> Decimal:
        """The net (invoices less credit notes) of ``taxable``, ``cgst``, ``sgst``, ``igst`` or ``total``."""
        return sum((getattr(row, key) for row in self.rows), ZERO)


B2B, B2C = "B2B", "B2C"
# What a GST row is grouped by: the invoice's place of supply (and the state typed on an invoice from before
# it was recorded), whether it names a GSTIN, and the HSN/SAC and rate each line was charged.
GST_KEYS = (
    Invoice.place_of_supply,
    Invoice.customer_state,
    Invoice.customer_gstin != "",
    InvoiceLine.hsn_sac,
    InvoiceLine.tax_rate,
)


@dataclass(frozen=True)
class _GstKey:
    """The columns a GST row is told apart by."""

    supply: str
    buyers: str
    place: str
    hsn: str
    rate: Decimal


def _gst_key(store: ReportStore, place: str, typed: str, b2b: bool, hsn: str, rate: Decimal, igst: Any) -> _GstKey:
    """Supply type from the place of supply and the store's state (IGST Act 2017 s.7(1), s.8(1)); an invoice
    from before the place was recorded is inter-state when it was charged IGST."""
    inter = is_inter_state(store, place, igst)
    shown = state_label(place) or state_label("", typed) or state_label(store.state_code, store.state)
    return _GstKey(INTER if inter else INTRA, B2B if b2b else B2C, shown, hsn, _money(rate))


def is_inter_state(store: ReportStore, place: str, igst: Decimal | None) -> bool:
    """Whether a supply is inter-state: its place of supply is not the store's state (IGST Act 2017 s.7(1));
    an invoice from before the place was recorded is when it was charged IGST."""
    return place != store.state_code if place else bool(_money(igst))


def _line_sums() -> tuple[Any, ...]:
    return tuple(func.sum(c) for c in (InvoiceLine.taxable, InvoiceLine.cgst, InvoiceLine.sgst, InvoiceLine.igst))


def _invoice_gst_rows(session: Session, store: ReportStore, starts: list[datetime]) -> tuple[list[GstRow], int]:
    stmt = select(*GST_KEYS, func.count(distinct(Invoice.id)), *_line_sums())
    stmt = _issued_between(
        stmt.join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id), store, starts, ("issued", "cancelled")
    )
    stmt = stmt.where(InvoiceLine.kind.in_(SALE_LINES)).group_by(*GST_KEYS)
    merged: dict[_GstKey, list[Any]] = {}
    for place, typed, b2b, hsn, rate, count, *amounts in session.execute(stmt):
        key = _gst_key(store, place, typed, b2b, hsn, rate, amounts[-1])
        sums = merged.setdefault(key, [0, ZERO, ZERO, ZERO, ZERO])
        merged[key] = [sums[0] + count, *(a + _money(b) for a, b in zip(sums[1:], amounts, strict=True))]
    rows = [
        GstRow("Invoices", store.code, _count(count, "invoice"), k.supply, k.buyers, k.place, k.hsn, k.rate, *sums)
        for k, (count, *sums) in merged.items()
    ]
    count = _issued_between(select(func.count(Invoice.id)), store, starts, ("issued", "cancelled"))
    return rows, session.execute(count).scalar_one()


def _credit_note_rows(session: Session, store: ReportStore, starts: list[datetime]) -> tuple[list[GstRow], int]:
    stmt = (
        written_between(select(CreditNote.number, Invoice.number, *GST_KEYS, *_line_sums()), store, starts)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(InvoiceLine.kind.in_(SALE_LINES))
        .group_by(CreditNote.id, CreditNote.number, Invoice.number, *GST_KEYS)
        .order_by(CreditNote.number, InvoiceLine.hsn_sac, InvoiceLine.tax_rate)
    )
    rows, notes = [], set()
    for note, invoice, place, typed, b2b, hsn, rate, taxable, cgst, sgst, igst in session.execute(stmt):
        k = _gst_key(store, place, typed, b2b, hsn, rate, igst)
        amounts = (-_money(taxable), -_money(cgst), -_money(sgst), -_money(igst))
        document = f"{note} against {invoice}"
        rows.append(GstRow("Credit notes", store.code, document, k.supply, k.buyers, k.place, k.hsn, k.rate, *amounts))
        notes.add(note)
    return rows, len(notes)


def gst_summary(session: Session, actor: Actor, start: date, end: date, every_store: bool = False) -> GstReport:
    """The GST figures to file for a period: invoices by supply, place, HSN and rate, less credit notes."""
    stores = report_stores(session, actor, every_store)
    sales: list[GstRow] = []
    reductions: list[GstRow] = []
    invoices = credit_notes = 0
    for store in stores:
        starts = _day_starts(store, start, end)
        rows, count = _invoice_gst_rows(session, store, starts)
        sales += rows
        invoices += count
        rows, count = _credit_note_rows(session, store, starts)
        reductions += rows
        credit_notes += count
    sales.sort(key=lambda r: (r.store, r.supply != INTRA, r.buyers, r.place, r.hsn, r.rate))
    return GstReport(start, end, stores, sales + reductions, invoices, credit_notes)


# ---------------------------------------------------------------------------- tables for pages and Excel


@dataclass(frozen=True)
class ReportTable:
    """A report ready to show or export: typed cells (dates, counts, Decimal rupees), footer and notes."""

    title: str
    filename: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    footer: list[dict[str, Any]]
    numeric: frozenset[str]
    summary: tuple[tuple[str, Any], ...] = ()
    notes: tuple[str, ...] = ()


def _store_column(stores: list[ReportStore]) -> tuple[Column, ...]:
    return (Column("store", "Store"),) if len(stores) > 1 else ()


def _period_name(prefix: str, start: date, end: date) -> str:
    return f"{prefix}-{start.isoformat()}-to-{end.isoformat()}.xlsx"


def sales_table(report: SalesReport) -> ReportTable:
    """The daily sales as a table: one row per day, store, salesperson and category; round-off and total."""
    columns = (
        Column("day", "Date", kind=Kind.DATE),
        *_store_column(report.stores),
        Column("salesperson", "Salesperson"),
        Column("category", "Category"),
        Column("invoices", "Invoices", kind=Kind.INTEGER),
        Column("taxable", "Taxable value", kind=Kind.MONEY),
        Column("gst", "GST", kind=Kind.MONEY),
        Column("total", "Total", kind=Kind.MONEY),
    )
    rows = [
        {k: getattr(r, k) for k in ("day", "store", "salesperson", "category", "invoices", "taxable", "gst", "total")}
        for r in report.rows
    ]
    footer = [
        {"day": "Round-off", "total": report.round_off},
        {
            "day": "Total",
            "invoices": report.invoices,
            "taxable": report.taxable,
            "gst": report.gst,
            "total": report.total,
        },
    ]
    notes = ()
    if report.cancelled:
        notes = (
            f"Not counted: {_count(report.cancelled, 'invoice')} issued in the period and cancelled since "
            f"(total {format_inr(report.cancelled_total, paise=True)}).",
        )
    return ReportTable(
        title="Sales report",
        filename=_period_name("sales", report.start, report.end),
        columns=columns,
        rows=rows,
        footer=footer,
        numeric=frozenset({"invoices", "taxable", "gst", "total"}),
        summary=(
            ("Invoices", report.invoices),
            ("Taxable value", report.taxable),
            ("GST", report.gst),
            ("Total", report.total),
        ),
        notes=notes,
    )


def gst_table(report: GstReport) -> ReportTable:
    """The GST summary as a table: invoice rows, credit note rows (negative) and the net to file."""
    amounts = ("taxable", "cgst", "sgst", "igst", "total")
    columns = (
        Column("section", "Section"),
        *_store_column(report.stores),
        Column("document", "Documents"),
        Column("supply", "Supply"),
        Column("buyers", "Buyers"),
        Column("place", "Place of supply"),
        Column("hsn", "HSN/SAC"),
        Column("rate", "Rate"),
        Column("taxable", "Taxable value", kind=Kind.MONEY),
        Column("cgst", "CGST", kind=Kind.MONEY),
        Column("sgst", "SGST", kind=Kind.MONEY),
        Column("igst", "IGST", kind=Kind.MONEY),
        Column("total", "Total", kind=Kind.MONEY),
    )
    keys = ("section", "store", "document", "supply", "buyers", "place", "hsn")
    rows = [{**{k: getattr(r, k) for k in keys + amounts}, "rate": f"{r.rate.normalize():f}%"} for r in report.rows]
    footer = [{"section": "Net", **{k: report.net(k) for k in amounts}}]
    notes = (
        f"{_count(report.invoices, 'invoice')} issued in the period (any cancelled since included); "
        f"{_count(report.credit_notes, 'credit note')} written in the period reduce it. "
        "B2B: the buyer's GSTIN is on the invoice; B2C: it is not.",
    )
    return ReportTable(
        title="GST summary",
        filename=_period_name("gst", report.start, report.end),
        columns=columns,
        rows=rows,
        footer=footer,
        numeric=frozenset(amounts),
        summary=tuple(
            (label, report.net(k))
            for label, k in (("Taxable value", "taxable"), ("CGST", "cgst"), ("SGST", "sgst"), ("IGST", "igst"))
        ),
        notes=notes,
    )


def write_report(path: Path, table: ReportTable) -> int:
    """Write the report to an .xlsx file (numbers as numbers, text never a formula); returns the rows written."""
    first = table.columns[0].key
    notes = [{first: note} for note in table.notes]
    return write_table(path, table.columns, [*table.rows, *table.footer, *([{}] if notes else []), *notes], table.title)


@dataclass(frozen=True)
class ReportKind:
    """How a report page builds its table, held as data (a bare function on a Reflex state would become
    an event handler)."""

    build: Callable[[Session, Actor, date, date, bool], ReportTable]


def sales_report_table(session: Session, actor: Actor, start: date, end: date, every_store: bool) -> ReportTable:
    """The daily sales of a period as a table (the sales report page and its export)."""
    return sales_table(daily_sales(session, actor, start, end, every_store))


def gst_report_table(session: Session, actor: Actor, start: date, end: date, every_store: bool) -> ReportTable:
    """The GST summary of a period as a table (the GST page and its export)."""
    return gst_table(gst_summary(session, actor, start, end, every_store))


SALES = ReportKind(sales_report_table)
GST = ReportKind(gst_report_table)
