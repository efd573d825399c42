"""The stages of a job and moving a job between them.

A store lists its stages per kind in the settings ``repairs.repair_stages`` and ``repairs.custom_stages``
(comma-separated, in order; "delivered" always ends the list). A job moves forward one stage at a time
unless the store allows skipping (``repairs.allow_skip``), may go back to an earlier stage (a piece that
fails quality check goes back to the workshop), never leaves "delivered", and reaches "delivered" only
through :func:`modules.repairs.delivery.deliver_job`. A custom order needs an approved design version
before metal is issued.

Events: ``("repairs.job", "moved", {"job_id", "number", "from", "to", "store_id"})``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, ValidationError
from jewelerp.events import emit
from jewelerp.live import announce
from modules.repairs.models import Job, StageMove
from modules.repairs.notify import notify_ready
from modules.repairs.photos import PhotoFile, add_photos
from modules.repairs.records import get_job

DELIVERED = "delivered"
READY = "ready"
METAL_ISSUED = "metal issued"
STAGE_SETTINGS = {"repair": "repairs.repair_stages", "custom": "repairs.custom_stages"}
STAGE_LABELS = {
    "received": "Received",
    "estimated": "Estimated",
    "approved": "Approved",
    "in workshop": "In workshop",
    "quality check": "Quality check",
    "ready": "Ready",
    "delivered": "Delivered",
    "enquiry": "Enquiry",
    "design": "Design",
    "customer approval": "Customer approval",
    "metal issued": "Metal issued",
    "making": "Making",
    "stone setting": "Stone setting",
}
STAGE_MAX = 30
NOTE_MAX = 500


def stage_label(stage: str) -> str:
    """How a stage key is shown ("in workshop" -> "In workshop"; a store's own stage gets a capital)."""
    return STAGE_LABELS.get(stage) or stage[:1].upper() + stage[1:]


def parse_stages(text: str) -> list[str]:
    """Stage keys from a comma-separated setting: trimmed, lower case, no repeats, "delivered" last."""
    stages: list[str] = []
    for part in text.split(","):
        key = " ".join(part.split()).lower()[:STAGE_MAX]
        if key and key != DELIVERED and key not in stages:
            stages.append(key)
    return [*stages, DELIVERED]


def stages_for(session: Session, store_id: int, kind: str) -> list[str]:
    """The store's ordered stage keys for ``kind`` ("repair" or "custom")."""
    if kind not in STAGE_SETTINGS:
        raise JewelError(f"Unknown kind of job '{kind}'.")
    return parse_stages(str(get_setting(session, store_id, STAGE_SETTINGS[kind])))


def next_stage(session: Session, job: Job) -> str | None:
    """The stage after the job's current one, or None for a delivered job (or one whose stage was removed)."""
    stages = stages_for(session, job.store_id, job.kind)
    if job.stage not in stages or job.stage == DELIVERED:
        return None
    return stages[stages.index(job.stage) + 1]


def _check_move(session: Session, job: Job, to_stage: str, stages: list[str]) -> bool:
    """Raise unless ``job`` may move to ``to_stage``; returns whether the move skips stages."""
    if job.stage == DELIVERED:
        raise JewelError(f"{job.number} was delivered; a delivered job does not move.")
    if to_stage == DELIVERED:
        raise JewelError("Use the delivery form to deliver a job: it checks the balance and the weight out.")
    if not to_stage:
        raise ValidationError({"to_stage": "Choose the stage to move the job to."})
    if to_stage not in stages:
        raise ValidationError({"to_stage": f"“{to_stage}” is not one of this store's stages."})
    if to_stage == job.stage:
        raise JewelError(f"{job.number} is already at “{stage_label(to_stage)}”.")
    target = stages.index(to_stage)
    current = stages.index(job.stage) if job.stage in stages else target - 1
    skipped = target > current + 1
    if skipped and not get_setting(session, job.store_id, "repairs.allow_skip"):
        raise JewelError(
            f"{job.number} moves one stage at a time: next is “{stage_label(stages[current + 1])}”. "
            "This store does not allow skipping stages."
        )
    needs_design = job.kind == "custom" and METAL_ISSUED in stages and target >= stages.index(METAL_ISSUED)
    if needs_design and target > current and job.approved_version_id is None:
        raise JewelError(f"Metal is issued only after the customer approves a design version of {job.number}.")
    return skipped


def _last_move(session: Session, job_id: int) -> StageMove | None:
    return session.exec(select(StageMove).where(StageMove.job_id == job_id).order_by(StageMove.id.desc())).first()


def record_move(
    session: Session, actor: Actor, job: Job, to_stage: str, note: str = "", skipped: bool = False
) -> StageMove:
    """Put ``job`` at ``to_stage`` if nobody moved it meanwhile (a conditional update on its version).

    For the repairs module's own services, which have checked the rules; emits ``("repairs.job", "moved")``.
    """
    seen, from_stage = job.version, job.stage
    done = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.version == seen)
        .values(stage=to_stage, stage_since=utcnow(), version=Job.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(job)
    if not done:
        last = _last_move(session, job.id)
        who = f" by {last.user_name}" if last and last.user_name else ""
        raise JewelError(
            f"{job.number} was just changed{who} (now at “{stage_label(job.stage)}”); look again before moving it."
        )
    move = StageMove(
        job_id=job.id,
        store_id=job.store_id,
        from_stage=from_stage,
        to_stage=to_stage,
        note=" ".join(note.split())[:NOTE_MAX],
        skipped=skipped,
        user_id=actor.user_id,
        user_name=actor.user_name,
    )
    session.add(move)
    session.flush()
    announce(session, board_channel(job.store_id))
    announce(session, job_channel(job.id or 0))
    payload = {
        "job_id": job.id,
        "number": job.number,
        "from": move.from_stage,
        "to": to_stage,
        "store_id": job.store_id,
    }
    emit(session, actor, "repairs.job", "moved", payload)
    return move


def move_job(
    session: Session,
    actor: Actor,
    job_id: int,
    to_stage: str,
    note: str = "",
    photos: Iterable[PhotoFile] = (),
    *,
    from_stage: str | None = None,
    upload_dir: Path | None = None,
) -> StageMove:
    """Move a job of the actor's store to ``to_stage`` with an optional note and photos (name, content).

    ``from_stage`` is the stage the person saw the job in (a board card's column): if someone moved it
    meanwhile the move is refused with a clear message. Reaching "ready" notifies staff and the customer.
    """
    job = get_job(session, actor, job_id, "repairs.job.edit")
    to_stage = " ".join(to_stage.split()).lower()
    if from_stage is not None and " ".join(from_stage.split()).lower() != job.stage:
        last = _last_move(session, job.id)
        who = f" by {last.user_name}" if last and last.user_name else ""
        raise JewelError(f"{job.number} was just moved to “{stage_label(job.stage)}”{who}; look again.")
    skipped = _check_move(session, job, to_stage, stages_for(session, job.store_id, job.kind))
    move = record_move(session, actor, job, to_stage, note, skipped)
    add_photos(session, actor, job, photos, move_id=move.id, caption=stage_label(to_stage), upload_dir=upload_dir)
    if to_stage == READY:
        notify_ready(session, actor, job)
    return move


def stage_history(session: Session, actor: Actor, job_id: int) -> list[StageMove]:
    """The job's moves, oldest first."""
    get_job(session, actor, job_id)
    return list(session.exec(select(StageMove).where(StageMove.job_id == job_id).order_by(StageMove.id)))


def job_channel(job_id: int) -> str:
    """The live channel of one job: each of its stage moves is announced on it (a page showing the job listens)."""
    return f"repairs.job:{job_id}"


def board_channel(store_id: int) -> str:
    """The live channel of a store's workshop board: every stage move (a new job included) is announced on it."""
    return f"repairs.board:{store_id}"
