"""Scheduled jobs with several worker processes: a run happens once however many workers fire it, a long run
keeps its lease, and a worker killed mid-run holds the job only until its lease expires."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from jewelerp import scheduler
from jewelerp.core.manifest import CORE
from jewelerp.core.models import JobLease, JobRun
from jewelerp.db import get_engine, read_session, reset_engine
from jewelerp.registry import Job, Module, Registry, set_registry
from jewelerp.testing import make_world

HERE = "tests.core.test_job_workers"
HANG_ENV = "JEWELERP_TEST_JOB_HANGS"  # set in a worker whose run must never finish by itself
WORKERS = 4
SLOW = Module(
    name="slowpoke",
    title="Slowpoke",
    version="1.0",
    summary="Jobs that take their time",
    jobs=(
        Job("slowpoke.tally", "* * * * *", f"{HERE}:tally", "Tally the day"),
        Job("slowpoke.stuck", "* * * * *", f"{HERE}:stuck", "A run that hangs in a worker"),
    ),
)


def tally(_session: Session, _actor: object) -> None:
    """Long enough that the workers fired at the same moment overlap."""
    time.sleep(0.5)


def stuck(_session: Session, _actor: object) -> None:
    """Hangs in the worker that will be killed (inside its unit of work: on SQLite the other workers' writes
    wait for it until it dies); quick everywhere else."""
    if os.environ.get(HANG_ENV):
        time.sleep(600)


def _worker(job_id: str, start: multiprocessing.synchronize.Barrier | None, results, hang: bool) -> None:
    """One worker process: fire ``job_id`` (all together when given a barrier) and report whether it ran."""
    if hang:
        os.environ[HANG_ENV] = "1"
    if start is not None:
        start.wait(timeout=30)
    results.put(scheduler.run_job(job_id) is not None)


@pytest.fixture
def slow_world(db, registry, monkeypatch):
    reg = Registry([CORE, SLOW])
    set_registry(reg)
    make_world(reg)
    monkeypatch.setattr(scheduler, "LEASE_TTL", timedelta(seconds=2))  # renewed every half second
    monkeypatch.setattr(scheduler, "SAME_FIRING", timedelta(seconds=1))  # ticks a few seconds apart, not minutes
    reset_engine()  # no pooled connection may cross the fork
    return multiprocessing.get_context("fork")


def _runs(job_id: str) -> list[JobRun]:
    with read_session() as session:
        return list(session.exec(select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.id)))


def _lease_expiry(job_id: str):
    """When the job's lease runs out (read beside a running job: SQLite lets readers in while it writes)."""
    with read_session() as session:
        return session.get(JobLease, job_id).expires_at


def test_four_workers_firing_the_same_job_at_once_run_it_once(slow_world):
    start, results = slow_world.Barrier(WORKERS), slow_world.Queue()
    workers = [slow_world.Process(target=_worker, args=("slowpoke.tally", start, results, False)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(results.get(timeout=5) for _ in workers) == [False, False, False, True]
    assert [(run.status, run.stores) for run in _runs("slowpoke.tally")] == [("ok", "MUM, DEL")]


def _start_stuck_worker(context: multiprocessing.context.BaseContext) -> multiprocessing.Process:
    """A worker whose run of ``slowpoke.stuck`` hangs; returns once its run is recorded."""
    worker = context.Process(target=_worker, args=("slowpoke.stuck", None, context.Queue(), True))
    worker.start()
    deadline = time.monotonic() + 20
    while not _runs("slowpoke.stuck") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [run.finished_at for run in _runs("slowpoke.stuck")] == [None]  # running in the worker
    return worker


def test_a_worker_killed_mid_run_holds_the_job_only_until_its_lease_expires(slow_world):
    worker = _start_stuck_worker(slow_world)
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(timeout=10)
    assert scheduler.run_job("slowpoke.stuck") is None  # the dead worker's lease is still live for a moment
    time.sleep(2.5)
    run = scheduler.run_job("slowpoke.stuck")  # the next firing, once the lease has run out
    assert run is not None and run.status == "ok"
    killed, done = _runs("slowpoke.stuck")
    assert killed.finished_at is None and done.finished_at is not None  # the killed run stays unfinished


def test_a_long_run_keeps_renewing_its_lease(slow_world):
    if get_engine().dialect.name != "postgresql":
        pytest.skip("on SQLite the renewal waits for the job's own write lock, as every other worker's writes do")
    worker = _start_stuck_worker(slow_world)
    first = _lease_expiry("slowpoke.stuck")
    time.sleep(3)  # longer than the lease's 2 s
    assert _lease_expiry("slowpoke.stuck") > first + timedelta(seconds=2)
    assert scheduler.run_job("slowpoke.stuck") is None  # still held by the running worker
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(timeout=10)
