"""Scheduled jobs from manifests, run once per store that enabled the module.

APScheduler fires the triggers; a database lease makes sure that with several
workers each run happens once; every run is recorded in ``core_job_run``.
Cron expressions are read in JEWELERP_TZ (default Asia/Kolkata).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import traceback
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from jewelerp.auth.service import system_actor
from jewelerp.core.models import JobLease, JobRun, Store
from jewelerp.core.module_states import enabled_stores
from jewelerp.db import unit_of_work, utcnow
from jewelerp.registry import Registry, call, get_registry

log = logging.getLogger(__name__)
LEASE_TTL = timedelta(minutes=30)
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def take_lease(job_id: str, holder: str = WORKER_ID, ttl: timedelta = LEASE_TTL) -> bool:
    """Try to become the one runner of ``job_id``; False if another holds a live lease."""
    now = utcnow()
    try:
        with unit_of_work() as session:
            taken = session.execute(
                update(JobLease)
                .where(JobLease.job_id == job_id, or_(JobLease.expires_at <= now, JobLease.holder == holder))
                .values(holder=holder, expires_at=now + ttl)
            ).rowcount
            if taken:
                return True
            if session.get(JobLease, job_id) is not None:
                return False
            session.add(JobLease(job_id=job_id, holder=holder, expires_at=now + ttl))
        return True
    except IntegrityError:
        return False


def release_lease(job_id: str, holder: str = WORKER_ID) -> None:
    """Give the lease back so the next run need not wait for it to expire."""
    with unit_of_work() as session:
        lease = session.get(JobLease, job_id)
        if lease is not None and lease.holder == holder:
            session.delete(lease)


def run_job(job_id: str, trigger: str = "schedule", registry: Registry | None = None) -> JobRun | None:
    """Run a job for every store that enabled its module; None when another worker holds it."""
    registry = registry or get_registry()
    module, job = registry.job(job_id)
    if not take_lease(job_id):
        log.info("job %s skipped: another worker holds the lease", job_id)
        return None
    try:
        with unit_of_work() as session:
            run = JobRun(job_id=job_id, trigger=trigger)
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
                log.exception("job %s failed in store %s", job_id, store_id)
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
    finally:
        release_lease(job_id)


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
