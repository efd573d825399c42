"""Taking in a job at the counter and keeping its record.

A job is a repair (the customer's own piece, or one of ours sent for repair through stock's ledger)
or a custom order. Intake records the customer (from clienteling), the item, the work, the promised
date, estimate and deposit, the gross weight in, the declared stones, condition notes, photos and the
customer's acceptance of the estimate and terms. Numbers are ``RP-MUM-000012`` / ``CO-DEL-000003``:
the prefix, the branch and the job's id, so they are unique across branches.

Events: ``("repairs.job", "created", {"job_id", "number", "kind", "store_id", "customer_id", "estimate",
"deposit"})``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.roles import user_role_in_store
from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, require_fields
from jewelerp.events import emit
from jewelerp.live import announce
from jewelerp.validation import (
    MAX_ID,
    PROMISE_YEARS,
    check_lengths,
    date_within,
    parse_amount_field,
    parse_grams_field,
    read_int,
    to_decimal,
    years_after,
)
from modules.clienteling.api import get_customer
from modules.repairs.models import Job, JobPhoto, JobStone, Karigar, StageMove
from modules.repairs.payments import payments_elsewhere
from modules.repairs.photos import PhotoFile, add_photos
from modules.repairs.records import KIND_LABELS, get_job, new_token
from modules.repairs.stages import board_channel, stages_for
from modules.stock.api import move as stock_move
from modules.stock.api import piece_by_sku

PREFIXES = {"repair": "RP", "custom": "CO"}
MAX_STONE_LINES = 30
CARAT = Decimal("0.001")
MAX_CARATS = Decimal(10_000)


@dataclass
class StoneInput:
    """One line of declared (or counted) stones, as typed."""

    kind: str = ""
    count: str = "1"
    carats: str = ""
    inscription: str = ""


@dataclass
class JobInput:
    """What the counter fills in at intake (numbers and dates as text)."""

    kind: str = "repair"
    customer_id: str = ""
    piece_sku: str = ""
    item_description: str = ""
    requested_work: str = ""
    promised_on: str = ""
    estimate: str = ""
    deposit: str = ""
    weight_in: str = ""
    metal_fineness: str = ""
    condition_notes: str = ""
    warranty_days: str = ""
    terms_accepted: bool = False
    assigned_user_id: str = ""
    karigar_id: str = ""
    stones: list[StoneInput] = field(default_factory=list)


def _int(raw: str, key: str, message: str, errors: dict[str, str], low: int, high: int) -> int | None:
    """A whole number in [low, high] (blank is None); otherwise ``message`` for ``key``."""
    if not raw.strip():
        return None
    value = read_int(raw, low, high)
    if value is None:
        errors[key] = message
    return value


def parse_stones(lines: Iterable[StoneInput], errors: dict[str, str], key: str = "stones") -> list[JobStone]:
    """Stone lines as unsaved rows (blank lines skipped); a bad line adds one message for ``key``."""
    rows = []
    for number, line in enumerate(lines, start=1):
        kind = " ".join(line.kind.split())
        if not kind and not line.carats.strip() and not line.inscription.strip():
            continue
        count = read_int(line.count.strip() or "1", 1, 10_000)
        carats = to_decimal(line.carats.strip() or "0", CARAT)
        if not kind or len(kind) > 30:
            errors[key] = f"Stone line {number}: name the kind of stone (up to 30 characters)."
        elif count is None:
            errors[key] = f"Stone line {number}: the count is a whole number from 1 to 10,000."
        elif carats is None or not 0 <= carats <= MAX_CARATS:
            errors[key] = f"Stone line {number}: carats are a number up to {MAX_CARATS:,} with at most 3 decimals."
        elif len(line.inscription.strip()) > 40:
            errors[key] = f"Stone line {number}: the inscription number is at most 40 characters."
        else:
            rows.append(JobStone(job_id=0, kind=kind, count=count, carats=carats, inscription=line.inscription.strip()))
    if len(rows) > MAX_STONE_LINES:
        errors[key] = f"Declare at most {MAX_STONE_LINES} lines of stones."
    return rows


def _customer(session: Session, actor: Actor, raw: str, errors: dict[str, str]) -> dict[str, object]:
    """The customer's id and contact snapshot from clienteling's service."""
    text = raw.strip().lstrip("#")
    if not text:
        errors["customer_id"] = "Choose the customer (their customer number)."
        return {}
    number = read_int(text, 1, MAX_ID)
    try:
        customer = get_customer(session, actor, number) if number is not None else None
    except NotFound:
        customer = None
    if customer is None:
        errors["customer_id"] = f"No customer numbered {text[:20]}."
        return {}
    return {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "customer_phone": customer.phone,
        "customer_email": customer.email,
    }


def _our_piece(session: Session, actor: Actor, data: JobInput, errors: dict[str, str]) -> int | None:
    """The id of our piece going in for repair (by SKU), checked to be here and in stock."""
    sku = data.piece_sku.strip()
    if not sku:
        return None
    if data.kind != "repair":
        errors["piece_sku"] = "Only a repair can be for one of our pieces."
        return None
    try:
        piece = piece_by_sku(session, actor, sku)
    except NotFound as err:
        errors["piece_sku"] = err.message
        return None
    if piece.store_id != actor.store_id:
        errors["piece_sku"] = f"{piece.sku} is not at this branch."
    elif piece.status != "in_stock":
        errors["piece_sku"] = f"{piece.sku} is not in stock, so it cannot go for repair."
    elif not actor.can("stock.piece.move"):
        errors["piece_sku"] = "Sending our stock for repair needs a manager (stock movement permission)."
    return piece.id


def _promised(raw: str, today: date, errors: dict[str, str]) -> date | None:
    try:
        promised = date.fromisoformat(raw.strip())
    except ValueError:
        errors["promised_on"] = "Enter the promised date (e.g. 2026-07-15)."
        return None
    if promised < today:
        errors["promised_on"] = "The promised date cannot be in the past."
    latest = years_after(today, PROMISE_YEARS)
    date_within(promised, today, latest, f"Promise a date by {latest:%d %b %Y}.", errors, "promised_on")
    return promised


def _assignee(session: Session, actor: Actor, raw: str, errors: dict[str, str]) -> int | None:
    user_id = _int(raw, "assigned_user_id", "Choose someone from this store.", errors, 1, 2**31)
    if user_id is not None and user_role_in_store(session, user_id, actor.store_id) is None:
        errors["assigned_user_id"] = "Choose someone from this store."
    return user_id


def _karigar(session: Session, actor: Actor, raw: str, errors: dict[str, str]) -> int | None:
    karigar_id = _int(raw, "karigar_id", "Choose a karigar of this store.", errors, 1, 2**31)
    if karigar_id is None:
        return None
    karigar = session.get(Karigar, karigar_id)
    if karigar is None or karigar.store_id != actor.store_id or not karigar.active:
        errors["karigar_id"] = "Choose a karigar of this store."
    return karigar_id


def _clean(session: Session, actor: Actor, data: JobInput) -> tuple[dict[str, object], list[JobStone]]:
    """The job's field values and stone rows, or ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    if data.kind not in KIND_LABELS:
        raise JewelError(f"Unknown kind of job '{data.kind}'.")
    values: dict[str, object] = {"kind": data.kind} | _customer(session, actor, data.customer_id, errors)
    values["piece_id"] = _our_piece(session, actor, data, errors)
    values["item_description"] = " ".join(data.item_description.split())
    if not values["item_description"] and not data.piece_sku.strip():
        errors["item_description"] = "Describe the item (e.g. 22K gold ring with a ruby)."
    values["requested_work"] = data.requested_work.strip()
    if not values["requested_work"]:
        errors["requested_work"] = "Describe the work asked for."
    values["promised_on"] = _promised(data.promised_on, actor.today(), errors)
    estimate = parse_amount_field(data.estimate, "Estimate", errors, "estimate", required=False) or Decimal("0.00")
    deposit = parse_amount_field(data.deposit, "Deposit", errors, "deposit", required=False) or Decimal("0.00")
    if estimate > 0 and deposit > estimate:
        errors["deposit"] = "The deposit is more than the estimate."
    values |= {"estimate": estimate, "deposit": deposit}
    values["weight_in"] = parse_grams_field(
        data.weight_in, "Gross weight in", errors, "weight_in", required=data.kind == "repair"
    )
    if values["weight_in"] is not None and values["weight_in"] <= 0 and "weight_in" not in errors:
        errors["weight_in"] = "Weigh the item: the gross weight in is more than 0 g."
    values["metal_fineness"] = _int(
        data.metal_fineness, "metal_fineness", "Fineness is 1 to 999 (e.g. 916).", errors, 1, 999
    )
    default_warranty = get_setting(session, actor.store_id, "repairs.warranty_days") if data.kind == "repair" else 0
    warranty = _int(data.warranty_days, "warranty_days", "Warranty is a number of days.", errors, 0, 3650)
    values["warranty_days"] = default_warranty if warranty is None else warranty
    values["condition_notes"] = data.condition_notes.strip()
    values["assigned_user_id"] = _assignee(session, actor, data.assigned_user_id, errors)
    values["karigar_id"] = _karigar(session, actor, data.karigar_id, errors)
    check_lengths(Job, values, errors, {"item_description": "The item's description"})
    if not data.terms_accepted:
        errors["terms_accepted"] = "The customer must accept the estimate and the terms."
    stones = parse_stones(data.stones, errors)
    require_fields(errors)
    return values, stones


