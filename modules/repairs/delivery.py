"""Handing a job back to the customer: the pickup check, the balance and the last stage move.

At delivery the weight out and the stones counted are compared with the intake record. A weight
difference beyond the store's ``repairs.weight_tolerance`` (grams), a stone line whose count differs, or
carats differing by more than the same tolerance (1 ct = 0.2 g), and an unpaid balance each stop the
delivery unless someone holding ``repairs.job.override`` (a manager) signs it off with a note.
Our own piece goes back into stock through stock's ledger (``repair_in``).

Events: ``("repairs.job", "delivered", {"job_id", "number", "kind", "store_id", "customer_id", "estimate",
"deposit", "final_charge", "paid", "override"})``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, ValidationError, require_fields
from jewelerp.events import emit
from jewelerp.money import format_inr
from jewelerp.validation import parse_grams_field
from modules.repairs.jobs import StoneInput, job_stones, parse_stones
from modules.repairs.models import Job, JobStone
from modules.repairs.payments import amount_paid, balance_after
from modules.repairs.photos import PhotoFile, add_photos
from modules.repairs.records import get_job
from modules.repairs.stages import DELIVERED, record_move, stage_label, stages_for
from modules.stock.api import move as stock_move

CARATS_PER_GRAM = Decimal(5)
NOTE_MAX = 300


@dataclass
class DeliveryInput:
    """What the counter enters at pickup; ``override`` asks to sign off differences with ``note``."""

    weight_out: str = ""
    stones_out: list[StoneInput] = field(default_factory=list)
    override: bool = False
    note: str = ""


def _stone_totals(stones: Iterable[JobStone]) -> dict[tuple[str, str], tuple[int, Decimal, str]]:
    """Stones summed per kind and inscription: (count, carats, how to name them)."""
    totals: dict[tuple[str, str], list] = defaultdict(lambda: [0, Decimal("0.000"), ""])
    for stone in stones:
        entry = totals[(stone.kind.lower(), stone.inscription.upper())]
        entry[0] += stone.count
        entry[1] += stone.carats
        entry[2] = f"{stone.kind} ({stone.inscription})" if stone.inscription else stone.kind
    return {key: (count, carats, name) for key, (count, carats, name) in totals.items()}


def pickup_differences(
    job: Job, weight_out: Decimal, stones_in: list[JobStone], stones_out: list[JobStone], tolerance: Decimal
) -> list[str]:
    """What differs between intake and pickup beyond ``tolerance`` grams, in words (empty when all agrees)."""
    problems = []
    if job.weight_in is not None and abs(weight_out - job.weight_in) > tolerance:
        change = "more" if weight_out > job.weight_in else "less"
        problems.append(
            f"Weight out {weight_out} g is {abs(weight_out - job.weight_in)} g {change} than the {job.weight_in} g "
            f"taken in (allowed ±{tolerance} g)."
        )
    before, after = _stone_totals(stones_in), _stone_totals(stones_out)
    for key in sorted(before.keys() | after.keys()):
        count_in, carats_in, name = before.get(key, (0, Decimal("0.000"), ""))
        count_out, carats_out, name_out = after.get(key, (0, Decimal("0.000"), ""))
        name = name or name_out
        if count_in != count_out:
            problems.append(f"{name}: {count_in} taken in, {count_out} counted now.")
        elif abs(carats_in - carats_out) > tolerance * CARATS_PER_GRAM:
            problems.append(f"{name}: {carats_in} ct taken in, {carats_out} ct now.")
    return problems


def _check_stage(session: Session, job: Job) -> bool:
    """Raise unless the job may be delivered now; returns whether delivering skips stages."""
    if job.stage == DELIVERED:
        raise JewelError(f"{job.number} was already delivered.")
    stages = stages_for(session, job.store_id, job.kind)
    before = stages[-2] if len(stages) > 1 else job.stage
    skipped = job.stage != before
    if skipped and not get_setting(session, job.store_id, "repairs.allow_skip"):
        raise JewelError(
            f"{job.number} is at “{stage_label(job.stage)}”: a job is delivered from “{stage_label(before)}”."
        )
    return skipped


def _sign_off(actor: Actor, problems: list[str], data: DeliveryInput) -> str:
    """The override note when there are problems and a manager signs them off; raises otherwise."""
    if not problems:
        return ""
    if not data.override:
        raise JewelError(" ".join([*problems, "A manager must sign off the difference with a note."]))
    actor.require("repairs.job.override")
    note = " ".join(data.note.split())
    if not note:
        raise ValidationError({"note": "Write why the job is delivered despite the difference."})
    return note[:NOTE_MAX]


def deliver_job(
    session: Session,
    actor: Actor,
    job_id: int,
    data: DeliveryInput,
    photos: Iterable[PhotoFile] = (),
    *,
    upload_dir: Path | None = None,
) -> Job:
    """Deliver a job of the actor's store after the pickup check and the balance (or a manager's sign-off)."""
    job = get_job(session, actor, job_id, "repairs.job.edit")
    skipped = _check_stage(session, job)
    if job.piece_id is not None and not actor.can("stock.piece.move"):
        raise JewelError(f"{job.number} is our own piece going back into stock: a manager must deliver it.")
    errors: dict[str, str] = {}
    weight_out = parse_grams_field(data.weight_out, "Weight out", errors, "weight_out")
    if weight_out is not None and weight_out <= 0:
        errors["weight_out"] = "Weigh the item: the weight out is more than 0 g."
    stones_out = parse_stones(data.stones_out, errors, "stones_out")
    require_fields(errors)
    tolerance = Decimal(get_setting(session, job.store_id, "repairs.weight_tolerance"))
    problems = pickup_differences(job, weight_out, job_stones(session, actor, job.id), stones_out, tolerance)
    paid = amount_paid(session, actor, job)
    balance = balance_after(job, paid)
    if balance > 0:
        problems.append(f"A balance of {format_inr(balance)} is unpaid.")
    note = _sign_off(actor, problems, data)
    job.weight_out, job.delivered_at = weight_out, utcnow()
    if note:
        job.override_by, job.override_note = actor.user_name, note
    for stone in stones_out:
        stone.job_id, stone.phase = job.id, "out"
    session.add_all([job, *stones_out])
    session.flush()
    move = record_move(session, actor, job, DELIVERED, note or "Delivered", skipped)
    if job.piece_id is not None:
        stock_move(session, actor, job.piece_id, "repair_in", reference=job.number)
    add_photos(session, actor, job, photos, move_id=move.id, caption="Delivery", upload_dir=upload_dir)
    payload = {
        "job_id": job.id,
        "number": job.number,
        "kind": job.kind,
        "store_id": job.store_id,
        "customer_id": job.customer_id,
        "estimate": str(job.estimate),
        "deposit": str(job.deposit),
        "final_charge": str(job.final_charge),
        "paid": str(paid),
        "override": bool(note),
    }
    emit(session, actor, "repairs.job", "delivered", payload)
    return job
