"""Repairs' section of the customer 360 page (clienteling's extension point ``"clienteling.customer360"``)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.money import format_inr
from modules.repairs.models import Job
from modules.repairs.records import KIND_LABELS
from modules.repairs.stages import stage_label

SHOWN = 20
COLUMNS = (
    ("number", "Job"),
    ("kind", "Kind"),
    ("item", "Item"),
    ("stage", "Stage"),
    ("promised", "Promised"),
    ("estimate", "Estimate"),
    ("taken", "Taken in"),
)


def _row(job: Job, actor: Actor) -> dict[str, str]:
    return {
        "number": job.number,
        "kind": KIND_LABELS.get(job.kind, job.kind),
        "item": job.item_description,
        "stage": stage_label(job.stage),
        "promised": f"{job.promised_on:%d %b %Y}" if job.promised_on else "",
        "estimate": format_inr(job.estimate),
        "taken": f"{actor.local(job.created_at):%d %b %Y}",
    }


def customer_jobs(session: Session, actor: Actor, customer_id: int) -> dict[str, Any] | None:
    """The customer's latest 20 jobs in the actor's store, newest first; None when there are none or the
    actor may not see jobs."""
    if not actor.can("repairs.job.view"):
        return None
    jobs = session.exec(
        select(Job)
        .where(Job.store_id == actor.store_id, Job.customer_id == customer_id)
        .order_by(Job.id.desc())
        .limit(SHOWN)
    ).all()
    if not jobs:
        return None
    return {
        "title": "Repairs and custom orders",
        "columns": list(COLUMNS),
        "rows": [_row(job, actor) for job in jobs],
    }
