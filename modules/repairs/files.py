"""Who may open a job's files: the platform's file route (``/api/file/repairs/<kind>/<id>``) asks
:func:`job_file`, named in the manifest's ``contributions['core.files']``.

Kinds: ``photo`` (a :class:`JobPhoto`) and ``design`` (a :class:`DesignVersion`). Staff with
``repairs.job.view`` in the job's store may open them, like the job page that shows them.
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound
from jewelerp.files import StoredFile
from modules.repairs.models import DesignVersion, JobPhoto
from modules.repairs.records import get_job

KINDS = {"photo": JobPhoto, "design": DesignVersion}


def job_file(session: Session, actor: Actor, kind: str, record_id: int) -> StoredFile:
    """The file of a job's photo or design version when the actor may see the job; NotFound otherwise."""
    actor.require("repairs.job.view")
    model = KINDS.get(kind)
    row = session.get(model, record_id) if model is not None else None
    if row is None:
        raise NotFound("That file does not exist.")
    job = get_job(session, actor, row.job_id)
    return StoredFile(row.path, f"{job.number}-{kind}-{row.id}")
