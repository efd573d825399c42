"""What other modules add to repairs through its extension points.

- ``"repairs.amount_paid"``: see :mod:`modules.repairs.payments`.
- ``"repairs.job_links"``: ``fn(session, actor, job) -> list[tuple[str, str]]``, the ``(label, href)`` of
  pages another module keeps about the job (a bridge's billing page), or ``[]`` when it has none for this
  job or this actor. The job page shows them as buttons.

Only modules enabled in the actor's store are asked, in dependency order.
"""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.registry import get_registry
from modules.repairs.models import Job

JOB_LINKS = "repairs.job_links"


class JobLinks(Protocol):
    """A ``"repairs.job_links"`` contribution: ``(label, href)`` of the module's pages about the job."""

    def __call__(self, session: Session, actor: Actor, job: Job) -> list[tuple[str, str]]: ...


def job_links(session: Session, actor: Actor, job: Job) -> list[dict[str, str]]:
    """The links enabled modules offer for ``job``, as ``{"label", "href"}`` rows for the job page."""
    return [
        {"label": label, "href": href}
        for links in get_registry().contributions(JOB_LINKS, actor)
        for label, href in links(session, actor, job)
    ]
