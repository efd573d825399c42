"""Design versions of a custom order: sketches and CAD renders uploaded as numbered versions, and the
customer's approval of one of them.

- A version is an image (kept as a JPEG of at most 1600 px, like the job's photos) or a PDF (kept as
  uploaded), at most 10 MB, stored under an unguessable name in the private folder ``repairs-designs/``
  (see :mod:`jewelerp.files`).
- The customer approves one version; staff record it with the customer's name as they gave it. The job
  points at that version (``job.approved_version_id``): only one version is approved at a time.
- Approving another version replaces the approval while no metal has been issued for the job; once metal
  is issued (a karigar ledger issue for the job, or the job at or past the "metal issued" stage) the
  approved design is fixed. Until a version is approved, no metal may be issued (stages and karigars
  check it).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import exists, func
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields
from jewelerp.files import keep
from jewelerp.images import to_jpeg
from jewelerp.staging import StagedFile
from modules.repairs.models import DesignVersion, Job, KarigarEntry
from modules.repairs.photos import MAX_BYTES, MAX_SIDE
from modules.repairs.records import get_job
from modules.repairs.stages import DELIVERED, METAL_ISSUED, stages_for

MANAGE = "repairs.design.manage"
FOLDER = "repairs-designs"
KINDS = {"sketch": "Sketch", "cad": "CAD render"}
PDF_MAGIC = b"%PDF-"
NOTE_MAX = 300
NAME_MAX = 120


def metal_issued(session: Session, job: Job) -> bool:
    """Whether metal has gone out for the job: a ledger issue, or the job at or past "metal issued"."""
    issued = session.scalar(select(exists().where(KarigarEntry.job_id == job.id, KarigarEntry.kind == "issue")))
    if issued:
        return True
    stages = stages_for(session, job.store_id, job.kind)
    return METAL_ISSUED in stages and job.stage in stages and stages.index(job.stage) >= stages.index(METAL_ISSUED)


def _custom_job(session: Session, actor: Actor, job_id: int) -> Job:
    job = get_job(session, actor, job_id)
    actor.require(MANAGE)
    if job.kind != "custom":
        raise JewelError(f"{job.number} is a repair; design versions belong to custom orders.")
    if job.stage == DELIVERED:
        raise JewelError(f"{job.number} was delivered; its designs no longer change.")
    return job


def prepare_design(name: str, content: bytes) -> tuple[str, bytes]:
    """Check a sketch or render: ``(".pdf", content)`` for a PDF, ``(".jpg", JPEG)`` for an image.

    Raises ValidationError under ``design``. CPU-bound: pages call it from a worker thread.
    """
    label = name or "The file"
    if not content:
        raise ValidationError({"design": "Choose the sketch or render to upload."})
    if len(content) > MAX_BYTES:
        raise ValidationError({"design": f"{label} is larger than 10 MB."})
    if content.startswith(PDF_MAGIC):
        return ".pdf", content
    jpeg = to_jpeg(content, "design", MAX_SIDE, quality=88)
    if jpeg is None:
        raise ValidationError({"design": f"{label} is neither an image (JPEG, PNG, WebP) nor a PDF."})
    return ".jpg", jpeg


def add_version(
    session: Session,
    actor: Actor,
    job_id: int,
    kind: str,
    file_name: str,
    content: bytes | StagedFile,
    note: str = "",
    upload_dir: Path | None = None,
) -> DesignVersion:
    """Upload the next numbered design version (``kind`` "sketch" or "cad") of a custom order.

    ``content`` is the file's bytes, or the file a page staged (checked by :func:`prepare_design` already).
    """
    job = _custom_job(session, actor, job_id)
    note = " ".join(note.split())
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["design_kind"] = "Choose sketch or CAD render."
    if len(note) > NOTE_MAX:
        errors["design_note"] = f"Keep the note to {NOTE_MAX} characters."
    require_fields(errors)
    suffix, prepared = (
        (content.path.suffix, content.path) if isinstance(content, StagedFile) else prepare_design(file_name, content)
    )
    path = keep(session, FOLDER, suffix, prepared, upload_dir)
    last = session.scalar(select(func.max(DesignVersion.version)).where(DesignVersion.job_id == job.id)) or 0
    version = DesignVersion(
        job_id=job.id, version=last + 1, kind=kind, path=path, note=note, uploaded_by=actor.user_name
    )
    session.add(version)
    session.flush()
    return version


def approve_version(session: Session, actor: Actor, version_id: int, approved_by: str) -> DesignVersion:
    """Record that the customer (``approved_by``: their name as they gave it) approved a version.

    Replaces an earlier approval until metal is issued for the job; refused after that.
    """
    actor.require(MANAGE)
    version = session.get(DesignVersion, version_id)
    if version is None:
        raise NotFound("That design version does not exist.")
    job = _custom_job(session, actor, version.job_id)
    name = " ".join(approved_by.split())
    if not name:
        raise ValidationError({"approved_by": "Enter the name of the customer who approved the design."})
    if len(name) > NAME_MAX:
        raise ValidationError({"approved_by": f"Keep the name to {NAME_MAX} characters."})
    if job.approved_version_id == version.id:
        raise JewelError(f"Version {version.version} of {job.number} is already the approved design.")
    if job.approved_version_id is not None:
        if metal_issued(session, job):
            raise JewelError(f"Metal has been issued for {job.number}: the approved design can no longer be changed.")
        previous = session.get(DesignVersion, job.approved_version_id)
        if previous is not None:
            previous.approved_at, previous.approved_by, previous.recorded_by = None, "", ""
            session.add(previous)
    version.approved_at, version.approved_by, version.recorded_by = utcnow(), name, actor.user_name
    job.approved_version_id = version.id
    session.add_all([version, job])
    session.flush()
    return version


def design_versions(session: Session, actor: Actor, job_id: int) -> list[DesignVersion]:
    """The job's design versions, newest first."""
    get_job(session, actor, job_id)
    stmt = select(DesignVersion).where(DesignVersion.job_id == job_id).order_by(DesignVersion.version.desc())
    return list(session.exec(stmt))


def design_rows(session: Session, actor: Actor, job_id: int) -> list[dict[str, str]]:
    """The job's design versions as text for the job page, newest first."""
    rows = []
    for v in design_versions(session, actor, job_id):
        approval = ""
        if v.approved_at is not None:
            when = actor.local(v.approved_at).strftime("%d %b %Y %H:%M")
            approval = f"Approved by {v.approved_by} on {when} (recorded by {v.recorded_by})"
        rows.append(
            {
                "id": str(v.id),
                "version": f"Version {v.version}",
                "kind": KINDS.get(v.kind, v.kind),
                "path": v.path,
                "is_pdf": "yes" if v.path.endswith(".pdf") else "",
                "note": v.note,
                "uploaded": f"{v.uploaded_by}, {actor.local(v.uploaded_at):%d %b %Y %H:%M}",
                "approved": "yes" if v.approved_at is not None else "",
                "approval": approval,
            }
        )
    return rows
