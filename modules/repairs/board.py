"""The workshop board: a store's open jobs of one kind by stage, and its two queues.

Every column shows at most ``per_column`` cards (the most urgent first: earliest promised date,
then the oldest job) with the column's full count, so a store with thousands of jobs loads the
same few dozen rows. The queues list open jobs past their promised date (in the store's time
zone) and jobs that have stayed in one stage longer than the store's ``repairs.held_days``.
Delivered jobs are not on the board.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, func, select, union
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from jewelerp.errors import JewelError
from modules.repairs.models import Job, Karigar
from modules.repairs.records import KIND_LABELS, get_job
from modules.repairs.stages import DELIVERED, move_job, stage_label, stages_for

JOBS_ROUTE = "/repairs/jobs"
PER_COLUMN = 25
QUEUE_LIMIT = 25


@dataclass
class Card:
    """One job as the board shows it (texts already formatted for the store)."""

    id: int
    number: str
    customer: str
    item: str
    stage: str
    stage_title: str
    promised: str
    karigar: str
    days_in_stage: int
    overdue: bool
    held: bool
    next_stage: str  # "" when the job leaves its stage only by delivery or by drag
    next_title: str


@dataclass
class Column:
    """A stage with its first cards and how many open jobs it holds in all."""

    stage: str
    title: str
    total: int
    cards: list[Card] = field(default_factory=list)
    link: str = ""  # the job list filtered to this column, for the cards past the cap


@dataclass
class Board:
    """What the board page shows for one kind of job."""

    kind: str
    columns: list[Column]
    overdue: list[Card]
    overdue_total: int
    held: list[Card]
    held_total: int
    held_days: int
    overdue_link: str = ""


@dataclass(frozen=True)
class _Context:
    """What every card needs to know about the store: its stages, today and the held limit."""

    stages: list[str]
    today: date
    held_since: datetime


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns naive UTC


def _open_stages(session: Session, store_id: int, kind: str, stages: list[str]) -> list[str]:
    """The board's stages: the store's open ones, then any stage open jobs still sit in after the
    store renamed or removed it (so no job drops off the board)."""
    outside = (Job.store_id == store_id, Job.kind == kind, Job.stage.not_in(stages))
    # two range scans of the (store, stage) index either side of "delivered" skip the delivered jobs
    below = select(Job.stage).where(*outside, Job.stage < DELIVERED)
    above = select(Job.stage).where(*outside, Job.stage > DELIVERED)
    return [s for s in stages if s != DELIVERED] + sorted(session.scalars(union(below, above)))


def _jobs(store_id: int, kind: str, stages: list[str]) -> Select:
    return (
        select(Job, Karigar.name)
        .outerjoin(Karigar, Karigar.id == Job.karigar_id)
        .where(Job.store_id == store_id, Job.kind == kind, Job.stage.in_(stages))
    )


def _urgent_first(stmt: Select) -> Select:
    return stmt.order_by(Job.promised_on.is_(None), Job.promised_on, Job.id)


def _card(job: Job, karigar: str | None, ctx: _Context, now: datetime) -> Card:
    since = _aware(job.stage_since)
    following = ""
    if job.stage in ctx.stages and job.stage != DELIVERED:
        following = ctx.stages[ctx.stages.index(job.stage) + 1]
        following = "" if following == DELIVERED else following
    return Card(
        id=job.id,
        number=job.number,
        customer=job.customer_name,
        item=job.item_description,
        stage=job.stage,
        stage_title=stage_label(job.stage),
        promised=job.promised_on.strftime("%d %b %Y") if job.promised_on else "",
        karigar=karigar or "",
        days_in_stage=max(0, (now - since).days),
        overdue=job.promised_on is not None and job.promised_on < ctx.today,
        held=since < ctx.held_since,
        next_stage=following,
        next_title=stage_label(following) if following else "",
    )


def _list_link(**filters: str) -> str:
    return f"{JOBS_ROUTE}?{urlencode(filters)}"


def _count(session: Session, stmt: Select) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _queue(
    session: Session, base: Select, condition: ColumnElement[bool], order: tuple, ctx: _Context, now: datetime
) -> tuple[list[Card], int]:
    stmt = base.where(condition)
    rows = session.execute(stmt.order_by(*order).limit(QUEUE_LIMIT)).all()
    return [_card(job, name, ctx, now) for job, name in rows], _count(session, stmt)


def load_board(session: Session, actor: Actor, kind: str, per_column: int = PER_COLUMN) -> Board:
    """The actor's store's open jobs of ``kind`` ("repair" or "custom") by stage, with the two queues."""
    actor.require("repairs.job.view")
    if kind not in KIND_LABELS:
        raise JewelError(f"Unknown kind of job '{kind}'.")
    store_id, now = actor.store_id, utcnow()
    held_days = int(get_setting(session, store_id, "repairs.held_days"))
    ctx = _Context(stages_for(session, store_id, kind), actor.local(now).date(), now - timedelta(days=held_days))
    columns_stages = _open_stages(session, store_id, kind, ctx.stages)
    base = _jobs(store_id, kind, columns_stages)
    totals = dict(
        session.execute(
            select(Job.stage, func.count())
            .where(Job.store_id == store_id, Job.kind == kind, Job.stage.in_(columns_stages))
            .group_by(Job.stage)
        ).all()
    )
    columns = []
    for stage in columns_stages:
        rows = session.execute(_urgent_first(base.where(Job.stage == stage)).limit(per_column)).all()
        cards = [_card(job, name, ctx, now) for job, name in rows]
        link = _list_link(kind=kind, stage=stage)
        columns.append(Column(stage, stage_label(stage), totals.get(stage, 0), cards, link))
    overdue, overdue_total = _queue(session, base, Job.promised_on < ctx.today, (Job.promised_on, Job.id), ctx, now)
    held, held_total = _queue(session, base, Job.stage_since < ctx.held_since, (Job.stage_since, Job.id), ctx, now)
    overdue_link = _list_link(kind=kind, due="overdue")
    return Board(kind, columns, overdue, overdue_total, held, held_total, held_days, overdue_link)


def move_card(session: Session, actor: Actor, job_id: int, from_stage: str, to_stage: str) -> str:
    """Move a card from the column it was seen in to ``to_stage`` (refused if someone moved it meanwhile,
    or by the stage rules); returns the job's number."""
    move_job(session, actor, job_id, to_stage, from_stage=from_stage)
    return get_job(session, actor, job_id).number
