"""Workshop reports of a period (the store's own dates): jobs by stage, jobs by karigar, turnaround time
and metal loss per karigar, each aggregated in SQL where it can be and exportable to Excel.

- **Jobs by stage**: the jobs taken in during the period, by kind and the stage they are at now (in
  the store's stage order): how many, how many are overdue (promised before today and not delivered)
  and their estimates.
- **Jobs by karigar**: the jobs taken in during the period, by assigned karigar: in progress,
  delivered and overdue.
- **Turnaround**: the jobs delivered during the period, by kind: days from intake to delivery
  (average, median, fastest, slowest). The median needs every duration, so this one reads one row per
  delivered job of the period (two timestamps), never whole jobs.
- **Metal loss**: the karigar work closed (piece received) during the period, per karigar: fine metal
  issued and returned for those jobs, the loss in grams and as a % against the karigar's allowance, and
  how many closings were above it.

Permission: ``repairs.report.view``; every report covers the actor's store.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.errors import ValidationError, require_fields
from jewelerp.xlsx_export import write_table
from modules.repairs.karigars import loss_pct
from modules.repairs.models import Job, Karigar, KarigarEntry
from modules.repairs.records import KIND_LABELS
from modules.repairs.stages import DELIVERED, stage_label, stages_for

VIEW = "repairs.report.view"
MAX_DAYS = 366
DAY_SECONDS = Decimal(86_400)
TENTH = Decimal("0.1")
ZERO_G = Decimal("0.000")
UNASSIGNED = "No karigar"


@dataclass(frozen=True)
class Period:
    """Local dates of a report and the UTC window ``[start, end)`` they cover in the store's zone."""

    first: date
    last: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ReportTable:
    """A report ready to show or export: typed cells (text, counts, Decimal grams, % and rupees)."""

    title: str
    filename: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    numeric: frozenset[str]
    summary: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


# ---------------------------------------------------------------------------- period


def default_period(actor: Actor) -> tuple[date, date]:
    """The last 90 days up to today, in the store's dates."""
    today = actor.today()
    return today - timedelta(days=89), today


def _iso(raw: str) -> date | None:
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        return None


