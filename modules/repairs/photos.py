"""Photos of a job (intake, stage moves, delivery): checked to be JPEG, PNG or WebP images of at most
10 MB, kept as JPEGs of at most 1600 px under unguessable names in ``<upload dir>/repairs-photos/``."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound, ValidationError
from modules.repairs.models import Job, JobPhoto
from modules.repairs.records import get_job

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 40
MAX_SIDE = 1600
FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})  # MPO: the JPEG variant some phone cameras write
FOLDER = "repairs-photos"


def upload_root() -> Path:
    """The Reflex upload folder (where the app serves uploaded files from)."""
    import reflex as rx

    return Path(rx.get_upload_dir())


def _decode(name: str, content: bytes) -> Image.Image:
    """The photo as an RGB image at most ``MAX_SIDE`` a side, or ValidationError naming the file."""
    label = name or "The photo"
    if len(content) > MAX_BYTES:
        raise ValidationError({"photo": f"{label} is larger than 10 MB."})
    try:
        with Image.open(io.BytesIO(content)) as picture:
            kind = picture.format
            picture.verify()
        with Image.open(io.BytesIO(content)) as picture:
            full = picture.convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        kind = None
    if kind not in FORMATS:
        raise ValidationError({"photo": f"{label} is not a photo (use JPEG, PNG or WebP)."})
    full.thumbnail((MAX_SIDE, MAX_SIDE))
    return full


def add_photos(
    session: Session,
    actor: Actor,
    job: Job,
    files: Iterable[tuple[str, bytes]],
    *,
    move_id: int | None = None,
    caption: str = "",
    upload_dir: Path | None = None,
) -> list[JobPhoto]:
    """Store ``(file name, content)`` photos for ``job`` (in the actor's store); all are checked before any is kept."""
    actor.require("repairs.job.edit")
    if job.store_id != actor.store_id:
        raise NotFound("That job does not exist in this store.")
    files = list(files)
    if not files:
        return []
    have = session.scalar(select(func.count()).select_from(JobPhoto).where(JobPhoto.job_id == job.id)) or 0
    if have + len(files) > MAX_PHOTOS:
        raise ValidationError({"photo": f"A job keeps at most {MAX_PHOTOS} photos."})
    pictures = [_decode(name, content) for name, content in files]
    folder = (upload_dir or upload_root()) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for picture in pictures:
        relative = f"{FOLDER}/{secrets.token_urlsafe(16)}.jpg"
        picture.save(folder.parent / relative, "JPEG", quality=85)
        rows.append(
            JobPhoto(
                job_id=job.id,
                move_id=move_id,
                path=relative,
                caption=" ".join(caption.split())[:200],
                taken_by=actor.user_name,
            )
        )
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