def create_job(
    session: Session,
    actor: Actor,
    data: JobInput,
    photos: Iterable[PhotoFile] = (),
    *,
    upload_dir: Path | None = None,
) -> Job:
    """Take in a job at the actor's store with its stones and intake photos; bad input saves nothing.

    Our piece goes "in repair" through stock's ledger; the deposit counts as paid unless another module
    (billing's bridge) takes the money.
    """
    actor.require("repairs.job.edit")
    values, stones = _clean(session, actor, data)
    first_stage = stages_for(session, actor.store_id, data.kind)[0]
    piece_id = values["piece_id"]
    if not values["item_description"]:
        values["item_description"] = f"Our piece {data.piece_sku.strip().upper()}"
    job = Job(
        store_id=actor.store_id,
        stage=first_stage,
        public_token=new_token(),
        terms_accepted_at=utcnow(),
        terms_accepted_by=str(values["customer_name"]),
        created_by=actor.user_name,
        paid=Decimal("0.00") if payments_elsewhere(actor) else values["deposit"],
        **values,
    )
    session.add(job)
    session.flush()
    job.number = f"{PREFIXES[job.kind]}-{actor.store_code}-{job.id:06d}"
    for stone in stones:
        stone.job_id = job.id
    session.add_all([job, *stones])
    session.add(
        StageMove(
            job_id=job.id,
            store_id=job.store_id,
            to_stage=first_stage,
            note="Taken in",
            user_id=actor.user_id,
            user_name=actor.user_name,
        )
    )
    session.flush()
    announce(session, board_channel(job.store_id))
    if piece_id is not None:
        stock_move(session, actor, int(piece_id), "repair_out", reference=job.number)
    add_photos(session, actor, job, photos, caption="Intake", upload_dir=upload_dir)
    payload = {
        "job_id": job.id,
        "number": job.number,
        "kind": job.kind,
        "store_id": job.store_id,
        "customer_id": job.customer_id,
        "estimate": str(job.estimate),
        "deposit": str(job.deposit),
    }
    emit(session, actor, "repairs.job", "created", payload)
    return job


