"""What the repairs pages show: the jobs list (search by number, customer, phone or item, built with the filters
because a phone is matched whole for viewers who see it masked; filters for kind,
stage and what is due; sorting and Excel export through the platform's data table) and one job's facts,
stones, photos and stage history as text. Plain Python, no Reflex."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import User
from jewelerp.money import format_inr
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from modules.clienteling.api import PII, searched_phone, shown_phone
from modules.repairs.jobs import job_stones
from modules.repairs.models import Job, Karigar
from modules.repairs.payments import amount_paid, balance_after
from modules.repairs.photos import job_photos
from modules.repairs.records import KIND_LABELS, get_job, status_url
from modules.repairs.stages import DELIVERED, next_stage, stage_history, stage_label, stages_for

DUE = (
    ("open", "Not yet delivered"),
    ("overdue", "Overdue"),
    ("today", "Due today"),
    ("tomorrow", "Due tomorrow"),
    ("delivered", "Delivered"),
)


def stage_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """Every stage of the store's repairs and custom orders, each once, in order."""
    seen: dict[str, str] = {}
    for kind in KIND_LABELS:
        for stage in stages_for(session, actor.store_id, kind):
            seen.setdefault(stage, stage_label(stage))
    return list(seen.items())


def _due(stmt: Select, actor: Actor, due: str) -> Select:
    today = actor.today()
    open_jobs = stmt.where(Job.stage != DELIVERED)
    if due == "open":
        return open_jobs
    if due == "overdue":
        return open_jobs.where(Job.promised_on < today)
    if due == "today":
        return open_jobs.where(Job.promised_on == today)
    if due == "tomorrow":
        return open_jobs.where(Job.promised_on == today + timedelta(days=1))
    if due == "delivered":
        return stmt.where(Job.stage == DELIVERED)
    return stmt


def _base(actor: Actor, q: TableQuery) -> Select:
    stmt = select(Job, User.name).join(User, User.id == Job.assigned_user_id, isouter=True)
    stmt = stmt.where(Job.store_id == actor.store_id)
    if q.filters.get("kind") in KIND_LABELS:
        stmt = stmt.where(Job.kind == q.filters["kind"])
    if q.filters.get("stage"):
        stmt = stmt.where(Job.stage == q.filters["stage"])
    stmt = _due(stmt, actor, q.filters.get("due", ""))
    return stmt.where(_search(actor, q.search)) if q.search else stmt


def _search(actor: Actor, typed: str) -> Any:
    """Part of the job number, customer name or item; the customer's phone in part only with the PII
    permission, otherwise only the whole number (any format), so a masked phone cannot be read back."""
    like = f"%{typed.lower()}%"
    clauses = [func.lower(c).like(like) for c in (Job.number, Job.customer_name, Job.item_description)]
    if actor.can(PII):
        clauses.append(Job.customer_phone.like(like))
    elif phone := searched_phone(actor, typed):
        clauses.append(Job.customer_phone == phone)
    return or_(*clauses)


def _row(r: Any, actor: Actor) -> dict[str, Any]:
    job, assigned = r
    return {
        "number": job.number,
        "_link": f"/repairs/jobs/{job.id}",
        "kind": KIND_LABELS.get(job.kind, job.kind),
        "customer": job.customer_name,
        "item": job.item_description,
        "stage": stage_label(job.stage),
        "promised": job.promised_on,
        "estimate": job.estimate,
        "assigned": assigned or "",
        "taken": actor.local(job.created_at).date(),
    }


JOBS = TableSpec(
    name="repairs-jobs",
    title="Repair and custom-order jobs",
    permission="repairs.job.view",
    columns=(
        Column("number", "Job"),
        Column("kind", "Kind", sortable=False),
        Column("customer", "Customer"),
        Column("item", "Item", sortable=False, wrap=True),
        Column("stage", "Stage", sortable=False),
        Column("promised", "Promised", kind=Kind.DATE),
        Column("estimate", "Estimate", sortable=False, kind=Kind.MONEY, shown=format_inr),
        Column("assigned", "Assigned to", sortable=False),
        Column("taken", "Taken in", kind=Kind.DATE),
    ),
    base=_base,
    row=_row,
    sort_columns={"number": Job.id, "customer": Job.customer_name, "promised": Job.promised_on, "taken": Job.id},
    default_sort="taken",
    newest_first=True,
    filters=(
        Filter("kind", "Kinds", tuple(KIND_LABELS.items())),
        Filter("stage", "Stages", options_loader=stage_options),
        Filter("due", "Due", DUE, all_label="Any date"),
    ),
)


# ---------------------------------------------------------------------------- one job


def _grams(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.3f} g"


def _when(actor: Actor, moment: datetime | None) -> str:
    return f"{actor.local(moment):%d %b %Y %H:%M}" if moment else ""


