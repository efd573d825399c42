"""Finding a job (by id or number, in the actor's store, after the permission check) and its public link."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.errors import NotFound
from modules.repairs.models import Job

KIND_LABELS = {"repair": "Repair", "custom": "Custom order"}


def get_job(session: Session, actor: Actor, job_id: int, permission: str = "repairs.job.view") -> Job:
    """The job with ``job_id`` in the actor's store, or NotFound; checks ``permission`` first."""
    actor.require(permission)
    job = session.get(Job, job_id)
    if job is None or job.store_id != actor.store_id:
        raise NotFound("That job does not exist in this store.")
    return job


def delivered_jobs(session: Session, actor: Actor) -> list[Job]:
    """The jobs of the actor's store handed back to their customers, oldest first."""
    actor.require("repairs.job.view")
    stmt = select(Job).where(Job.store_id == actor.store_id, Job.delivered_at.is_not(None)).order_by(Job.id)
    return list(session.scalars(stmt))


def job_by_number(session: Session, actor: Actor, number: str, permission: str = "repairs.job.view") -> Job:
    """The job numbered ``number`` (any case, spaces ignored) in the actor's store, or NotFound."""
    actor.require(permission)
    wanted = "".join(number.split()).upper()
    job = session.exec(select(Job).where(Job.number == wanted, Job.store_id == actor.store_id)).first()
    if job is None:
        raise NotFound(f"No job numbered {wanted or '(blank)'} in this store.")
    return job


def new_token() -> str:
    """A fresh random token for a job's status page (256 bits, 43 characters)."""
    return secrets.token_urlsafe(32)


def status_url(session: Session, job: Job) -> str:
    """The address the ticket's QR encodes: ``<stock.public_base_url of the store>/r/<token>``."""
    base = str(get_setting(session, job.store_id, "stock.public_base_url")).strip().rstrip("/")
    return f"{base}/r/{job.public_token}"


def customer_jobs(session: Session, actor: Actor, customer_ids: tuple[int, ...]) -> list[Job]:
    """The jobs of the actor's store for any of ``customer_ids``, newest first (a portal shows a customer theirs)."""
    actor.require("repairs.job.view")
    stmt = select(Job).where(Job.store_id == actor.store_id, Job.customer_id.in_(list(customer_ids) or [-1]))
    return list(session.scalars(stmt.order_by(Job.id.desc())))
