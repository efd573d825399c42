"""Scheduler: one runner per job across workers, runs recorded, only enabled stores act."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import select

from jewelerp import scheduler
from jewelerp.core.models import JobRun
from jewelerp.core.module_states import disable_module
from jewelerp.db import read_session, unit_of_work
from jewelerp.registry import Job, set_registry
from tests.conftest import make_world
from tests.core.sample_modules import CALLS, CATALOG, sample_registry


@pytest.fixture
def sample(db, registry):
    failing = replace(
        CATALOG,
        name="flaky",
        title="Flaky",
        pages=(),
        permissions=(),
        settings=(),
        emits=(),
        extension_points=(),
        jobs=(Job("flaky.feed", "*/5 * * * *", "tests.core.sample_modules:broken", "Feed"),),
    )
    reg = sample_registry(failing)
    set_registry(reg)
    return make_world(reg)


def test_run_happens_for_each_enabled_store_and_is_recorded(sample):
    CALLS.clear()
    with unit_of_work() as session:
        disable_module(session, None, "orders", sample.dl)
        disable_module(session, None, "catalog", sample.dl)
    run = scheduler.run_job("catalog.nightly", trigger="manual")
    assert CALLS == [("nightly", "MUM")]
    assert (run.status, run.stores, run.trigger) == ("ok", "MUM", "manual")
    with read_session() as session:
        stored = session.exec(select(JobRun)).one()
    assert stored.finished_at is not None and stored.status == "ok"


def test_a_held_lease_stops_a_second_worker(sample):
    CALLS.clear()
    assert scheduler.take_lease("catalog.nightly", holder="other-worker")
    assert scheduler.run_job("catalog.nightly") is None
    assert CALLS == []
    scheduler.release_lease("catalog.nightly", holder="other-worker")
    assert scheduler.run_job("catalog.nightly") is None  # the other worker ran this firing
    assert CALLS == []
    assert scheduler.run_job("catalog.nightly", trigger="manual").status == "ok"  # asked for by hand: runs


def test_an_expired_lease_can_be_taken_over(sample):
    from datetime import timedelta

    assert scheduler.take_lease("catalog.nightly", holder="dead-worker", ttl=timedelta(seconds=-1))
    assert scheduler.take_lease("catalog.nightly", holder="me")
    assert not scheduler.take_lease("catalog.nightly", holder="third")


def test_failures_are_recorded_with_the_error(sample):
    run = scheduler.run_job("flaky.feed")
    assert run.status == "failed"
    assert "supplier feed unreachable" in run.error


def test_scheduler_has_every_manifest_job_with_explicit_defaults(sample):
    built = scheduler.build_scheduler()
    expected = {"catalog.nightly", "flaky.feed", "core.purge_stale_records", "core.outbox", "core.event_deliveries"}
    assert {j.id for j in built.get_jobs()} == expected
    assert built._job_defaults["misfire_grace_time"] == 3600
    assert built._job_defaults["coalesce"] is True


def test_housekeeping_runs_once_for_the_chain_and_keeps_live_records(sample):
    from datetime import timedelta

    from jewelerp.core.models import AuthSession, LoginAttempt
    from jewelerp.db import utcnow

    old = utcnow() - timedelta(days=40)
    with unit_of_work() as session:
        session.add(LoginAttempt(email="a@b.in", at=old))
        session.add(LoginAttempt(email="a@b.in"))
        session.add(AuthSession(token_hash="old", user_id=sample.users["sales"], expires_at=old))
        session.add(
            AuthSession(token_hash="live", user_id=sample.users["sales"], expires_at=utcnow() + timedelta(hours=1))
        )
    run = scheduler.run_job("core.purge_stale_records")
    assert (run.status, run.stores) == ("ok", "all stores")
    with read_session() as session:
        assert len(session.exec(select(LoginAttempt)).all()) == 1
        assert [s.token_hash for s in session.exec(select(AuthSession))] == ["live"]