def parse_period(actor: Actor, raw_from: str, raw_to: str) -> Period:
    """The period typed on the report page (``2026-11-01``), at most :data:`MAX_DAYS` days."""
    errors: dict[str, str] = {}
    first, last = _iso(raw_from), _iso(raw_to)
    if first is None:
        errors["date_from"] = "Enter the first day of the period, e.g. 2026-11-01."
    if last is None:
        errors["date_to"] = "Enter the last day of the period, e.g. 2026-11-30."
    if first and last and last < first:
        errors["date_to"] = "The last day cannot come before the first day."
    elif first and last and (last - first).days >= MAX_DAYS:
        errors["date_to"] = f"Choose a period of at most {MAX_DAYS} days."
    require_fields(errors)
    assert first is not None and last is not None
    zone = ZoneInfo(actor.time_zone)
    start = datetime.combine(first, time(), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
    return Period(first, last, start, end)


def _taken_in(actor: Actor, period: Period) -> Any:
    return and_(Job.store_id == actor.store_id, Job.created_at >= period.start, Job.created_at < period.end)


def _overdue(today: date) -> Any:
    return case((and_(Job.promised_on < today, Job.stage != DELIVERED), 1), else_=0)


def _name(prefix: str, period: Period) -> str:
    return f"{prefix}-{period.first.isoformat()}-to-{period.last.isoformat()}.xlsx"


# ---------------------------------------------------------------------------- the four reports


def jobs_by_stage(session: Session, actor: Actor, period: Period) -> ReportTable:
    """Jobs taken in during the period by kind and current stage, in the store's stage order."""
    actor.require(VIEW)
    stmt = (
        select(Job.kind, Job.stage, func.count(Job.id), func.sum(_overdue(actor.today())), func.sum(Job.estimate))
        .where(_taken_in(actor, period))
        .group_by(Job.kind, Job.stage)
    )
    found = {(kind, stage): (count, overdue, estimate) for kind, stage, count, overdue, estimate in session.exec(stmt)}
    rows = []
    for kind in KIND_LABELS:
        order = stages_for(session, actor.store_id, kind)
        stages = order + sorted({s for k, s in found if k == kind and s not in order})  # stages since removed
        for stage in stages:
            count, overdue, estimate = found.get((kind, stage), (0, 0, None))
            rows.append(
                {
                    "kind": KIND_LABELS[kind],
                    "stage": stage_label(stage),
                    "delivered": stage == DELIVERED,
                    "jobs": count,
                    "overdue": int(overdue or 0),
                    "estimate": estimate or Decimal("0.00"),
                }
            )
    total = sum(r["jobs"] for r in rows)
    open_jobs = sum(r["jobs"] for r in rows if not r["delivered"])
    return ReportTable(
        title="Jobs by stage",
        filename=_name("jobs-by-stage", period),
        columns=(
            Column("kind", "Kind"),
            Column("stage", "Stage"),
            Column("jobs", "Jobs", kind=Kind.INTEGER),
            Column("overdue", "Overdue", kind=Kind.INTEGER),
            Column("estimate", "Estimates (₹)", kind=Kind.MONEY),
        ),
        rows=rows,
        numeric=frozenset({"jobs", "overdue", "estimate"}),
        summary=(
            ("Jobs taken in", f"{total:,}"),
            ("Not yet delivered", f"{open_jobs:,}"),
            ("Overdue", f"{sum(r['overdue'] for r in rows):,}"),
        ),
    )


def jobs_by_karigar(session: Session, actor: Actor, period: Period) -> ReportTable:
    """Jobs taken in during the period by assigned karigar: in progress, delivered, overdue."""
    actor.require(VIEW)
    delivered = case((Job.stage == DELIVERED, 1), else_=0)
    stmt = (
        select(Karigar.name, func.count(Job.id), func.sum(delivered), func.sum(_overdue(actor.today())))
        .select_from(Job)
        .outerjoin(Karigar, Karigar.id == Job.karigar_id)
        .where(_taken_in(actor, period))
        .group_by(Job.karigar_id, Karigar.name)
        .order_by(Karigar.name)
    )
    rows = [
        {
            "karigar": name or UNASSIGNED,
            "jobs": count,
            "in_progress": count - int(done or 0),
            "delivered": int(done or 0),
            "overdue": int(late or 0),
        }
        for name, count, done, late in session.exec(stmt)
    ]
    rows.sort(key=lambda r: (r["karigar"] == UNASSIGNED, r["karigar"].lower()))
    return ReportTable(
        title="Jobs by karigar",
        filename=_name("jobs-by-karigar", period),
        columns=(
            Column("karigar", "Karigar"),
            Column("jobs", "Jobs", kind=Kind.INTEGER),
            Column("in_progress", "In progress", kind=Kind.INTEGER),
            Column("delivered", "Delivered", kind=Kind.INTEGER),
            Column("overdue", "Overdue", kind=Kind.INTEGER),
        ),
        rows=rows,
        numeric=frozenset({"jobs", "in_progress", "delivered", "overdue"}),
        summary=(
            ("Jobs taken in", f"{sum(r['jobs'] for r in rows):,}"),
            ("With a karigar", f"{sum(r['jobs'] for r in rows if r['karigar'] != UNASSIGNED):,}"),
        ),
    )


def _days(taken: datetime, delivered: datetime) -> Decimal:
    return Decimal(str((delivered - taken).total_seconds())) / DAY_SECONDS


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, ROUND_HALF_UP)


def turnaround(session: Session, actor: Actor, period: Period) -> ReportTable:
    """Days from intake to delivery of the jobs delivered during the period, by kind."""
    actor.require(VIEW)
    stmt = select(Job.kind, Job.created_at, Job.delivered_at).where(
        Job.store_id == actor.store_id, Job.delivered_at >= period.start, Job.delivered_at < period.end
    )
    durations: dict[str, list[Decimal]] = {kind: [] for kind in KIND_LABELS}
    for kind, taken, delivered in session.exec(stmt):
        durations.setdefault(kind, []).append(_days(taken, delivered))
    rows = []
    for kind, days in durations.items():
        if not days:
            continue
        rows.append(
            {
                "kind": KIND_LABELS.get(kind, kind),
                "jobs": len(days),
                "average": _tenth(sum(days, Decimal(0)) / len(days)),
                "median": _tenth(statistics.median(days)),
                "fastest": _tenth(min(days)),
                "slowest": _tenth(max(days)),
            }
        )
    every = [d for days in durations.values() for d in days]
    return ReportTable(
        title="Turnaround time",
        filename=_name("turnaround", period),
        columns=(
            Column("kind", "Kind"),
            Column("jobs", "Delivered", kind=Kind.INTEGER),
            Column("average", "Average days", kind=Kind.DECIMAL),
            Column("median", "Median days", kind=Kind.DECIMAL),
            Column("fastest", "Fastest (days)", kind=Kind.DECIMAL),
            Column("slowest", "Slowest (days)", kind=Kind.DECIMAL),
        ),
        rows=rows,
        numeric=frozenset({"jobs", "average", "median", "fastest", "slowest"}),
        summary=(
            ("Delivered", f"{len(every):,}"),
            ("Median days", f"{_tenth(statistics.median(every))}" if every else "–"),
        ),
        notes=("Days run from intake at the counter to delivery to the customer.",),
    )


