"""Certificates, provenance, QR tags and the public certificate page with its cache (services and HTTP, no
browser)."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from PIL import Image as PILImage
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from jewelerp.core.models import ModuleState
from jewelerp.core.settings import set_setting
from jewelerp.db import get_engine, read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.qr import qr_png
from jewelerp.registry import EventHandler, Registry, get_registry, set_registry
from jewelerp.ui import public_page
from jewelerp.ui.api import api_app
from modules.stock import provenance, public
from modules.stock.certificates import CertificateInput, add_certificate, certificate_rows
from modules.stock.images import save_image
from modules.stock.ledger import move
from modules.stock.models import Category, Certificate, Image, Metal, Piece, ProvenanceEvent
from modules.stock.pieces import PieceInput, StoneInput, receive_piece, record_huid
from modules.stock.provenance import add_event, on_stock_movement, timeline
from modules.stock.public import routes
from modules.stock.tags import label_sheet_pdf, public_url, reissue_token, revoke_token
from tests.modules.page_cache import count_renders, selects
from tests.modules.stock.huids import new_huid

HANDLER = "modules.stock.provenance:on_stock_movement"
MOVEMENT_KINDS = ("transfer_out", "transfer_in", "sale", "return", "repair_in", "consignment_return")


# ---------------------------------------------------------------- helpers


@pytest.fixture
def masters(world) -> dict[str, int]:
    """A category and two metals made directly (the masters page is someone else's)."""
    with unit_of_work() as session:
        ring = Category(code="RNG", name="Ring")
        gold = Metal(metal="gold", purity="22K", fineness=916, hallmarked=True)
        silver = Metal(metal="silver", purity="925", fineness=925)
        session.add_all([ring, gold, silver])
        session.flush()
        return {"category": ring.id, "gold": gold.id, "silver": silver.id}


@pytest.fixture
def uploads(tmp_path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    return folder


def _piece(world, masters, **fields) -> Piece:
    values = {
        "category_id": str(masters["category"]),
        "metal_id": str(masters["gold"]),
        "gross_weight": "12.500",
        "stone_weight": "0.500",
        "huid": new_huid(),
    } | fields
    actor = world.actor("manager")
    with unit_of_work(actor) as session:
        return receive_piece(session, actor, PieceInput(**values))


def _pdf_bytes(text: str = "GIA report") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, text)
    canvas.save()
    return buffer.getvalue()


def _png_bytes(size: tuple[int, int] = (40, 30), colour: str = "gold") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _diamond(**fields) -> CertificateInput:
    values = {
        "lab": "GIA",
        "report_number": "2141438171",
        "issued_on": "2024-03-12",
        "carat": "1.010",
        "shape": "Round Brilliant",
        "colour": "F",
        "clarity": "VS1",
        "cut": "excellent",
        "measurements": "6.45 - 6.48 x 3.98 mm",
        "fluorescence": "none",
    } | fields
    return CertificateInput(**values)


def _certify(actor, piece_id, data, file_name="", file_bytes=b"", upload_dir=None) -> Certificate:
    with unit_of_work(actor) as session:
        return add_certificate(session, actor, piece_id, data, file_name, file_bytes, upload_dir)


def _event(actor, piece_id, kind, on, **fields) -> ProvenanceEvent:
    with unit_of_work(actor) as session:
        return add_event(session, actor, piece_id, kind, on, **fields)


def _timeline(piece_id: int, public: bool = False):
    with read_session() as session:
        return timeline(session, piece_id, public)


def _count(model) -> int:
    with read_session() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _decode(image: PILImage.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode]


def _with_movement_handler() -> None:
    """Register the provenance handler for ledger events (the manifest gets it from the lead)."""
    modules = []
    for module in get_registry().modules:
        if module.name == "stock":
            present = {(h.record, h.event) for h in module.events}
            extra = tuple(
                EventHandler("stock.piece", kind, HANDLER)
                for kind in MOVEMENT_KINDS
                if ("stock.piece", kind) not in present
            )
            module = replace(module, events=module.events + extra)
        modules.append(module)
    set_registry(Registry(modules))


def _client(uploads: Path) -> TestClient:
    return TestClient(api_app(routes(uploads)))


def _path(token: str) -> str:
    return f"/c/{token}"


# ---------------------------------------------------------------- certificates


def test_a_diamond_certificate_is_saved_with_its_pdf_and_a_verify_note(world, masters, uploads):
    piece = _piece(world, masters)
    certificate = _certify(
        world.actor("designer"), piece.id, _diamond(report_number=" 2141 438171 "), "report.pdf", _pdf_bytes(), uploads
    )
    assert (certificate.lab, certificate.report_number, certificate.issued_on) == (
        "GIA",
        "2141438171",
        date(2024, 3, 12),
    )
    assert (certificate.carat, certificate.colour, certificate.clarity, certificate.cut) == (
        Decimal("1.010"),
        "F",
        "VS1",
        "Excellent",
    )
    assert certificate.fluorescence == "None"
    assert certificate.verify_note == "Check report 2141438171 at https://www.gia.edu/report-check"
    assert certificate.file.startswith("stock-files/") and certificate.file.endswith(".pdf")
    assert len(Path(certificate.file).stem) >= 22  # 128-bit random name
    assert (uploads / certificate.file).read_bytes().startswith(b"%PDF-")
    manager = world.actor("manager")
    with read_session() as session:
        rows = certificate_rows(session, manager, piece.id)
    assert rows[0]["report_number"] == "2141438171"
    assert rows[0]["issued_on"] == "12 Mar 2024"
    assert "1.010 ct" in rows[0]["summary"] and "VS1" in rows[0]["summary"]
    assert rows[0]["file_kind"] == "PDF"


def test_a_coloured_stone_certificate_takes_species_origin_treatment_and_an_image(world, masters, uploads):
    piece = _piece(world, masters)
    data = CertificateInput(
        lab="other",
        report_number="SSEF-123456",
        issued_on="05/01/2023",
        stone_kind="Sapphire",
        carat="2.5",
        colour="Cornflower blue",
        species="Natural corundum",
        origin="Sri Lanka",
        treatment="No indication of heating",
        verify_note="Call the lab on +41 61 262 06 40",
    )
    certificate = _certify(world.actor("manager"), piece.id, data, "scan.png", _png_bytes(), uploads)
    assert (certificate.stone_kind, certificate.species, certificate.origin) == (
        "sapphire",
        "Natural corundum",
        "Sri Lanka",
    )
    assert certificate.issued_on == date(2023, 1, 5)
    assert certificate.verify_note == "Call the lab on +41 61 262 06 40"
    assert certificate.file.endswith(".png")
    other = _certify(world.actor("manager"), piece.id, replace(data, report_number="X-1", verify_note=""))
    assert other.verify_note == "Ask the issuing lab to confirm report X-1."


def test_bad_certificate_input_names_each_field_and_saves_nothing(world, masters, uploads):
    piece = _piece(world, masters)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    bad = _diamond(
        lab="XYZ",
        report_number="12/34",
        issued_on=tomorrow,
        carat="1.0101",
        colour="blue",
        clarity="great",
        cut="super",
        species="Corundum",
    )
    with pytest.raises(ValidationError) as err:
        _certify(world.actor("manager"), piece.id, bad, "r.pdf", _pdf_bytes(), uploads)
    assert set(err.value.fields) >= {
        "lab",
        "report_number",
        "issued_on",
        "carat",
        "colour",
        "clarity",
        "cut",
        "species",
    }
    with pytest.raises(ValidationError) as err:
        _certify(world.actor("manager"), piece.id, _diamond(report_number="", issued_on="", carat="", clarity=""))
    assert set(err.value.fields) == {"report_number", "issued_on", "carat", "clarity"}
    with pytest.raises(ValidationError) as err:
        _certify(world.actor("manager"), piece.id, CertificateInput("IGI", "LG123", "2024-01-01", stone_kind="ruby"))
    assert set(err.value.fields) == {"species"}
    assert _count(Certificate) == 0
    assert not (uploads / "stock-files").exists()


def test_only_real_pdfs_and_images_up_to_10_mb_are_attached(world, masters, uploads):
    piece = _piece(world, masters)
    actor = world.actor("manager")
    fakes = {
        "report.pdf": b"This is not a PDF at all",
        "photo.png": b"MZ\x90\x00\x03" + b"\x00" * 100,  # an executable renamed
        "broken.png": _png_bytes()[:40],  # a truncated PNG
        "empty.pdf": b"",
        "huge.pdf": b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024),
    }
    for name, content in fakes.items():
        with pytest.raises(ValidationError) as err:
            _certify(actor, piece.id, _diamond(), name, content, uploads)
        assert set(err.value.fields) == {"file"}, name
    assert _count(Certificate) == 0
    assert not (uploads / "stock-files").exists()
    jpeg = io.BytesIO()
    PILImage.new("RGB", (20, 20), "white").save(jpeg, format="JPEG")
    saved = _certify(actor, piece.id, _diamond(), "misnamed.pdf", jpeg.getvalue(), uploads)
    assert saved.file.endswith(".jpg")  # the content decides the type, not the name