def _names(session: Session, job: Job) -> tuple[str, str]:
    user = session.get(User, job.assigned_user_id) if job.assigned_user_id else None
    karigar = session.get(Karigar, job.karigar_id) if job.karigar_id else None
    return (user.name if user else ""), (karigar.name if karigar else "")


def _stage_facts(session: Session, job: Job) -> dict[str, str]:
    """The stage, the stage after it and whether the job is ready to be delivered."""
    stages = stages_for(session, job.store_id, job.kind)
    upcoming = next_stage(session, job)
    return {
        "stage": job.stage,
        "stage_label": stage_label(job.stage),
        "next_stage": upcoming if upcoming and upcoming != DELIVERED else "",
        "next_label": stage_label(upcoming) if upcoming and upcoming != DELIVERED else "",
        "deliverable": "yes" if len(stages) > 1 and job.stage == stages[-2] else "",
        "delivered": "yes" if job.stage == DELIVERED else "",
    }


def job_details(session: Session, actor: Actor, job_id: int) -> dict[str, str]:
    """Everything the job page shows about a job of the actor's store, as text."""
    job = get_job(session, actor, job_id)
    assigned, karigar = _names(session, job)
    paid = amount_paid(session, actor, job)  # asks the payment hook once
    accepted = f"by {job.terms_accepted_by} on {_when(actor, job.terms_accepted_at)}" if job.terms_accepted_at else ""
    details = {
        "id": str(job.id),
        "number": job.number,
        "kind": job.kind,
        "kind_label": KIND_LABELS.get(job.kind, job.kind),
        "customer": job.customer_name,
        "customer_id": str(job.customer_id or ""),
        "phone": shown_phone(actor, job.customer_phone),
        "item": job.item_description,
        "work": job.requested_work,
        "promised": f"{job.promised_on:%d %b %Y}" if job.promised_on else "",
        "estimate": format_inr(job.estimate),
        "deposit": format_inr(job.deposit),
        "final_charge": format_inr(job.final_charge) if job.final_charge > 0 else "",
        "paid": format_inr(paid),
        "balance": format_inr(balance_after(job, paid)),
        "weight_in": _grams(job.weight_in),
        "weight_out": _grams(job.weight_out),
        "fineness": str(job.metal_fineness or ""),
        "condition": job.condition_notes,
        "warranty": f"{job.warranty_days} days" if job.warranty_days else "",
        "terms": accepted,
        "assigned": assigned,
        "assigned_id": str(job.assigned_user_id or ""),
        "karigar": karigar,
        "karigar_id": str(job.karigar_id or ""),
        "taken": f"{_when(actor, job.created_at)} by {job.created_by}".strip(),
        "delivered_at": _when(actor, job.delivered_at),
        "override": f"{job.override_by}: {job.override_note}" if job.override_by else "",
        "link": status_url(session, job) if job.token_revoked_at is None else "",
        "piece_id": str(job.piece_id or ""),
    }
    return details | _stage_facts(session, job)


def stone_rows(session: Session, actor: Actor, job_id: int, phase: str = "in") -> list[dict[str, str]]:
    """The job's stones of one phase as text."""
    return [
        {"kind": s.kind, "count": str(s.count), "carats": f"{s.carats:.3f}", "inscription": s.inscription}
        for s in job_stones(session, actor, job_id, phase)
    ]


def photo_rows(session: Session, actor: Actor, job_id: int) -> list[dict[str, str]]:
    """The job's photos: upload path, caption, whether shared, who took it and when."""
    return [
        {
            "id": str(p.id),
            "path": p.path,
            "caption": p.caption,
            "shared": "yes" if p.shared else "",
            "taken": f"{_when(actor, p.taken_at)} · {p.taken_by}",
        }
        for p in job_photos(session, actor, job_id)
    ]


def history_rows(session: Session, actor: Actor, job_id: int) -> list[dict[str, str]]:
    """The job's stage moves, newest first."""
    return [
        {
            "at": _when(actor, m.at),
            "from": stage_label(m.from_stage) if m.from_stage else "",
            "to": stage_label(m.to_stage),
            "note": m.note,
            "by": m.user_name,
            "skipped": "yes" if m.skipped else "",
        }
        for m in reversed(stage_history(session, actor, job_id))
    ]


def move_choices(session: Session, job: Job) -> list[tuple[str, str]]:
    """Stages a person may pick to move the job to (the next one first; "delivered" is the delivery form's)."""
    stages = [s for s in stages_for(session, job.store_id, job.kind) if s not in (job.stage, DELIVERED)]
    upcoming = next_stage(session, job)
    if upcoming in stages:
        stages.remove(upcoming)
        stages.insert(0, upcoming)
    return [(s, stage_label(s)) for s in stages]