def metal_loss(session: Session, actor: Actor, period: Period) -> ReportTable:
    """Per karigar: the jobs whose piece came back during the period, with fine metal issued,
    returned and lost against the karigar's allowance."""
    actor.require(VIEW)
    closing = (
        select(KarigarEntry.karigar_id, KarigarEntry.job_id, KarigarEntry.over_allowance)
        .where(
            KarigarEntry.store_id == actor.store_id,
            KarigarEntry.kind == "piece",
            KarigarEntry.at >= period.start,
            KarigarEntry.at < period.end,
        )
        .subquery()
    )
    fine = KarigarEntry.fine_weight
    stmt = (
        select(
            Karigar.name,
            Karigar.loss_allowance_pct,
            func.count(distinct(closing.c.job_id)),
            func.sum(case((fine > 0, fine), else_=0)),
            func.sum(case((fine < 0, -fine), else_=0)),
            func.count(distinct(case((closing.c.over_allowance, closing.c.job_id)))),
        )
        .select_from(closing)
        .join(
            KarigarEntry,
            and_(KarigarEntry.karigar_id == closing.c.karigar_id, KarigarEntry.job_id == closing.c.job_id),
        )
        .join(Karigar, Karigar.id == closing.c.karigar_id)
        .group_by(Karigar.id, Karigar.name, Karigar.loss_allowance_pct)
        .order_by(Karigar.name)
    )
    rows = []
    for name, allowance, jobs, issued, returned, over in session.exec(stmt):
        issued, returned = issued or ZERO_G, returned or ZERO_G
        rows.append(
            {
                "karigar": name,
                "jobs": jobs,
                "issued": issued,
                "returned": returned,
                "loss": issued - returned,
                "loss_pct": loss_pct(issued, returned),
                "allowance": allowance,
                "over": over,
            }
        )
    issued = sum((r["issued"] for r in rows), ZERO_G)
    returned = sum((r["returned"] for r in rows), ZERO_G)
    return ReportTable(
        title="Metal loss per karigar",
        filename=_name("metal-loss", period),
        columns=(
            Column("karigar", "Karigar"),
            Column("jobs", "Jobs closed", kind=Kind.INTEGER),
            Column("issued", "Fine issued (g)", kind=Kind.WEIGHT),
            Column("returned", "Fine returned (g)", kind=Kind.WEIGHT),
            Column("loss", "Loss (g)", kind=Kind.WEIGHT),
            Column("loss_pct", "Loss %", kind=Kind.PERCENT),
            Column("allowance", "Allowance %", kind=Kind.PERCENT),
            Column("over", "Above allowance"),
        ),
        rows=rows,
        numeric=frozenset({"jobs", "issued", "returned", "loss", "loss_pct", "allowance", "over"}),
        summary=(
            ("Fine issued", f"{issued:.3f} g"),
            ("Loss", f"{issued - returned:.3f} g"),
            ("Loss %", f"{loss_pct(issued, returned)}%"),
            ("Above allowance", f"{sum(r['over'] for r in rows):,}"),
        ),
        notes=("Counts the jobs whose finished piece came back in the period, with all their issues and returns.",),
    )


@dataclass(frozen=True)
class ReportKind:
    """A report the page offers (held as data: a bare function on a Reflex state would become an event)."""

    key: str
    label: str
    build: Callable[[Session, Actor, Period], ReportTable]


REPORTS = (
    ReportKind("stage", "Jobs by stage", jobs_by_stage),
    ReportKind("karigar", "Jobs by karigar", jobs_by_karigar),
    ReportKind("turnaround", "Turnaround time", turnaround),
    ReportKind("loss", "Metal loss per karigar", metal_loss),
)


def build_report(session: Session, actor: Actor, key: str, raw_from: str, raw_to: str) -> ReportTable:
    """The report ``key`` for the period typed on the page."""
    actor.require(VIEW)
    kind = next((r for r in REPORTS if r.key == key), None)
    if kind is None:
        raise ValidationError({"report": "Choose a report."})
    return kind.build(session, actor, parse_period(actor, raw_from, raw_to))


def write_report(path: Path, table: ReportTable) -> int:
    """Write the report to .xlsx (numbers as numbers, notes under the rows); returns the rows written."""
    first = table.columns[0].key
    notes = [{first: note} for note in table.notes]
    return write_table(path, table.columns, [*table.rows, *([{}] if notes else []), *notes], table.title)
