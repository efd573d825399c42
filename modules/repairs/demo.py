"""Demo workshop: repairs and custom orders in every stage, with photos, design versions and a karigar
ledger (issues, returns and one loss above the allowance), for each demo store.

Jobs go through the repairs services as staff would use them (intake, stage moves, design upload and
approval, metal issue and receipt, delivery); afterwards each job's history is moved back in time, so the
board shows held and overdue jobs and the reports have turnarounds to measure. The customers are the
store's own, read through clienteling's customer list. Seeded by store code; nothing is added twice.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import func, update
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.ui.table_query import TableQuery
from modules.clienteling.api import CUSTOMERS
from modules.repairs.delivery import DeliveryInput, deliver_job
from modules.repairs.design import add_version, approve_version
from modules.repairs.jobs import JobInput, StoneInput, create_job
from modules.repairs.karigars import IssueInput, KarigarInput, ReceiptInput, create_karigar, issue_metal, receive_work
from modules.repairs.models import DesignVersion, Job, JobPhoto, KarigarEntry, StageMove
from modules.repairs.payments import balance_due, payments_elsewhere, record_payment
from modules.repairs.stages import DELIVERED, METAL_ISSUED, move_job, stages_for
from modules.stock.api import PIECES, piece_by_sku

KARIGARS = {
    "MUM": (("Ramesh Soni", "1.50"), ("Abdul Karim", "1.00"), ("Sunil Verma", "2.00")),
    "DEL": (("Harish Kumar", "1.50"), ("Iqbal Ansari", "1.00"), ("Mahesh Saini", "2.00")),
}
KARIGAR_PHONES = {"MUM": "+9198200412", "DEL": "+9198110523"}  # + the karigar's number 01, 02, 03
REPAIRS = (  # item, work, grams in (low, high), fineness, stones (kind, count, carats, inscription)
    ("22K gold bangle, clasp loose", "Tighten the clasp and polish", (18, 30), 916, ()),
    (
        "18K white gold solitaire ring",
        "Resize from 12 to 14 and re-plate rhodium",
        (3.5, 5),
        750,
        (("diamond", 1, "0.50", "GIA 2141438171"),),
    ),
    ("22K gold chain, broken link", "Solder the link and clean", (8, 15), 916, ()),
    ("Jhumka earrings, one hook missing", "Make a matching hook", (6, 10), 916, (("ruby", 2, "0.40", ""),)),
    ("Mangalsutra, beads scattered", "Restring with new black beads", (10, 20), 916, ()),
    ("Silver anklets (pair)", "Replace the ghungroos and polish", (40, 70), 925, ()),
    (
        "Diamond pendant, prong lifted",
        "Re-tip the prongs",
        (2.5, 4),
        750,
        (("diamond", 1, "0.30", ""), ("diamond", 12, "0.12", "")),
    ),
    ("Platinum band, deep scratches", "Remove scratches and polish", (6, 9), 950, ()),
)
CUSTOM = (  # item, work, estimate, fineness, grams of metal issued, grams of stones issued for setting
    ("Engagement ring, 18K rose gold, oval halo", "Oval 1 ct centre, a halo of melee", 85_000, 750, "5.500", "0.260"),
    ("Temple necklace in 22K with rubies", "Lakshmi motif, 18 inch, with earrings", 3_40_000, 916, "45.000", "8.000"),
    ("Name pendant in 22K gold", "Name in Devanagari on a 16 inch chain", 28_000, 916, "4.200", "0"),
    ("Pair of 18K diamond studs", "Round brilliants, 0.25 ct each, screw backs", 62_000, 750, "3.100", "0.100"),
    ("Men's 22K kada", "Plain polished kada, 2.75 size", 2_10_000, 916, "30.000", "0"),
    ("Platinum couple bands", "Two matching bands with a milgrain edge", 1_35_000, 950, "12.000", "0"),
)
EXTRA_DELIVERED = 2  # more delivered jobs of each kind, for the turnaround report
LOSS_ALERT_STAGE = "quality check"  # the custom order at this stage came back with too much loss


@dataclass
class _Story:
    """One demo job and the rows made at each of its steps (intake is step 0), to be dated afterwards."""

    job_id: int
    customer: str
    delivered: bool = False
    turnaround_days: float = 0
    steps: list[list[tuple[Any, int, str]]] = field(default_factory=lambda: [[]])

    def mark(self, model: Any, row_id: int | None, column: str) -> None:
        self.steps[-1].append((model, row_id or 0, column))

    def step(self, move: StageMove) -> None:
        self.steps.append([(StageMove, move.id or 0, "at")])


def _picture(title: str, caption: str, background: tuple[int, int, int], line: tuple[int, int, int]) -> bytes:
    """A small square PNG: a ring outline with a stone, a title and a caption readable on the background."""
    picture = Image.new("RGB", (400, 400), background)
    draw = ImageDraw.Draw(picture)
    text = (40, 40, 40) if sum(background) > 384 else (235, 235, 235)
    draw.ellipse((120, 120, 280, 280), outline=line, width=14)
    draw.polygon(((200, 72), (228, 112), (200, 132), (172, 112)), outline=(70, 120, 200), width=5)
    draw.text((200, 36), title, fill=text, font_size=26, anchor="mm")
    draw.text((200, 350), caption[:44], fill=text, font_size=16, anchor="mm")
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _customers(session: Session, actor: Actor) -> list[int]:
    rows, _total = CUSTOMERS.fetch(session, actor, TableQuery(limit=60))
    return [int(r["id"]) for r in rows]


def _karigars(session: Session, actor: Actor) -> list[int]:
    code = actor.store_code if actor.store_code in KARIGARS else "MUM"
    return [
        create_karigar(session, actor, KarigarInput(name, f"{KARIGAR_PHONES[code]}{n:02d}", allowance)).id or 0
        for n, (name, allowance) in enumerate(KARIGARS[code], start=1)
    ]


def _our_piece(session: Session, actor: Actor) -> tuple[str, Decimal] | None:
    rows, _total = PIECES.fetch(session, actor, TableQuery(filters={"status": "in_stock"}, limit=1))
    if not rows:
        return None
    piece = piece_by_sku(session, actor, rows[0]["sku"])
    return piece.sku, piece.gross_weight


def _grams(rng: random.Random, low: float, high: float) -> str:
    return f"{rng.uniform(low, high):.3f}"


def _repair_input(rng: random.Random, customer: int, karigar: int | None, today_iso: str) -> tuple[JobInput, str]:
    item, work, (low, high), fineness, stones = rng.choice(REPAIRS)
    estimate = rng.choice((450, 800, 1200, 1800, 2500, 4000, 6500))
    data = JobInput(
        kind="repair",
        customer_id=str(customer),
        item_description=item,
        requested_work=work,
        promised_on=today_iso,
        estimate=str(estimate),
        deposit=str(rng.choice((0, estimate // 4, estimate // 2))),
        weight_in=_grams(rng, low, high),
        metal_fineness=str(fineness),
        condition_notes=rng.choice(("Light scratches all over.", "Worn polish.", "", "Customer's own piece.")),
        terms_accepted=True,
        karigar_id=str(karigar or ""),
        stones=[StoneInput(k, str(c), ct, ins) for k, c, ct, ins in stones],
    )
    return data, item


def _custom_input(rng: random.Random, plan: tuple, customer: int, karigar: int | None, today_iso: str) -> JobInput:
    item, work, estimate, fineness, _metal, _stones = plan
    return JobInput(
        kind="custom",
        customer_id=str(customer),
        item_description=item,
        requested_work=work,
        promised_on=today_iso,
        estimate=str(estimate),
        deposit=str(estimate * rng.choice((20, 25, 30, 40)) // 100),
        metal_fineness=str(fineness),
        terms_accepted=True,
        karigar_id=str(karigar or ""),
    )


def _intake(session: Session, actor: Actor, data: JobInput, upload_dir: Path | None) -> _Story:
    photo = ("intake.png", _picture("Intake", data.item_description or data.piece_sku, (245, 240, 228), (170, 125, 35)))
    job = create_job(session, actor, data, [photo], upload_dir=upload_dir)
    story = _Story(job.id or 0, job.customer_name)
    first = session.scalar(select(func.min(StageMove.id)).where(StageMove.job_id == job.id))
    story.mark(StageMove, first, "at")
    return story


def _advance(
    session: Session, actor: Actor, story: _Story, to_stage: str, upload_dir: Path | None, rng: random.Random
) -> None:
    """Move the job one stage on (with a photo now and then)."""
    photos = [("stage.png", _picture(to_stage.title(), "Workshop photo", (236, 240, 244), (150, 150, 160)))]
    move = move_job(
        session,
        actor,
        story.job_id,
        to_stage,
        rng.choice(("", "", "Checked.", "On track.")),
        photos if rng.random() < 0.3 else [],
        upload_dir=upload_dir,
    )
    story.step(move)


def _deliver(session: Session, actor: Actor, story: _Story, data: JobInput, rng: random.Random) -> None:
    job = session.get(Job, story.job_id)
    assert job is not None
    weight_out = job.weight_in if job.weight_in is not None else Decimal(_grams(rng, 3, 40))
    override = False
    due = balance_due(session, actor, job)
    if due > 0 and not payments_elsewhere(actor):
        record_payment(session, actor, job.id or 0, str(due))
    elif due > 0:
        override = True
    result = deliver_job(
        session,
        actor,
        story.job_id,
        DeliveryInput(
            weight_out=str(weight_out),
            stones_out=list(data.stones),
            override=override,
            note="Balance paid at the billing counter." if override else "",
        ),
    )
    last = session.scalar(select(func.max(StageMove.id)).where(StageMove.job_id == result.id))
    story.steps.append([(StageMove, last or 0, "at")])
    story.delivered = True


def _design(session: Session, actor: Actor, story: _Story, version: int, upload_dir: Path | None) -> DesignVersion:
    kind = "sketch" if version == 1 else "cad"
    colours = ((252, 252, 250), (120, 120, 120)) if kind == "sketch" else ((40, 44, 52), (212, 175, 55))
    image = _picture(f"Version {version}", "Pencil sketch" if kind == "sketch" else "CAD render", *colours)
    note = "First idea from the enquiry." if version == 1 else "Revised as the customer asked."
    row = add_version(session, actor, story.job_id, kind, f"v{version}.png", image, note, upload_dir)
    story.mark(DesignVersion, row.id, "uploaded_at")
    return row


def _repair(
    session: Session, actor: Actor, rng: random.Random, target: str, customer: int, karigar: int | None, ctx: dict
) -> _Story:
    data, _item = _repair_input(rng, customer, karigar, ctx["promised"])
    story = _intake(session, actor, data, ctx["upload_dir"])
    stages = stages_for(session, actor.store_id, "repair")
    for stage in stages[1 : stages.index(target) + 1]:
        if stage == DELIVERED:
            _deliver(session, actor, story, data, rng)
        else:
            _advance(session, actor, story, stage, ctx["upload_dir"], rng)
    story.turnaround_days = rng.uniform(2, 12)
    return story


def _custom(
    session: Session, actor: Actor, rng: random.Random, target: str, plan: tuple, customer: int, karigar: int, ctx: dict
) -> _Story:
    data = _custom_input(rng, plan, customer, karigar, ctx["promised"])
    story = _intake(session, actor, data, ctx["upload_dir"])
    stages = stages_for(session, actor.store_id, "custom")
    versions: list[DesignVersion] = []
    for stage in stages[1 : stages.index(target) + 1]:
        if stage == METAL_ISSUED:
            approved = approve_version(session, actor, versions[-1].id or 0, story.customer)
            story.mark(DesignVersion, approved.id, "approved_at")
        if stage == DELIVERED:
            _deliver(session, actor, story, data, rng)
            continue
        _advance(session, actor, story, stage, ctx["upload_dir"], rng)
        if stage in ("design", "customer approval"):
            versions.append(_design(session, actor, story, len(versions) + 1, ctx["upload_dir"]))
        if stage == METAL_ISSUED:
            gross = str(Decimal(plan[4]) + Decimal(plan[5]))  # the stones go out with the metal, for setting
            entry = issue_metal(session, actor, story.job_id, karigar, IssueInput(gross, str(plan[3]), "", plan[5]))
            story.mark(KarigarEntry, entry.id, "at")
        if stage == "stone setting":
            _receive(session, actor, rng, story, karigar, plan, over=target == LOSS_ALERT_STAGE)
    story.turnaround_days = rng.uniform(15, 40)
    return story


def _receive(
    session: Session, actor: Actor, rng: random.Random, story: _Story, karigar: int, plan: tuple, over: bool
) -> None:
    """Piece (with the stones set in it) and scrap back from the karigar: a loss of 0.4–0.9 % of the metal, or
    3.5 % for the alert."""
    issued, stones = Decimal(plan[4]), Decimal(plan[5])
    loss = Decimal("0.035") if over else Decimal(str(round(rng.uniform(0.004, 0.009), 4)))
    scrap = (issued * Decimal("0.04")).quantize(Decimal("0.001"))
    piece = (issued - scrap - issued * loss).quantize(Decimal("0.001"))
    back = ReceiptInput(str(piece + stones), str(scrap), str(plan[3]), piece_stone_weight=str(stones))
    receive_work(session, actor, story.job_id, karigar, back)
    for entry_id in session.scalars(
        select(KarigarEntry.id).where(KarigarEntry.job_id == story.job_id, KarigarEntry.kind != "issue")
    ):
        story.mark(KarigarEntry, entry_id, "at")


def _timeline(story: _Story, now: datetime, rng: random.Random) -> list[datetime]:
    """When each step happened: a delivered job took its turnaround and ended some days ago; an open job's
    last step was recently, or long ago for a job held in its stage."""
    steps = len(story.steps)
    if story.delivered:
        end = now - timedelta(days=rng.uniform(0.5, 40))
        span = timedelta(days=story.turnaround_days)
    else:
        end = now - timedelta(days=rng.choice((0.1, 0.4, 1.5, 3, 9, 12)))
        span = timedelta(days=rng.uniform(0.8, 2.5) * max(steps - 1, 1))
    start = end - span
    return [start + span * (i / max(steps - 1, 1)) for i in range(steps)]


def _backdate(session: Session, actor: Actor, story: _Story, rng: random.Random) -> None:
    times = _timeline(story, utcnow(), rng)
    for at, rows in zip(times, story.steps, strict=True):
        for model, row_id, column in rows:
            session.execute(update(model).where(model.id == row_id).values({column: at}))
            if model is StageMove:
                session.execute(update(JobPhoto).where(JobPhoto.move_id == row_id).values(taken_at=at))
    intake = actor.local(times[0]).date()
    promised = intake + timedelta(days=7 if story.turnaround_days < 14 else 30)
    session.execute(
        update(Job)
        .where(Job.id == story.job_id)
        .values(
            created_at=times[0],
            stage_since=times[-1],
            delivered_at=times[-1] if story.delivered else None,
            promised_on=promised,
            terms_accepted_at=times[0],
        )
    )
    session.execute(
        update(JobPhoto).where(JobPhoto.job_id == story.job_id, JobPhoto.move_id.is_(None)).values(taken_at=times[0])
    )


def load(session: Session, actor: Actor, upload_dir: Path | None = None) -> None:
    """Fill the actor's store with demo jobs unless it already has some (idempotent)."""
    if session.scalar(select(func.count()).select_from(Job).where(Job.store_id == actor.store_id)):
        return
    customers = _customers(session, actor)
    if not customers:
        return
    rng = random.Random(f"repairs-{actor.store_code}")
    karigars = _karigars(session, actor)
    ctx = {"promised": (actor.today() + timedelta(days=30)).isoformat(), "upload_dir": upload_dir}
    stories = []
    repair_stages = stages_for(session, actor.store_id, "repair")
    for target in [*repair_stages, *repair_stages, *[DELIVERED] * EXTRA_DELIVERED]:
        karigar = rng.choice(karigars) if repair_stages.index(target) >= 2 else None
        stories.append(_repair(session, actor, rng, target, rng.choice(customers), karigar, ctx))
    custom_stages = stages_for(session, actor.store_id, "custom")
    for index, target in enumerate([*custom_stages, *[DELIVERED] * EXTRA_DELIVERED]):
        plan = CUSTOM[index % len(CUSTOM)]
        karigar = karigars[index % len(karigars)] if target != LOSS_ALERT_STAGE else karigars[1]
        stories.append(_custom(session, actor, rng, target, plan, rng.choice(customers), karigar, ctx))
    piece = _our_piece(session, actor)
    if piece is not None:
        data, _item = _repair_input(rng, rng.choice(customers), karigars[0], ctx["promised"])
        data.piece_sku, data.item_description, data.weight_in, data.stones = piece[0], "", str(piece[1]), []
        story = _intake(session, actor, data, upload_dir)
        for stage in repair_stages[1 : repair_stages.index("in workshop") + 1]:
            _advance(session, actor, story, stage, upload_dir, rng)
        stories.append(story)
    for story in stories:
        _backdate(session, actor, story, rng)
    session.flush()
