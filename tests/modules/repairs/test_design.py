"""Design versions of custom orders: numbered uploads (images or PDF, checked), one approved version,
re-approval before metal is issued and not after, permissions and stores."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image
from sqlmodel import select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from modules.repairs.design import add_version, approve_version, design_rows
from modules.repairs.karigars import IssueInput, KarigarInput, create_karigar, issue_metal
from modules.repairs.models import DesignVersion, Job
from modules.repairs.stages import move_job
from tests.modules.repairs.jobrows import job_row

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png(side: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (200, 160, 40)).save(out, "PNG")
    return out.getvalue()


def _upload(actor, job_id, tmp_path, content=None, kind="sketch", name="ring.png", note=""):
    with unit_of_work(actor) as session:
        version = add_version(
            session, actor, job_id, kind, name, _png() if content is None else content, note, tmp_path
        )
        return version.id, version.version, version.path


def _approve(actor, version_id, name="Kavya Iyer"):
    with unit_of_work(actor) as session:
        return approve_version(session, actor, version_id, name).id


def _job(job_id) -> Job:
    with read_session() as session:
        return session.get(Job, job_id)


def test_versions_are_numbered_and_kept_as_image_or_pdf(world, tmp_path):
    designer = world.actor("designer")
    job_id = job_row(world.mum)
    first = _upload(designer, job_id, tmp_path, note="  first   sketch ")
    second = _upload(designer, job_id, tmp_path, PDF, kind="cad", name="render.pdf")
    assert (first[1], second[1]) == (1, 2)
    assert first[2].startswith("repairs-designs/") and first[2].endswith(".jpg")
    assert second[2].endswith(".pdf") and (tmp_path / second[2]).read_bytes() == PDF
    assert Image.open(tmp_path / first[2]).format == "JPEG"
    with read_session() as session:
        rows = design_rows(session, world.actor("sales"), job_id)  # anyone who sees jobs sees the designs
    assert [(r["version"], r["kind"], r["is_pdf"], r["note"]) for r in rows] == [
        ("Version 2", "CAD render", "yes", ""),
        ("Version 1", "Sketch", "", "first sketch"),
    ]


def test_bad_files_and_fields_are_refused_and_nothing_is_kept(world, tmp_path):
    designer = world.actor("designer")
    job_id = job_row(world.mum)
    for content, message in (
        (b"", "Choose the sketch"),
        (b"not an image at all", "neither an image"),
        (b"%PDF-" + b"x" * (10 * 1024 * 1024), "larger than 10 MB"),
    ):
        with pytest.raises(ValidationError) as err:
            _upload(designer, job_id, tmp_path, content, name="file.bin")
        assert message in err.value.fields["design"]
    with pytest.raises(ValidationError) as err:
        _upload(designer, job_id, tmp_path, kind="photo", note="x" * 301)
    assert set(err.value.fields) == {"design_kind", "design_note"}
    assert not (tmp_path / "repairs-designs").exists() or not any((tmp_path / "repairs-designs").iterdir())
    with read_session() as session:
        assert session.exec(select(DesignVersion)).first() is None


def test_only_custom_orders_of_the_store_take_designs_and_sales_cannot_upload(world, tmp_path):
    repair = job_row(world.mum, kind="repair", stage="received")
    with pytest.raises(JewelError, match="is a repair"):
        _upload(world.actor("designer"), repair, tmp_path)
    with pytest.raises(PermissionDenied):
        _upload(world.actor("sales"), job_row(world.mum), tmp_path)
    with pytest.raises(NotFound):
        _upload(world.actor("designer", world.dl), job_row(world.mum), tmp_path)
    with pytest.raises(JewelError, match="delivered"):
        _upload(world.actor("designer"), job_row(world.mum, stage="delivered"), tmp_path)


def test_one_version_is_approved_with_the_customers_name_and_who_recorded_it(world, tmp_path):
    designer = world.actor("designer")
    job_id = job_row(world.mum)
    v1, _, _ = _upload(designer, job_id, tmp_path)
    v2, _, _ = _upload(designer, job_id, tmp_path)
    with pytest.raises(ValidationError) as err:
        _approve(designer, v1, "   ")
    assert "approved_by" in err.value.fields
    _approve(designer, v1, " Kavya   Iyer ")
    assert _job(job_id).approved_version_id == v1
    with pytest.raises(JewelError, match="already the approved design"):
        _approve(designer, v1)
    _approve(designer, v2, "Kavya Iyer")  # the customer changed her mind before any metal went out
    with read_session() as session:
        rows = {r["id"]: r for r in design_rows(session, designer, job_id)}
        first, second = session.get(DesignVersion, v1), session.get(DesignVersion, v2)
    assert _job(job_id).approved_version_id == v2
    assert (first.approved_at, first.approved_by) == (None, "")
    assert (second.approved_by, second.recorded_by) == ("Kavya Iyer", "Designer")
    assert rows[str(v2)]["approved"] == "yes" and rows[str(v1)]["approved"] == ""
    assert rows[str(v2)]["approval"].startswith("Approved by Kavya Iyer on ")


def test_metal_waits_for_an_approved_design_and_then_fixes_it(world, tmp_path):
    manager = world.actor("manager")
    job_id = job_row(world.mum)
    with unit_of_work(manager) as session:
        karigar_id = create_karigar(session, manager, KarigarInput("Ramesh Soni")).id
    issue = IssueInput(weight="10.000", fineness="916")
    with pytest.raises(JewelError, match="approves a design version"), unit_of_work(manager) as session:
        issue_metal(session, manager, job_id, karigar_id, issue)
    v1, _, _ = _upload(manager, job_id, tmp_path)
    v2, _, _ = _upload(manager, job_id, tmp_path)
    _approve(manager, v1)
    with unit_of_work(manager) as session:
        entry = issue_metal(session, manager, job_id, karigar_id, issue)
        assert entry.fine_weight == Decimal("9.160")
    with pytest.raises(JewelError, match="can no longer be changed"):
        _approve(manager, v2)
    assert _job(job_id).approved_version_id == v1


def test_the_metal_issued_stage_fixes_the_design_too(world, tmp_path):
    manager = world.actor("manager")
    job_id = job_row(world.mum, stage="customer approval")
    v1, _, _ = _upload(manager, job_id, tmp_path)
    v2, _, _ = _upload(manager, job_id, tmp_path)
    with pytest.raises(JewelError, match="approves a design version"), unit_of_work(manager) as session:
        move_job(session, manager, job_id, "metal issued")
    _approve(manager, v1)
    with unit_of_work(manager) as session:
        move_job(session, manager, job_id, "metal issued")
    with pytest.raises(JewelError, match="can no longer be changed"):
        _approve(manager, v2)
