"""Home dashboard card of the repairs module: jobs promised for today and those overdue."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.dashboard import CardRow, CardValue, DashboardFilters
from modules.repairs.models import Job
from modules.repairs.stages import DELIVERED

LISTED = 5


def due_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """Open (undelivered) jobs of the dashboard's branches promised for today, and those past their date,
    the longest overdue listed first."""
    today = actor.today()
    open_jobs = (Job.store_id.in_(filters.store_ids), Job.stage != DELIVERED)
    due = session.execute(select(func.count()).where(*open_jobs, Job.promised_on == today)).scalar_one()
    late = (*open_jobs, Job.promised_on < today)
    overdue = session.execute(select(func.count()).where(*late)).scalar_one()
    oldest = session.execute(
        select(Job.id, Job.number, Job.customer_name, Job.promised_on)
        .where(*late)
        .order_by(Job.promised_on, Job.id)
        .limit(LISTED)
    ).all()
    rows = tuple(
        CardRow(f"{j.number} · {j.customer_name}", f"due {j.promised_on:%d %b}", f"/repairs/jobs/{j.id}")
        for j in oldest
    )
    caption = f"{overdue} overdue" if overdue else "nothing overdue"
    return CardValue(str(due), caption, "/repairs/board", rows=rows)
