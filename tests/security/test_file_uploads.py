"""Issue 12, finding 1 (photos and files): no work before the session check, staged files on disk (never in
state), caps per person, and images refused by their size in pixels before anything is decoded.

The attacks: the staging handlers (repairs intake, job page, karigar designs, piece photos, lab reports,
provenance documents, customer photos) read up to 40 × 10 MB per client into page state without asking
who was calling, and a small PNG announcing 20000 × 20000 pixels went to the decoder. The handlers are
called here the way Reflex calls them: the state's handler function with a list of uploads.
"""

from __future__ import annotations

import asyncio
import io
import os
import pickle
import stat
import struct
import threading
import time
import zlib
from dataclasses import replace

import pytest
from PIL import Image, ImageFile
from reflex.istate.data import SessionData
from sqlalchemy import select

from jewelerp import staging
from jewelerp.core.models import AuditLog
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, ValidationError
from jewelerp.files import files_root
from jewelerp.images import TOO_LARGE, ImageTooLarge
from jewelerp.ui.state import AppState
from modules.clienteling.profile_page import ProfileState
from modules.repairs import intake_page
from modules.repairs.intake_page import IntakeState
from modules.repairs.job_page import JobState
from modules.repairs.models import JobPhoto
from modules.repairs.photos import prepare_photo
from modules.stock.certificates import CertificateInput, add_certificate
from modules.stock.piece_page import PieceState
from tests.modules.repairs.intake import customer, in_days, intake, our_piece, png

CLIENT_IP = "203.0.113.9"
ENDED = "Your session has ended. Sign in again."
INTAKE_FORM = {
    "kind": "repair",
    "item_description": "22K gold ring",
    "requested_work": "Polish",
    "estimate": "500",
    "deposit": "0",
    "weight_in": "5.000",
    "terms_accepted": "on",
}
HANDLERS = [
    (IntakeState, "stage_photos"),
    (JobState, "stage_move_photos"),
    (JobState, "add_photos"),
    (JobState, "stage_design"),
    (PieceState, "stage_report"),
    (PieceState, "stage_document"),
    (PieceState, "upload_images"),
    (ProfileState, "upload_photo"),
]


class RecordingUpload:
    """Stands in for ``rx.UploadFile``: remembers every ``read``."""

    def __init__(self, name: str, content: bytes):
        self.name = self.filename = name
        self.content = content
        self.reads: list[int] = []

    async def read(self, size: int = -1) -> bytes:
        self.reads.append(size)
        return self.content if size < 0 else self.content[:size]


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces ``width`` × ``height`` one-bit pixels (its data is never valid)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def _page(state_class: type[AppState]) -> AppState:
    state = state_class(_reflex_internal_init=True)
    state.router = replace(state.router, session=SessionData(client_ip=CLIENT_IP))
    return state


def _signed_in(monkeypatch, actor) -> None:
    monkeypatch.setattr(AppState, "_actor", lambda _self: actor)


def _call(state: AppState, handler: str, *args) -> None:
    result = getattr(type(state), handler).fn(state, *args)
    if asyncio.iscoroutine(result):
        asyncio.run(result)


def _refusals() -> list[dict]:
    with read_session() as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.record_type == "security"))
        return [{"kind": r.record_id, "user": r.user_name, "changes": r.changes} for r in rows]


