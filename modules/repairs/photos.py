"""Photos of a job (intake, stage moves, delivery): checked to be JPEG, PNG or WebP images of at most
10 MB and 40 megapixels, kept as JPEGs of at most 1600 px under unguessable names in the private folder
``repairs-photos/`` (see :mod:`jewelerp.files`), served only to staff of the job's store and, once shared,
on the customer's status page."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound, ValidationError
from jewelerp.files import keep
from jewelerp.images import photo_as_jpeg
from jewelerp.staging import StagedFile
from modules.repairs.models import Job, JobPhoto
from modules.repairs.records import get_job

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 40
MAX_SIDE = 1600
FOLDER = "repairs-photos"

PhotoFile = tuple[str, bytes] | StagedFile
"""A photo for a service: ``(file name, content)`` to check, or a file a page staged (checked already)."""


def prepare_photo(name: str, content: bytes) -> tuple[str, bytes]:
    """The photo as a JPEG at most ``MAX_SIDE`` a side (``(".jpg", content)``), or ValidationError naming the file.

    CPU-bound: pages call it from a worker thread when the photo is chosen (see ``jewelerp.ui.file_uploads``).
    """
    return photo_as_jpeg(content, field="photo", label=name or "This file", max_bytes=MAX_BYTES, max_side=MAX_SIDE)


def _prepared(photo: PhotoFile) -> bytes | Path:
    return photo.path if isinstance(photo, StagedFile) else prepare_photo(*photo)[1]


def add_photos(
    session: Session,
    actor: Actor,
    job: Job,
    files: Iterable[PhotoFile],
    *,
    move_id: int | None = None,
    caption: str = "",
    upload_dir: Path | None = None,
) -> list[JobPhoto]:
    """Store photos for ``job`` (in the actor's store); all are checked before any is kept.

    ``upload_dir`` is the folder to keep them in: the private files folder unless a test says otherwise.
    """
    actor.require("repairs.job.edit")
    if job.store_id != actor.store_id:
        raise NotFound("That job does not exist in this store.")
    files = list(files)
    if not files:
        return []
    have = session.scalar(select(func.count()).select_from(JobPhoto).where(JobPhoto.job_id == job.id)) or 0
    if have + len(files) > MAX_PHOTOS:
        raise ValidationError({"photo": f"A job keeps at most {MAX_PHOTOS} photos."})
    pictures = [_prepared(photo) for photo in files]
    rows = [
        JobPhoto(
            job_id=job.id,
            move_id=move_id,
            path=keep(session, FOLDER, ".jpg", picture, upload_dir),
            caption=" ".join(caption.split())[:200],
            taken_by=actor.user_name,
        )
        for picture in pictures
    ]
    session.add_all(rows)
    session.flush()
    return rows


def job_photos(session: Session, actor: Actor, job_id: int, shared_only: bool = False) -> list[JobPhoto]:
    """The job's photos, oldest first (only those shared with the customer when ``shared_only``)."""
    get_job(session, actor, job_id)
    stmt = select(JobPhoto).where(JobPhoto.job_id == job_id)
    if shared_only:
        stmt = stmt.where(JobPhoto.shared)
    return list(session.exec(stmt.order_by(JobPhoto.id)))


def share_photo(session: Session, actor: Actor, photo_id: int, shared: bool) -> JobPhoto:
    """Show (or stop showing) a photo on the customer's status page."""
    photo = session.get(JobPhoto, photo_id)
    if photo is None:
        raise NotFound("That photo does not exist.")
    get_job(session, actor, photo.job_id, "repairs.job.edit")
    photo.shared = shared
    session.add(photo)
    session.flush()
    return photo
