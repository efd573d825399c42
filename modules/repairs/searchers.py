"""The header search's repair and custom-order jobs, by number or its start (``RP-MUM-000012``)."""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.search import SearchHit, SearchQuery, numbered
from modules.repairs.models import Job
from modules.repairs.stages import stage_label

VIEW = "repairs.job.view"
KINDS = {"repair": "Repair", "custom": "Custom order"}


def _line(job: Job) -> str:
    return " · ".join(filter(None, [KINDS.get(job.kind, job.kind), job.customer_name, stage_label(job.stage)]))


def find_jobs(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Jobs of the actor's store by number."""
    actor.require(VIEW)
    return numbered(session, actor, query, Job, "/repairs/jobs/{id}", _line)