def add_job_photos(
    session: Session,
    actor: Actor,
    job_id: int,
    photos: Iterable[PhotoFile],
    *,
    caption: str = "",
    upload_dir: Path | None = None,
) -> list[JobPhoto]:
    """Add photos to a job of the actor's store (not tied to a stage move)."""
    job = get_job(session, actor, job_id, "repairs.job.edit")
    return add_photos(session, actor, job, photos, caption=caption, upload_dir=upload_dir)


def job_stones(session: Session, actor: Actor, job_id: int, phase: str = "in") -> list[JobStone]:
    """The stones declared at intake (``"in"``) or counted at pickup (``"out"``)."""
    get_job(session, actor, job_id)
    stmt = select(JobStone).where(JobStone.job_id == job_id, JobStone.phase == phase).order_by(JobStone.id)
    return list(session.exec(stmt))


def assign_job(session: Session, actor: Actor, job_id: int, assigned_user_id: str, karigar_id: str) -> Job:
    """Set who looks after the job and which karigar does the work (blank clears either)."""
    job = get_job(session, actor, job_id, "repairs.job.edit")
    if job.delivered_at is not None:
        raise JewelError(f"{job.number} was delivered.")
    errors: dict[str, str] = {}
    user_id = _assignee(session, actor, assigned_user_id, errors)
    karigar = _karigar(session, actor, karigar_id, errors)
    require_fields(errors)
    job.assigned_user_id, job.karigar_id = user_id, karigar
    session.add(job)
    session.flush()
    return job
