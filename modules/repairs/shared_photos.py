"""The photos the store shared on a customer's jobs, for a customer portal: what each shows (the stage or caption and
when it was taken) and the file of one of them. Only shared photos of jobs of the customer ids the caller passes,
in the actor's store, are ever found; anything else is ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound
from jewelerp.files import StoredFile
from modules.repairs.models import Job, JobPhoto, StageMove
from modules.repairs.stages import stage_label


@dataclass(frozen=True)
class SharedPhoto:
    """A photo the store shared with the customer: ``stage`` is the label of the stage move it was taken at ("" for
    one taken at intake or added later); ``taken_at`` is UTC."""

    id: int
    job_id: int
    job_number: str
    caption: str
    stage: str
    taken_at: datetime


def _customer_photos(actor: Actor, customer_ids: Collection[int]):
    """The query of the shared photos of the customers' jobs in the actor's store, with job number and stage."""
    return (
        select(JobPhoto, Job.number, StageMove.to_stage)
        .join(Job, Job.id == JobPhoto.job_id)
        .outerjoin(StageMove, StageMove.id == JobPhoto.move_id)
        .where(Job.store_id == actor.store_id, Job.customer_id.in_(list(customer_ids) or [-1]), JobPhoto.shared)
    )


def customer_shared_photos(session: Session, actor: Actor, customer_ids: Collection[int]) -> list[SharedPhoto]:
    """The shared photos of every job of ``customer_ids`` in the actor's store, by job, oldest first."""
    actor.require("repairs.job.view")
    rows = session.exec(_customer_photos(actor, customer_ids).order_by(JobPhoto.job_id, JobPhoto.id))
    return [
        SharedPhoto(
            photo.id or 0, photo.job_id, number, photo.caption, stage_label(stage) if stage else "", photo.taken_at
        )
        for photo, number, stage in rows
    ]


def customer_photo_file(session: Session, actor: Actor, customer_ids: Collection[int], photo_id: int) -> StoredFile:
    """The file of photo ``photo_id`` when it is shared and of a job of ``customer_ids`` in the actor's store;
    NotFound otherwise (an unshared photo, another customer's, another store's, or none)."""
    actor.require("repairs.job.view")
    found = session.exec(_customer_photos(actor, customer_ids).where(JobPhoto.id == photo_id)).first()
    if found is None:
        raise NotFound("That photo does not exist.")
    photo, number, _stage = found
    return StoredFile(photo.path, f"{number}-photo-{photo.id}")
