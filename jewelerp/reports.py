"""What every module's reports share: the period typed on a report page, the stores a report may cover,
the report as a table of typed cells (dates, counts, Decimal rupees and grams) and its Excel file.

A module's report is a :class:`ReportKind`: a function building a :class:`ReportTable` from a
:class:`ReportRequest` (period, every store or not, the report's own filters), the filters it offers and the
chart drawn from its rows. The page (:mod:`jewelerp.ui.report_page`) and the Excel export show the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import build_actor
from jewelerp.columns import Column
from jewelerp.core.models import Store
from jewelerp.core.users import store_roles
from jewelerp.db import utcnow
from jewelerp.errors import require_fields
from jewelerp.validation import check_period
from jewelerp.xlsx_export import write_table

MAX_DAYS = 366


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


def as_of_today(actor: Actor) -> tuple[date, date]:
    """The "period" of a report as of today (one without a period: ``ReportKind(period=False)``)."""
    today = actor.today()
    return today, today


def parse_period(raw_from: str, raw_to: str) -> tuple[date, date]:
    """The period typed on a report page (``2026-11-01``), at most :data:`MAX_DAYS` days
    (:func:`jewelerp.validation.check_period` names what is wrong)."""
    errors: dict[str, str] = {}
    start, end = _iso_date(raw_from), _iso_date(raw_to)
    check_period(start, end, MAX_DAYS, errors)
    require_fields(errors)
    return start, end  # type: ignore[return-value]


def _iso_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        return None


def report_stores(session: Session, actor: Actor, permission: str, every_store: bool = False) -> list[ReportStore]:
    """The actor's store, or with ``every_store`` each active store where the user holds ``permission``."""
    actor.require(permission)
    ids = {actor.store_id}
    if every_store and actor.user_id is not None:
        ids |= {
            sid
            for sid in store_roles(session, actor.user_id)
            if build_actor(session, actor.user_id, sid).can(permission)
        }
    stores = session.scalars(
        select(Store).where(Store.id.in_(ids), Store.active | (Store.id == actor.store_id)).order_by(Store.code)
    )
    return [ReportStore(s.id, s.code, s.state, s.state_code, s.time_zone) for s in stores]


def store_today(store: ReportStore) -> date:
    """Today's date in the store's time zone."""
    return utcnow().astimezone(ZoneInfo(store.time_zone)).date()


def midnight_utc(time_zone: str, day: date) -> datetime:
    """When ``day`` begins in ``time_zone``, in UTC (a local day is ``[midnight_utc(d), midnight_utc(d + 1))``)."""
    return datetime.combine(day, time(), ZoneInfo(time_zone)).astimezone(UTC)


def store_column(stores: list[ReportStore]) -> tuple[Column, ...]:
    """A "Store" column when a report covers more than one store."""
    return (Column("store", "Store"),) if len(stores) > 1 else ()


def period_filename(prefix: str, start: date, end: date) -> str:
    """``sales-2026-11-01-to-2026-11-30.xlsx``."""
    return f"{prefix}-{start.isoformat()}-to-{end.isoformat()}.xlsx"


def period_text(start: date, end: date) -> str:
    """``01 Nov 2026 to 30 Nov 2026``: the period as an export's title row names it."""
    return f"{start:%d %b %Y} to {end:%d %b %Y}"


def plural(number: int, noun: str) -> str:
    """``1 invoice``, ``2 invoices``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@dataclass(frozen=True)
class ReportTable:
    """A report ready to show or export: typed cells (dates, counts, Decimal rupees), footer and notes."""

    title: str
    filename: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    footer: list[dict[str, Any]] = field(default_factory=list)
    numeric: frozenset[str] = frozenset()
    summary: tuple[tuple[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    chart_rows: list[dict[str, Any]] | None = None  # what the chart draws when not the rows themselves
    period: str = ""  # "01 Nov 2026 to 30 Nov 2026" (period_text), named in the export's title row


def write_report(path: Path, table: ReportTable) -> int:
    """Write the report to an .xlsx file (typed cells as its columns' kinds say, text never a formula); returns the
    rows written."""
    first = table.columns[0].key
    notes = [{first: note} for note in table.notes]
    rows = [*table.rows, *table.footer, *([{}] if notes else []), *notes]
    filters = [("Period", table.period)] if table.period else []
    return write_table(path, table.columns, rows, table.title, filters=filters)


@dataclass(frozen=True)
class ReportRequest:
    """What a report page asks for: the period, every store or only this one, and the report's own filters."""

    start: date
    end: date
    every_store: bool = False
    choices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportFilter:
    """A filter of one report beside the period: a drop-down of (value, label) options loaded per actor ("" means
    every one, offered as ``all_label`` unless that is blank), or, without ``options``, a whole number typed in
    (blank: the report's own default, told by ``hint``)."""

    key: str
    label: str
    options: Callable[[Session, Actor], list[tuple[str, str]]] | None = None
    default: str = ""
    all_label: str = "All"
    hint: str = ""


@dataclass(frozen=True)
class Chart:
    """A bar chart of a report's rows: the row key naming each bar group and the (key, label) series drawn."""

    category: str
    series: tuple[tuple[str, str], ...]
    limit: int = 12


@dataclass(frozen=True)
class ReportKind:
    """How a report page builds its table, held as data (a bare function on a Reflex state would become an event
    handler): ``build``, the permission checked before anything else, the period shown first (none for a report
    as of today: ``period=False``), any filters, the chart, and whether it may cover every store the user reports
    on (``every_store=False``: the current store only, and the page offers no choice)."""

    build: Callable[[Session, Actor, ReportRequest], ReportTable]
    permission: str
    default_period: Callable[[Actor], tuple[date, date]] = this_month
    filters: tuple[ReportFilter, ...] = ()
    chart: Chart | None = None
    period: bool = True
    every_store: bool = True