def test_a_report_number_is_not_attached_twice_and_sales_may_not_add_certificates(world, masters):
    first, second = _piece(world, masters), _piece(world, masters)
    _certify(world.actor("manager"), first.id, _diamond())
    with pytest.raises(ValidationError) as err:
        _certify(world.actor("manager"), second.id, _diamond(lab="gia"))
    assert "already on " + first.sku in err.value.fields["report_number"]
    fancy = _certify(world.actor("manager"), second.id, _diamond(lab="IGI", colour=" fancy  intense yellow"))
    assert fancy.colour == "Fancy Intense Yellow"  # another lab's numbering may repeat GIA's
    with pytest.raises(PermissionDenied):
        _certify(world.actor("sales"), second.id, _diamond(report_number="999"))
    with pytest.raises(JewelError, match="not at this branch"):
        _certify(world.actor("manager", world.dl), second.id, _diamond(report_number="998"))


# ---------------------------------------------------------------- provenance


def test_provenance_is_append_only_and_a_correction_marks_the_wrong_event(world, masters, uploads):
    piece, other = _piece(world, masters), _piece(world, masters)
    actor = world.actor("manager")
    origin = _event(actor, piece.id, "origin", "2019-06-01", place="Botswana, Jwaneng mine")
    kp = _event(
        actor, piece.id, "kimberley_process", "2019-07-15", document="KP BW-123456", file_name="kp.pdf",
        file_bytes=_pdf_bytes("KP"), upload_dir=uploads,
    )  # fmt: skip
    wrong = _event(actor, piece.id, "supplier", "2020-02-01", party="Shah Gems")
    right = _event(actor, piece.id, "supplier", "2020-02-01", party="Mehta Diamonds", corrects_id=wrong.id)
    earlier = _event(actor, piece.id, "cutter", "2019-09-10", party="Surat Cutting Works", place="Surat")
    entries = _timeline(piece.id)
    assert [e.id for e in entries] == [origin.id, kp.id, earlier.id, wrong.id, right.id]  # by date, then id
    assert entries[3].corrected and entries[3].corrected_by == right.id
    assert not entries[4].corrected and entries[4].corrects_id == wrong.id
    assert entries[1].has_file and entries[1].file.startswith("stock-files/")
    assert entries[0].recorded_by == "Manager"
    public = _timeline(piece.id, public=True)
    assert public[1].file == "" and public[1].has_file and public[0].recorded_by == ""
    with pytest.raises(ValidationError) as err:
        _event(actor, piece.id, "correction", "2020-02-02", note="Not Shah", corrects_id=wrong.id)
    assert "corrected already" in err.value.fields["corrects_id"]
    with pytest.raises(ValidationError) as err:
        _event(actor, other.id, "correction", "2020-02-02", note="Wrong piece", corrects_id=origin.id)
    assert set(err.value.fields) == {"corrects_id"}
    retraction = _event(actor, piece.id, "correction", "2020-02-03", note="Not re-supplied", corrects_id=right.id)
    assert _timeline(piece.id)[-1].id == retraction.id and _timeline(piece.id)[-2].corrected
    public_names = [name for name in dir(provenance) if not name.startswith("_")]
    assert not [n for n in public_names if n.split("_")[0] in {"update", "edit", "delete", "remove", "change"}]
    with read_session() as session:
        assert session.get(ProvenanceEvent, wrong.id).party == "Shah Gems"  # the wrong event itself is untouched


