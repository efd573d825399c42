"""Helpers for repairs tests that go through the real intake: customers, photos and jobs."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from jewelerp.db import read_session, unit_of_work
from modules.clienteling.services import CustomerInput, create_customer
from modules.repairs.jobs import JobInput, StoneInput, create_job
from modules.repairs.models import Job
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal, Piece
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.stock.huids import new_huid


def run(actor, work):
    """Run ``work(session, actor)`` in its own committed unit of work."""
    with unit_of_work(actor) as session:
        return work(session, actor)


def customer(actor, name: str = "Kavya Iyer", **fields) -> int:
    """A customer made through clienteling's service; returns the id."""
    values = {"phone": "+91 98200 12345", "email": "kavya@example.com"} | fields
    return run(actor, lambda s, a: create_customer(s, a, CustomerInput(name=name, **values), allow_duplicate=True)).id


def png(colour: tuple[int, int, int] = (200, 160, 40), side: int = 64) -> bytes:
    """A small PNG image."""
    out = io.BytesIO()
    Image.new("RGB", (side, side), colour).save(out, "PNG")
    return out.getvalue()


def in_days(actor, days: int) -> str:
    """The actor's store-local date ``days`` from today, as the form sends it."""
    return (actor.today() + timedelta(days=days)).isoformat()


def intake(actor, customer_id: int, upload_dir: Path | None = None, photos=(), **fields) -> Job:
    """Take in a repair of a 10 g ring with two rubies (fields override); returns the job."""
    values = {
        "customer_id": str(customer_id),
        "item_description": "22K gold ring with two rubies",
        "requested_work": "Resize from 12 to 14",
        "promised_on": in_days(actor, 5),
        "estimate": "1500",
        "deposit": "500",
        "weight_in": "10.000",
        "terms_accepted": True,
        "stones": [StoneInput("Ruby", "2", "0.500")],
    } | fields
    return run(actor, lambda s, a: create_job(s, a, JobInput(**values), photos, upload_dir=upload_dir))


def job(job_id: int) -> Job:
    """The job as stored now."""
    with read_session() as session:
        return session.get(Job, job_id)


def our_piece(actor) -> Piece:
    """A 6 g 22K ring received into the actor's store."""
    with unit_of_work() as session:
        ensure_default_masters(session)
        ring = session.scalars(select(Category).where(Category.code == "RING")).one().id
        gold = session.scalars(select(Metal).where(Metal.fineness == 916)).first().id
    data = PieceInput(category_id=str(ring), metal_id=str(gold), gross_weight="6.000", huid=new_huid())
    return run(actor, lambda s, a: receive_piece(s, a, data))
