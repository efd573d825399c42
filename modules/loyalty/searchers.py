"""The header search's gold scheme enrolments, by number or its start."""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.search import SearchHit, SearchQuery, numbered
from modules.loyalty.models import Enrolment
from modules.loyalty.schemes import STATUSES

VIEW = "loyalty.member.view"


def _line(enrolment: Enrolment) -> str:
    status = dict(STATUSES).get(enrolment.status, enrolment.status)
    return " · ".join(filter(None, [enrolment.customer_name, status]))


def find_enrolments(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Scheme enrolments of the actor's store by number."""
    actor.require(VIEW)
    return numbered(session, actor, query, Enrolment, "/loyalty/enrolments/{id}", _line)