def _staged_files() -> list:
    folder = files_root() / staging.STAGING
    return sorted(p for p in folder.glob("*/*/*") if p.is_file()) if folder.is_dir() else []


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if Pillow starts decoding pixels."""

    def refuse(*_args, **_kwargs):
        pytest.fail("an image was decoded that should have been refused from its header")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


# --- session and permission before the first byte ------------------------------------------------


@pytest.mark.parametrize(("state_class", "handler"), HANDLERS)
def test_staging_without_a_session_reads_nothing_and_is_logged(world, state_class, handler):
    upload = RecordingUpload("ring.png", png())
    page = _page(state_class)
    _call(page, handler, [upload])
    assert upload.reads == []
    assert page.message == ENDED and not page.message_ok
    assert _staged_files() == []
    assert [(r["kind"], r["user"]) for r in _refusals()] == [("upload", "anonymous")]
    assert CLIENT_IP in _refusals()[0]["changes"]


def test_staging_without_the_permission_reads_nothing(world, monkeypatch):
    _signed_in(monkeypatch, world.actor("sales"))  # sales may not upload designs
    upload = RecordingUpload("sketch.png", png())
    page = _page(JobState)
    _call(page, "stage_design", [upload])
    assert upload.reads == [] and page.staged_design == ""
    assert page.message == "You do not have permission to do this."
    assert [(r["kind"], r["user"]) for r in _refusals()] == [("upload", "Sales")]


# --- staged on disk, not in state ----------------------------------------------------------------


def test_staged_photos_wait_on_disk_and_the_state_holds_no_bytes(world, monkeypatch):
    sales = world.actor("sales")
    _signed_in(monkeypatch, sales)
    photos = [png((250, 10, 10), 96), png((10, 250, 10), 96)]
    page = _page(IntakeState)
    _call(page, "stage_photos", [RecordingUpload(f"p{n}.png", p) for n, p in enumerate(photos)])
    assert page.photo_names == ["p0.png", "p1.png"] and page.message == ""
    kept = pickle.dumps(page)
    assert len(kept) < 4096 and not any(photo[-200:] in kept for photo in photos)
    staged = _staged_files()
    assert len(staged) == 2 and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in staged)
    assert stat.S_IMODE(staged[0].parent.stat().st_mode) == 0o700
    form = {**INTAKE_FORM, "customer_id": str(customer(sales)), "promised_on": in_days(sales, 3)}
    _call(page, "take_in", form)
    assert page.taken_number and page.photo_names == []
    with read_session() as session:
        assert len(session.scalars(select(JobPhoto)).all()) == 2
    assert _staged_files() == []  # used, so removed


def test_staged_files_of_another_person_or_past_their_time_are_not_found(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    entry = staging.stage(sales.user_id, "repairs-intake", "a.png", ".jpg", b"jpeg")
    with pytest.raises(JewelError, match="gone"):
        staging.take(manager.user_id, "repairs-intake", [entry])
    assert staging.take(sales.user_id, "repairs-intake", [entry])[0].path.read_bytes() == b"jpeg"
    with pytest.raises(JewelError):
        staging.take(sales.user_id, "repairs-intake", [{"id": "../../secret.jpg", "name": "x"}])
    old = time.time() - staging.EXPIRY_SECONDS - 60
    os.utime(_staged_files()[0], (old, old))
    staging.sweep()
    assert _staged_files() == []
    with pytest.raises(JewelError, match="gone"):
        staging.take(sales.user_id, "repairs-intake", [entry])


def test_a_person_stages_only_so_many_files(world, monkeypatch):
    _signed_in(monkeypatch, world.actor("sales"))
    monkeypatch.setattr(staging, "MAX_FILES", 3)
    page = _page(IntakeState)
    _call(page, "stage_photos", [RecordingUpload(f"p{n}.png", png()) for n in range(3)])
    fourth = RecordingUpload("p3.png", png())
    _call(page, "stage_photos", [fourth])
    assert len(page.photo_names) == 3 and len(_staged_files()) == 3
    assert page.message == "Too many files are waiting to be saved. Save or remove them first."


def test_a_form_reads_no_more_files_than_it_takes(world, monkeypatch):
    _signed_in(monkeypatch, world.actor("designer"))
    uploads = [RecordingUpload("v1.png", png()), RecordingUpload("v2.png", png())]
    page = _page(JobState)
    _call(page, "stage_design", uploads)
    assert page.staged_design == "v1.png" and uploads[1].reads == []


def test_photos_are_checked_in_a_worker_thread(world, monkeypatch):
    _signed_in(monkeypatch, world.actor("sales"))
    threads = []

    def recording(name: str, content: bytes) -> tuple[str, bytes]:
        threads.append(threading.current_thread())
        return prepare_photo(name, content)

    monkeypatch.setattr(intake_page, "INTAKE_PHOTOS", replace(intake_page.INTAKE_PHOTOS, prepare=recording))
    _call(_page(IntakeState), "stage_photos", [RecordingUpload("p.png", png())])
    assert threads and threading.main_thread() not in threads


# --- images too large to decode ------------------------------------------------------------------


@pytest.mark.parametrize("size", [(20000, 20000), (7000, 7000)])
def test_an_image_of_too_many_pixels_is_refused_without_decoding(world, monkeypatch, no_decoding, size):
    bomb = png_header(*size)
    assert len(bomb) < 200
    with pytest.raises(ImageTooLarge) as refused:
        prepare_photo("bomb.png", bomb)
    assert refused.value.fields == {"photo": TOO_LARGE}
    manager = world.actor("manager")
    _signed_in(monkeypatch, manager)
    page = _page(IntakeState)
    _call(page, "stage_photos", [RecordingUpload("bomb.png", bomb)])
    assert page.errors == {"photo": TOO_LARGE} and page.photo_names == [] and _staged_files() == []
    assert [(r["kind"], r["user"]) for r in _refusals()] == [("upload", "Manager")]
    assert CLIENT_IP in _refusals()[0]["changes"] and TOO_LARGE in _refusals()[0]["changes"]


def test_every_image_upload_refuses_a_pixel_bomb(world, no_decoding):
    sales, manager = world.actor("sales"), world.actor("manager")
    bomb = png_header(20000, 20000)
    with pytest.raises(ValidationError) as job_photo:
        intake(sales, customer(sales), photos=[("bomb.png", bomb)])
    piece = our_piece(manager)
    data = CertificateInput(
        lab="GIA", report_number="2141438171", issued_on="2024-03-12", carat="1.010", colour="F", clarity="VS1"
    )
    with pytest.raises(ValidationError) as report, unit_of_work(manager) as session:
        add_certificate(session, manager, piece.id, data, "report.png", bomb)
    assert job_photo.value.fields == {"photo": TOO_LARGE} and report.value.fields == {"file": TOO_LARGE}


def test_a_real_photo_is_still_shrunk_to_a_jpeg():
    picture = io.BytesIO()
    Image.new("RGB", (3200, 2400), (200, 160, 40)).save(picture, "JPEG")
    suffix, jpeg = prepare_photo("big.jpg", picture.getvalue())
    with Image.open(io.BytesIO(jpeg)) as kept:
        assert (suffix, kept.format, max(kept.size)) == (".jpg", "JPEG", 1600)
