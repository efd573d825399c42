"""Repairs' dashboard card: open jobs promised for today, and the overdue ones (longest overdue first)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from jewelerp.dashboard import DashboardFilters
from jewelerp.db import read_session, unit_of_work
from modules.repairs.cards import due_card
from modules.repairs.models import Job
from tests.modules.repairs.intake import customer, intake


def _promise(job_id: int, days: int, stage: str = "") -> None:
    """Move a job's promised date ``days`` from today (and its stage), as if time had passed."""
    with unit_of_work() as session:
        job = session.get(Job, job_id)
        job.promised_on = job.promised_on + timedelta(days=days - 5)  # intake promises five days ahead
        job.stage = stage or job.stage
        session.add(job)


def test_jobs_due_today_and_overdue_per_branch(world):
    manager, delhi = world.actor("manager"), world.actor("manager", world.dl)
    kavya = customer(manager)
    today_job = intake(manager, kavya).id
    delivered = intake(manager, kavya).id
    three_late = intake(manager, kavya).id
    one_late = intake(manager, kavya).id
    later = intake(manager, kavya).id  # promised in five days: neither
    _promise(today_job, 0)
    _promise(delivered, 0, "delivered")
    _promise(three_late, -3)
    _promise(one_late, -1)
    _promise(intake(delhi, customer(delhi, "Neha Kapoor")).id, -2)
    today = manager.today()
    with read_session() as session:
        mumbai = due_card(session, manager, DashboardFilters(today, today, (world.mum,)))
        both = due_card(session, manager, DashboardFilters(today, today, (world.mum, world.dl)))
        numbers = {j.id: j.number for j in session.scalars(select(Job))}
    assert (mumbai.value, mumbai.caption) == ("1", "2 overdue")
    assert [r.link for r in mumbai.rows] == [f"/repairs/jobs/{three_late}", f"/repairs/jobs/{one_late}"]
    assert mumbai.rows[0].label == f"{numbers[three_late]} · Kavya Iyer"
    assert mumbai.rows[0].value == f"due {today - timedelta(days=3):%d %b}"
    assert later not in [int(r.link.rsplit("/", 1)[1]) for r in both.rows]
    assert (both.value, both.caption, len(both.rows)) == ("1", "3 overdue", 3)