def test_bad_provenance_input_is_refused(world, masters):
    piece = _piece(world, masters)
    actor = world.actor("manager")
    future = (date.today() + timedelta(days=3)).isoformat()
    cases = [
        (("mined", "2020-01-01"), {}, "kind"),
        (("origin", future), {"place": "India"}, "on"),
        (("origin", "yesterday"), {"place": "India"}, "on"),
        (("kimberley_process", "2020-01-01"), {}, "document"),
        (("correction", "2020-01-01"), {"note": "x"}, "corrects_id"),
        (("received", "2020-01-01"), {"place": "x" * 121}, "place"),
        (("received", "2020-01-01"), {"file_name": "a.pdf", "file_bytes": b"nope"}, "file"),
    ]
    for args, fields, key in cases:
        with pytest.raises(ValidationError) as err:
            _event(actor, piece.id, *args, **fields)
        assert key in err.value.fields, (args, fields)
    with pytest.raises(PermissionDenied):
        _event(world.actor("sales"), piece.id, "received", "2020-01-01")
    assert _count(ProvenanceEvent) == 0


def test_ledger_moves_add_custody_events(world, masters, registry):
    _with_movement_handler()
    piece = _piece(world, masters)
    mumbai, delhi = world.actor("manager"), world.actor("manager", world.dl)
    for actor, kind, extra in (
        (mumbai, "transfer_out", {"to_store_id": world.dl}),
        (delhi, "transfer_in", {}),
        (delhi, "sale", {"reference": "INV-DEL-0042"}),
        (delhi, "return", {"reference": "CN-DEL-0007"}),
        (delhi, "reserve", {}),  # no custody change, no event
        (delhi, "unreserve", {}),
        (delhi, "repair_out", {}),
        (delhi, "repair_in", {}),
    ):
        with unit_of_work(actor) as session:
            move(session, actor, piece.id, kind, **extra)
    entries = _timeline(piece.id)
    assert [(e.kind, e.place) for e in entries] == [
        ("transferred", "Mumbai"),
        ("received", "Delhi"),
        ("sold", "Delhi"),
        ("received", "Delhi"),
        ("repaired", "Delhi"),
    ]
    assert entries[0].party == "Delhi" and entries[2].document == "INV-DEL-0042"
    assert all(abs((e.on - date.today()).days) <= 1 for e in entries)  # today in the store's time zone
    sold = _timeline(piece.id, public=True)[2]
    assert (sold.kind, sold.document, sold.party, sold.note) == ("sold", "", "", "")
    with unit_of_work(delhi) as session:  # called for a movement kind it does not follow, it adds nothing
        move(session, delhi, piece.id, "reserve")
        assert on_stock_movement(session, delhi, {"piece_id": piece.id, "sku": piece.sku, "reference": ""}) is None


