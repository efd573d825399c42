"""The header search's gold scheme enrolments, by number or its start."""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.search import SearchHit, SearchQuery, numbered
from modules.loyalty.models import Enrolment
from modules.loyalty.schemes import STATUSES

VIEW = "loyalty.member.view"


def find_enrolments(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Scheme enrolments of the actor's store by number."""
    actor.require(VIEW)
    labels = dict(STATUSES)
    return numbered(
        session,
        actor,
        query,
        Enrolment,
        "/loyalty/enrolments/{id}",
        lambda e: " · ".join(filter(None, [e.customer_name, labels.get(e.status, e.status)])),
    )
