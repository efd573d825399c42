"""Scheduled jobs from manifests, run once per store that enabled the module.

APScheduler fires the triggers; a database lease makes sure that with several
workers each run happens once; every run is recorded in ``core_job_run``.
Cron expressions are read in JEWELERP_TZ (default Asia/Kolkata).

The lease is short (``JEWELERP_JOB_LEASE_SECONDS``, default 120 s) and renewed every quarter of that while
the job runs, so a long job keeps it, and a worker killed mid-run holds it only until it expires: the next
run, on any worker, goes ahead then.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from jewelerp.auth.service import system_actor
from jewelerp.core.models import JobLease, JobRun, Store
from jewelerp.core.module_states import enabled_stores
from jewelerp.db import unit_of_work, utcnow
from jewelerp.registry import Job, Module, Registry, call, get_registry

log = logging.getLogger(__name__)
LEASE_TTL = timedelta(seconds=int(os.environ.get("JEWELERP_JOB_LEASE_SECONDS", "120")))
SAME_FIRING = timedelta(seconds=30)  # workers fired by one cron tick differ by far less; ticks are a minute apart
_RUN_TAG = uuid.uuid4().hex[:6]


def worker_id() -> str:
    """Who holds a lease: this host and process. Read at each call, because granian forks its workers from a
    parent that imported this module (a name fixed at import would be every worker's)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_RUN_TAG}"


def take_lease(
    job_id: str, holder: str | None = None, ttl: timedelta | None = None, fired_at: datetime | None = None
) -> bool:
    """Try to become the one runner of ``job_id`` for ``ttl`` (default :data:`LEASE_TTL`) as ``holder``
    (default :func:`worker_id`); False if another holds a live lease, or, given the moment this worker's
    trigger ``fired_at``, when a run started at most :data:`SAME_FIRING` before it: that firing's run, made by
    a worker that got there first (on SQLite the others wait for its writes and would come after it)."""
    holder, ttl = holder or worker_id(), ttl or LEASE_TTL
    now = utcnow()
    free = or_(JobLease.expires_at <= now, JobLease.holder == holder)
    if fired_at is not None:
        earlier = fired_at - SAME_FIRING
        free = free & or_(JobLease.last_started_at.is_(None), JobLease.last_started_at < earlier)
    try:
        with unit_of_work() as session:
            taken = session.execute(
                update(JobLease)
                .where(JobLease.job_id == job_id, free)
                .values(holder=holder, expires_at=now + ttl, last_started_at=now)
            ).rowcount
            if taken:
                return True
            if session.get(JobLease, job_id) is not None:
                return False
            session.add(JobLease(job_id=job_id, holder=holder, expires_at=now + ttl, last_started_at=now))
        return True
    except IntegrityError:
        return False


@contextlib.contextmanager
def renewing_lease(job_id: str, holder: str | None = None, ttl: timedelta | None = None) -> Iterator[None]:
    """Keep the lease on ``job_id`` alive while the block runs: renewed every quarter of its time to live."""
    holder, ttl = holder or worker_id(), ttl or LEASE_TTL
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(ttl.total_seconds() / 4):
            with contextlib.suppress(Exception), unit_of_work() as session:  # a missed renewal: the next one
                session.execute(
                    update(JobLease)
                    .where(JobLease.job_id == job_id, JobLease.holder == holder)
                    .values(expires_at=utcnow() + ttl)
                )

    renewer = threading.Thread(target=renew, name=f"lease {job_id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()


def release_lease(job_id: str, holder: str | None = None) -> None:
    """Give the lease back so the next run need not wait for it to expire (the row stays: it remembers when
    the run started)."""
    holder = holder or worker_id()
    with unit_of_work() as session:
        session.execute(
            update(JobLease).where(JobLease.job_id == job_id, JobLease.holder == holder).values(expires_at=utcnow())
        )


def run_job(job_id: str, trigger: str = "schedule", registry: Registry | None = None) -> JobRun | None:
    """Run a job for every store that enabled its module; None when another worker holds it or, for a
    scheduled run, has just run it for the same firing."""
    fired_at = utcnow()
    registry = registry or get_registry()
    module, job = registry.job(job_id)
    if not take_lease(job_id, fired_at=fired_at if trigger == "schedule" else None):
        log.info("job %s skipped: another worker runs it or has just run it", job_id)
        return None
    try:
        with renewing_lease(job_id):
            return _run_for_stores(module, job, trigger)
    finally:
        release_lease(job_id)


def _run_for_stores(module: Module, job: Job, trigger: str) -> JobRun:
    """One recorded run of ``job``: for each store that enabled its module (or once), each in its own unit of
    work, so a failing store does not stop the others."""
    with unit_of_work() as session:
        run = JobRun(job_id=job.id, trigger=trigger)
        session.add(run)
        session.flush()
        targets: list[int | None] = _stores_for(session, module.name, module.core) if job.per_store else [None]
    done, errors = [], []
    for store_id in targets:
        try:
            with unit_of_work() as session:
                actor = system_actor(session, store_id) if store_id is not None else None
                session.info["actor"] = actor
                call(job.func)(session, actor)
            done.append(actor.store_code if actor else "all stores")
        except Exception as exc:  # a failing store must not stop the others
            log.exception("job %s failed in store %s", job.id, store_id)
            errors.append(f"store {store_id}: {exc}\n{traceback.format_exc(limit=3)}")
    with unit_of_work() as session:
        run.finished_at = utcnow()
        run.status = "failed" if errors else "ok"
        run.stores = ", ".join(done)
        run.error = "\n".join(errors)
        if job.quiet and not errors and trigger == "schedule":
            session.execute(delete(JobRun).where(JobRun.id == run.id))  # nothing worth reading
        else:
            session.add(run)
    return run


def _stores_for(session: Session, module: str, core: bool) -> list[int]:
    if core:
        return list(session.exec(select(Store.id).where(Store.active)))
    return enabled_stores(session, module)


def build_scheduler(registry: Registry | None = None) -> BackgroundScheduler:
    """A scheduler with every manifest job added (not started)."""
    registry = registry or get_registry()
    tz = os.environ.get("JEWELERP_TZ", "Asia/Kolkata")
    scheduler = BackgroundScheduler(
        timezone=tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    for _module, job in registry.jobs():
        scheduler.add_job(
            run_job, CronTrigger.from_crontab(job.cron, timezone=tz), args=[job.id], id=job.id, name=job.title
        )
    return scheduler


@contextlib.asynccontextmanager
async def lifespan(*_args: object) -> AsyncIterator[None]:
    """Start the scheduler with the app and stop it on shutdown (JEWELERP_SCHEDULER=off disables)."""
    if os.environ.get("JEWELERP_SCHEDULER", "on") == "off":
        yield
        return
    scheduler = build_scheduler()
    scheduler.start()
    try:
        yield
    finally:
        scheduler.shutdown(wait=False)