# ---------------------------------------------------------------- tokens and QR


def test_revoking_and_reissuing_a_token(world, masters, uploads):
    piece = _piece(world, masters)
    client = _client(uploads)
    old = piece.public_token
    assert len(old) >= 22  # token_urlsafe(16): 128 random bits
    assert client.get(_path(old)).status_code == 200
    designer = world.actor("designer")
    with pytest.raises(PermissionDenied), unit_of_work(designer) as session:
        revoke_token(session, designer, piece.id)
    sales = world.actor("sales")
    with unit_of_work(sales) as session:
        revoked = revoke_token(session, sales, piece.id)
        assert revoked.token_revoked_at is not None and revoked.public_token == old
    for path in (_path(old), _path(old) + "/qr.png"):
        response = client.get(path)
        assert response.status_code == 404 and "Not found" in response.text, path
        assert "no-store" in response.headers["cache-control"]
    with unit_of_work(sales) as session:
        new = reissue_token(session, sales, piece.id).public_token
    assert new != old and len(new) >= 22
    assert client.get(_path(old)).status_code == 404
    page = client.get(_path(new))
    assert page.status_code == 200 and piece.sku in page.text


def test_qr_png_decodes_to_the_public_url(world, masters, uploads):
    piece = _piece(world, masters)
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        set_setting(session, manager, world.mum, "stock.public_base_url", "https://tags.example.in/")
        url = public_url(session, world.mum, piece.public_token)
    assert url == f"https://tags.example.in/c/{piece.public_token}"
    assert _decode(PILImage.open(io.BytesIO(qr_png(url)))) == [url]
    response = _client(uploads).get(_path(piece.public_token) + "/qr.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert _decode(PILImage.open(io.BytesIO(response.content))) == [url]


def _render(pdf: bytes) -> list[tuple[PILImage.Image, str]]:
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    for index in range(len(document)):
        page = document[index]
        pages.append((page.render(scale=300 / 72).to_pil(), page.get_textpage().get_text_range()))
    return pages


def test_the_label_sheet_has_a_readable_qr_per_piece(world, masters):
    pieces = [_piece(world, masters, huid=huid) for huid in ("AB12CD", "XY34ZT")]
    pieces.append(_piece(world, masters, metal_id=str(masters["silver"]), gross_weight="3.210", stone_weight="0"))
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        urls = {public_url(session, world.mum, p.public_token) for p in pieces}
        pdf = label_sheet_pdf(session, manager, [p.id for p in pieces], price_for=lambda p: "₹1,23,456")
    pages = _render(pdf)
    assert len(pages) == 1
    image, text = pages[0]
    assert abs(image.size[0] - 2480) <= 1 and abs(image.size[1] - 3508) <= 1  # A4 at 300 dpi
    assert set(_decode(image)) == urls
    for piece in pieces:
        assert piece.sku in text
    assert "Gold 22K 916" in text and "Silver 925" in text and "Net 12.000 g" in text and "Net 3.210 g" in text
    assert "₹" not in text  # the price setting is off by default


def test_the_label_sheet_prints_prices_only_when_the_store_says_so(world, masters):
    pieces = [_piece(world, masters) for _ in range(3)]
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        set_setting(session, manager, world.mum, "stock.label_show_price", "yes")
        priced = label_sheet_pdf(session, manager, [p.id for p in pieces], price_for=lambda p: "₹1,23,456")
        unpriced = label_sheet_pdf(session, manager, [p.id for p in pieces])
        spread = label_sheet_pdf(session, manager, [p.id for p in pieces], skip=63)
    assert "₹1,23,456" in _render(priced)[0][1]
    assert "₹" not in _render(unpriced)[0][1]
    first, second = _render(spread)
    assert len(_decode(first[0])) == 2 and len(_decode(second[0])) == 1  # a used sheet continues on a new one
    with unit_of_work(manager) as session:
        revoke_token(session, manager, pieces[0].id)
    with pytest.raises(JewelError, match="revoked"), unit_of_work(manager) as session:
        label_sheet_pdf(session, manager, [p.id for p in pieces])
    with pytest.raises(ValidationError), unit_of_work(manager) as session:
        label_sheet_pdf(session, manager, [])
    designer = world.actor("designer")
    with pytest.raises(PermissionDenied), unit_of_work(designer) as session:
        label_sheet_pdf(session, designer, [pieces[1].id])


def tag_price(session, actor, piece_id):
    """A stand-in billing module's tag price."""
    return f"₹{piece_id * 1000:,}"


def test_a_module_contributing_tag_prices_prints_them_where_it_is_enabled(world, masters, registry):
    from jewelerp.core.lifecycle import record_installed
    from jewelerp.core.module_states import enable_module
    from jewelerp.registry import Module, Registry, discover, set_registry

    pricing = Module(
        "pricing",
        "Pricing",
        "1",
        "prices tags",
        contributions={"stock.tag_price": ("tests.modules.stock.test_certificates_tags:tag_price",)},
    )
    set_registry(Registry([*discover().modules, pricing]))
    piece = _piece(world, masters)
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        set_setting(session, manager, world.mum, "stock.label_show_price", "yes")
        without = label_sheet_pdf(session, manager, [piece.id])
        record_installed(session, [pricing])
        enable_module(session, None, "pricing", world.mum)
    manager = world.actor("manager")  # the actor now sees the pricing module enabled
    with unit_of_work(manager) as session:
        priced = label_sheet_pdf(session, manager, [piece.id])
    assert "₹" not in _render(without)[0][1]
    assert f"₹{piece.id * 1000:,}" in _render(priced)[0][1]


# ---------------------------------------------------------------- public page


def _showcase(world, masters, uploads) -> Piece:
    """A piece with stones, a certificate with its PDF, a photo and a chain of custody."""
    piece = _piece(
        world,
        masters,
        huid="HU1D42",
        description="Solitaire ring <script>alert(1)</script>",
        making_value="987.65",
        cost_price="54321.99",
        stones=[StoneInput("diamond", "1", "1.010", "F", "VS1")],
        size="14",
    )
    manager = world.actor("manager")
    _certify(manager, piece.id, _diamond(), "gia.pdf", _pdf_bytes(), uploads)
    _event(manager, piece.id, "origin", "2019-06-01", place="Botswana")
    _event(manager, piece.id, "kimberley_process", "2019-07-15", document="KP BW-123456")
    wrong = _event(manager, piece.id, "supplier", "2020-02-01", party="Shah Gems")
    _event(
        manager, piece.id, "supplier", "2020-02-01", party="Mehta Diamonds", corrects_id=wrong.id,
        file_name="invoice.png", file_bytes=_png_bytes(), upload_dir=uploads,
    )  # fmt: skip
    photo = uploads / "stock-photos" / "ring.jpg"
    photo.parent.mkdir(parents=True)
    PILImage.new("RGB", (64, 64), "gold").save(photo, format="JPEG")
    with unit_of_work(manager) as session:
        session.add(Image(piece_id=piece.id, path="stock-photos/ring.jpg", thumb="stock-photos/ring.jpg"))
    return piece


def test_the_public_page_shows_the_piece_and_never_prices_or_customers(world, masters, uploads, registry):
    _with_movement_handler()
    piece = _showcase(world, masters, uploads)
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        move(session, manager, piece.id, "sale", reference="INV-MUM-0099")
    client = _client(uploads)
    response = client.get(_path(piece.public_token))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"  # a revoked link stops working at once
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    for shown in (
        piece.sku,
        "Mumbai",  # the store's name
        "12.500 g",
        "0.500 g",
        "12.000 g",
        "HU1D42",
        "Gold",
        "22K",
        "2141438171",
        "Check report 2141438171 at",
        'href="https://www.gia.edu/report-check"',
        "VS1",
        "Botswana",
        "KP BW-123456",
        "Mehta Diamonds",
        "Corrected by a later entry",
        "Sold",
        "&lt;script&gt;",
    ):
        assert shown in page, shown
    for hidden in ("54321", "54,321", "987.65", "987", "INV-MUM-0099", "<script>", "stock-files/", "Manager"):
        assert hidden not in page, hidden
    token = piece.public_token
    photo = client.get(f"/c/{token}/image/0")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    with read_session() as session:
        certificate = session.scalars(select(Certificate).where(Certificate.piece_id == piece.id)).one()
        corrected = session.scalars(select(ProvenanceEvent).where(ProvenanceEvent.file != "")).one()
    assert f"/c/{token}/file/{certificate.id}" in page and f"/c/{token}/document/{corrected.id}" in page
    report = client.get(f"/c/{token}/file/{certificate.id}")
    assert report.status_code == 200 and report.headers["content-type"] == "application/pdf"
    assert report.content.startswith(b"%PDF-") and "inline" in report.headers["content-disposition"]
    document = client.get(f"/c/{token}/document/{corrected.id}")
    assert document.status_code == 200 and document.headers["content-type"] == "image/png"


def test_unknown_revoked_or_disabled_pieces_get_not_found(world, masters, uploads):
    piece = _showcase(world, masters, uploads)
    other = _piece(world, masters)
    client = _client(uploads)
    token = piece.public_token
    with read_session() as session:
        certificate_id = session.scalars(select(Certificate.id)).one()
    for path in (
        "/c/AAAAAAAAAAAAAAAAAAAAAA",
        "/c/short",
        "/c/" + "x" * 100,
        f"/c/{token}/image/1",
        f"/c/{token}/file/999",
        f"/c/{other.public_token}/file/{certificate_id}",  # another piece's report
        f"/c/{other.public_token}/image/0",
    ):
        response = client.get(path)
        assert response.status_code == 404 and "Not found" in response.text, path
    with unit_of_work() as session:
        state = session.get(ModuleState, (world.mum, "stock"))
        state.enabled = False
        session.add(state)
    assert client.get(_path(token)).status_code == 404
    with unit_of_work() as session:
        state = session.get(ModuleState, (world.mum, "stock"))
        state.enabled = True
        session.add(state)
    assert client.get(_path(token)).status_code == 200
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        revoke_token(session, manager, piece.id)
    for suffix in ("", "/qr.png", "/image/0", f"/file/{certificate_id}"):
        assert client.get(_path(token) + suffix).status_code == 404, suffix


# ---------------------------------------------------------------- the page cache


@pytest.fixture
def renders(monkeypatch) -> list:
    """The certificate pages rendered during the test (a page answered from the cache adds nothing)."""
    return count_renders(monkeypatch, public)


def _stamp(piece_id: int) -> datetime | None:
    with read_session() as session:
        return session.get(Piece, piece_id).public_changed_at


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def test_the_page_is_rendered_once_then_answered_from_memory(world, masters, uploads, renders, monkeypatch):
    piece = _piece(world, masters)
    client, path = _client(uploads), _path(piece.public_token)
    first = client.get(path)
    assert first.status_code == 200 and len(renders) == 1
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag) and modified == _http_date(_stamp(piece.id))
    monkeypatch.setattr(public_page, "LOOK_EVERY", 3600.0)
    with selects() as queries:
        second = client.get(path)
    assert len(renders) == 1 and queries == [], "a cached page is answered with no query"
    assert second.status_code == 200 and second.content == first.content
    assert (second.headers["etag"], second.headers["last-modified"]) == (etag, modified)
    assert second.headers["cache-control"] == "no-cache"  # every view asks again: revoking stops it at once
    monkeypatch.setattr(public_page, "LOOK_EVERY", 0.0)
    with selects() as queries:
        third = client.get(path)
    assert third.content == first.content and len(renders) == 1
    kinds = len(public_page._KINDS)  # the kinds of page this process served: pieces, and jobs if a test showed one
    assert len(queries) == 1 + kinds, "the look for changes: the module switches, and the stamps of each kind"
    assert "core_module_state" in queries[0] and any("stock_piece.public_changed_at >=" in q for q in queries[1:])


