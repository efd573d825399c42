"""A customer's own jobs (for a portal), and a stage move announced on the job's own live channel."""

from __future__ import annotations

from jewelerp import live
from jewelerp.db import read_session, unit_of_work
from modules.repairs.api import customer_jobs, job_channel
from modules.repairs.stages import move_job
from tests.modules.repairs.intake import customer, intake


def test_only_the_customers_jobs_of_the_store_are_listed(world):
    manager = world.actor("manager")
    asha, ravi = customer(manager, "Asha Rao"), customer(manager, "Ravi Menon")
    first, second = intake(manager, asha), intake(manager, asha)
    intake(manager, ravi)
    with read_session() as session:
        assert [j.id for j in customer_jobs(session, manager, (asha,))] == [second.id, first.id]
        assert customer_jobs(session, world.actor("manager", world.dl), (asha,)) == []
        assert customer_jobs(session, manager, ()) == []


def test_a_stage_move_is_announced_on_the_jobs_channel(world, monkeypatch):
    manager = world.actor("manager")
    job = intake(manager, customer(manager, "Asha Rao"))
    pushed: list[str] = []
    monkeypatch.setattr(live, "push_soon", pushed.append)
    with unit_of_work(manager) as session:
        move_job(session, manager, job.id, "estimated")
    assert job_channel(job.id) in pushed
