"""The daily reminder (job ``repairs.remind``): staff hear of open jobs due tomorrow and jobs past their
promised date. Each assigned person gets one notice about their jobs; unassigned jobs go to the managers."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.notifications import notify_staff
from modules.repairs.models import Job
from modules.repairs.stages import DELIVERED

LISTED = 15


def _numbers(jobs: list[Job]) -> str:
    shown = ", ".join(job.number for job in jobs[:LISTED])
    return shown + (f" and {len(jobs) - LISTED} more" if len(jobs) > LISTED else "")


def _summary(due: list[Job], overdue: list[Job]) -> tuple[str, str]:
    """The notice's title and body for one person's jobs."""
    parts, lines = [], []
    if due:
        parts.append(f"{len(due)} due tomorrow")
        lines.append(f"Due tomorrow: {_numbers(due)}")
    if overdue:
        parts.append(f"{len(overdue)} overdue")
        lines.append(f"Overdue: {_numbers(overdue)}")
    return f"Repairs: {', '.join(parts)}", "\n".join(lines)


def remind(session: Session, actor: Actor) -> int:
    """Notify staff of the store's open jobs due tomorrow or overdue; returns how many notices were left."""
    actor.require("repairs.job.view")
    today = actor.today()
    tomorrow = today + timedelta(days=1)
    jobs = session.exec(
        select(Job)
        .where(
            Job.store_id == actor.store_id,
            Job.stage != DELIVERED,
            Job.promised_on.is_not(None),
            (Job.promised_on < today) | (Job.promised_on == tomorrow),
        )
        .order_by(Job.promised_on, Job.id)
    )
    groups: dict[int | None, list[Job]] = defaultdict(list)
    for job in jobs:
        groups[job.assigned_user_id].append(job)
    left = 0
    for user_id, own in groups.items():
        title, body = _summary([j for j in own if j.promised_on == tomorrow], [j for j in own if j.promised_on < today])
        who = {"user_ids": [user_id]} if user_id else {"role": "manager"}
        left += len(notify_staff(session, actor.store_id, **who, title=title, body=body, link="/repairs/jobs"))
    return left