def test_a_change_another_worker_committed_shows_at_the_next_look(world, masters, uploads, monkeypatch):
    first, second = _piece(world, masters), _piece(world, masters)
    client = _client(uploads)
    for piece in (first, second):
        assert client.get(_path(piece.public_token)).status_code == 200
    monkeypatch.setattr(public_page, "LOOK_EVERY", 3600.0)
    revoked = update(Piece).where(Piece.id == first.id).values(token_revoked_at=utcnow(), public_changed_at=utcnow())
    with get_engine().begin() as connection:  # committed by another worker: no session of this process saw it
        connection.execute(revoked)
    assert client.get(_path(first.public_token)).status_code == 200, "no look due: answered from memory"
    monkeypatch.setattr(public_page, "LOOK_EVERY", 0.0)
    assert client.get(_path(first.public_token)).status_code == 404
    assert client.get(_path(second.public_token)).status_code == 200, "an unchanged page stays"
    assert ("c", second.public_token) in public_page.PAGES
    with get_engine().begin() as connection:
        switch = ModuleState.__table__.c
        connection.execute(update(ModuleState).where(switch.store_id == world.mum).values(enabled=False))
    assert client.get(_path(second.public_token)).status_code == 404, "a module switched off elsewhere"


def test_a_browser_holding_the_page_gets_304_and_a_stale_etag_gets_the_page(world, masters, uploads, renders):
    piece = _piece(world, masters)
    client, path = _client(uploads), _path(piece.public_token)
    page = client.get(path)
    etag, modified = page.headers["etag"], page.headers["last-modified"]
    for asked in (etag, f"W/{etag}", f'"0000", {etag}', "*"):
        answer = client.get(path, headers={"If-None-Match": asked})
        assert answer.status_code == 304 and answer.content == b"", asked
        assert (answer.headers["etag"], answer.headers["last-modified"]) == (etag, modified)
        assert answer.headers["cache-control"] == "no-cache" and answer.headers["x-robots-tag"] == "noindex, nofollow"
        assert "default-src 'none'" in answer.headers["content-security-policy"]
    stale = client.get(path, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
    assert stale.status_code == 200 and stale.content == page.content and stale.headers["etag"] == etag
    assert len(renders) == 1


def test_if_modified_since_is_honoured_only_without_if_none_match(world, masters, uploads, renders):
    piece = _piece(world, masters)
    client, path = _client(uploads), _path(piece.public_token)
    modified = client.get(path).headers["last-modified"]
    at = parsedate_to_datetime(modified)
    for since, status in (
        (modified, 304),
        (_http_date(at + timedelta(hours=1)), 304),
        (_http_date(at - timedelta(seconds=1)), 200),
        ("yesterday", 200),  # not an HTTP date: ignored
        ("Mon, 32 Jan 2026 00:00:00 GMT", 200),
    ):
        answer = client.get(path, headers={"If-Modified-Since": since})
        assert answer.status_code == status, since
        assert (answer.content == b"") == (status == 304)
    both = client.get(path, headers={"If-None-Match": '"stale"', "If-Modified-Since": modified})
    assert both.status_code == 200, "If-None-Match decides when both are sent"
    assert len(renders) == 1


def test_each_change_the_page_shows_renders_it_afresh_with_a_new_etag(world, masters, uploads, renders):
    piece = _piece(world, masters)
    manager, designer = world.actor("manager"), world.actor("designer")
    client, path = _client(uploads), _path(piece.public_token)
    etag = client.get(path).headers["etag"]

    def changed(shown: str) -> None:
        nonlocal etag
        answer = client.get(path, headers={"If-None-Match": etag})
        assert answer.status_code == 200 and shown in answer.text, shown
        assert answer.headers["etag"] != etag
        etag = answer.headers["etag"]

    _certify(designer, piece.id, _diamond())
    changed("2141438171")
    _event(manager, piece.id, "origin", "2019-06-01", place="Botswana")
    changed("Botswana")
    with unit_of_work(manager) as session:
        save_image(session, manager, piece.id, _png_bytes(), uploads)
    changed(f"/c/{piece.public_token}/image/0")
    huid = new_huid()
    with unit_of_work(manager) as session:
        record_huid(session, manager, piece.id, huid)
    changed(huid)
    with unit_of_work(manager) as session:
        move(session, manager, piece.id, "sale", reference="INV-MUM-0001")  # the ledger adds a "Sold" event
    changed("Sold")
    assert len(renders) == 6


def test_a_ledger_movement_moves_the_stamp_though_the_piece_changes_by_a_bulk_update(world, masters, uploads, renders):
    piece = _piece(world, masters)
    manager = world.actor("manager")
    client, path = _client(uploads), _path(piece.public_token)
    etag = client.get(path).headers["etag"]
    before = _stamp(piece.id)
    with unit_of_work(manager) as session:
        move(session, manager, piece.id, "reserve")  # an UPDATE statement on the piece, a Movement row beside it
    assert _stamp(piece.id) > before
    answer = client.get(path, headers={"If-None-Match": etag})
    assert len(renders) == 2, "the page is rendered again"
    assert answer.status_code == 304, "a reservation shows nothing on the page, so the same ETag still holds"


def test_a_piece_without_a_stamp_dates_its_page_from_its_creation_and_no_change_keeps_it(world, masters, uploads):
    piece = _piece(world, masters)
    with unit_of_work() as session:  # a piece from before the stamp existed
        session.execute(update(Piece).where(Piece.id == piece.id).values(public_changed_at=None))
    client, path = _client(uploads), _path(piece.public_token)
    assert client.get(path).headers["last-modified"] == _http_date(piece.created_at)
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        same = session.get(Piece, piece.id)
        same.description = same.description  # set, not changed
        session.add(same)
    assert _stamp(piece.id) is None


def test_revoking_answers_not_found_at_once_though_the_page_was_cached(world, masters, uploads, renders):
    piece = _piece(world, masters)
    manager = world.actor("manager")
    client, token = _client(uploads), piece.public_token
    assert client.get(_path(token)).status_code == 200
    assert ("c", token) in public_page.PAGES
    with unit_of_work() as session:
        session.get(ModuleState, (world.mum, "stock")).enabled = False
    assert client.get(_path(token)).status_code == 404
    with unit_of_work() as session:
        session.get(ModuleState, (world.mum, "stock")).enabled = True
    page = client.get(_path(token))
    assert page.status_code == 200
    with unit_of_work(manager) as session:
        revoke_token(session, manager, piece.id)
    gone = client.get(_path(token), headers={"If-None-Match": page.headers["etag"]})
    assert gone.status_code == 404 and "no longer valid" in gone.text and "etag" not in gone.headers
    assert ("c", token) not in public_page.PAGES
    with unit_of_work(manager) as session:
        fresh = reissue_token(session, manager, piece.id).public_token
    assert client.get(_path(token)).status_code == 404
    assert client.get(_path(fresh)).status_code == 200


def test_a_renamed_category_shows_once_the_cached_page_is_older_than_the_ttl(world, masters, uploads, monkeypatch):
    piece = _piece(world, masters)
    client, path = _client(uploads), _path(piece.public_token)
    assert "Gold 22K 916 Ring</h1>" in client.get(path).text
    with unit_of_work() as session:  # master data is not stamped
        session.get(Category, masters["category"]).name = "Band"
    assert "Gold 22K 916 Ring</h1>" in client.get(path).text
    monkeypatch.setattr(public_page, "PAGE_TTL", 0.0)
    assert "Gold 22K 916 Band</h1>" in client.get(path).text
