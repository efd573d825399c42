"""What other modules add to repairs through its extension points.

- ``"repairs.amount_paid"``: see :mod:`modules.repairs.payments`.
- ``"repairs.job_links"``: ``fn(session, actor, job) -> list[tuple[str, str]]``, the ``(label, href)`` of
  pages another module keeps about the job (a bridge's billing page), or ``[]`` when it has none for this
  job or this actor. The job page shows them as buttons.

Only modules enabled in the actor's store are asked, in dependency order.
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.registry import call, get_registry
from modules.repairs.models import Job

JOB_LINKS = "repairs.job_links"


def contributed(actor: Actor, key: str) -> list[str]:
    """The dotted paths offered under ``key`` by the modules enabled in the actor's store."""
    return [
        dotted
        for module in get_registry().modules
        if module.name in actor.enabled_modules
        for dotted in module.contributions.get(key, ())
    ]


def job_links(session: Session, actor: Actor, job: Job) -> list[dict[str, str]]:
    """The links enabled modules offer for ``job``, as ``{"label", "href"}`` rows for the job page."""
    return [
        {"label": label, "href": href}
        for dotted in contributed(actor, JOB_LINKS)
        for label, href in call(dotted)(session, actor, job)
    ]
