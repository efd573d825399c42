"""The customer's status page and the job ticket: what the page shows (and never shows), shared photos only,
"not found" for unknown, revoked or reissued tokens and where repairs is off, the page's cache, and the ticket
PDF with its QR."""

from __future__ import annotations

from email.utils import format_datetime

import pypdfium2
import pytest
import zxingcpp
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import NotFound
from jewelerp.testing import disable_with_dependents
from jewelerp.ui.public_page import PAGES
from modules.repairs import public
from modules.repairs.payments import record_payment
from modules.repairs.photos import job_photos, share_photo
from modules.repairs.public import reissue_link, revoke_link, routes
from modules.repairs.stages import move_job
from modules.repairs.ticket import ticket_file_name, ticket_pdf
from tests.modules.page_cache import count_renders, selects
from tests.modules.repairs.intake import customer, intake, job, png, run


@pytest.fixture
def client(tmp_path):
    return TestClient(Starlette(routes=routes(tmp_path)))


@pytest.fixture
def renders(monkeypatch) -> list:
    """The status pages rendered during the test (a page answered from the cache adds nothing)."""
    return count_renders(monkeypatch, public)


def _shared_job(world, tmp_path):
    sales = world.actor("sales")
    photos = [("before.png", png((200, 0, 0))), ("private.png", png((0, 0, 200)))]
    taken = intake(sales, customer(sales), tmp_path, photos=photos, condition_notes="Worn prongs")
    with unit_of_work(sales) as session:
        first = job_photos(session, sales, taken.id)[0]
        share_photo(session, sales, first.id, True)
    run(sales, lambda s, a: move_job(s, a, taken.id, "estimated"))
    return taken


def test_the_page_shows_the_stage_promise_shared_photos_estimate_and_balance_only(world, tmp_path, client):
    taken = _shared_job(world, tmp_path)
    page = client.get(f"/r/{taken.public_token}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
    text = page.text
    assert taken.number in text and '<p class="stage">Estimated</p>' in text
    assert f"{taken.promised_on:%d %b %Y}" in text and "₹1,500" in text and "₹1,000" in text
    assert '<li class="done">Received</li><li class="now">Estimated</li><li class="">Approved</li>' in text
    for private in ("Kavya", "98200", "kavya@example.com", "Worn prongs", "/photo/1"):
        assert private not in text
    photo = client.get(f"/r/{taken.public_token}/photo/0")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert client.get(f"/r/{taken.public_token}/photo/1").status_code == 404


def test_unknown_revoked_and_replaced_links_are_not_found(world, tmp_path, client):
    taken = _shared_job(world, tmp_path)
    sales = world.actor("sales")
    for token in ("nope", "x" * 43, "../../etc/passwd"):
        assert client.get(f"/r/{token}").status_code == 404
    cached = client.get(f"/r/{taken.public_token}")
    assert cached.status_code == 200 and ("r", taken.public_token) in PAGES
    run(sales, lambda s, a: revoke_link(s, a, taken.id))
    gone = client.get(f"/r/{taken.public_token}", headers={"If-None-Match": cached.headers["etag"]})
    assert gone.status_code == 404 and "no longer valid" in gone.text and taken.number not in gone.text
    assert ("r", taken.public_token) not in PAGES, "revoking stops the cached page at once"
    assert client.get(f"/r/{taken.public_token}/photo/0").status_code == 404
    fresh = run(sales, lambda s, a: reissue_link(s, a, taken.id))
    assert fresh.public_token != taken.public_token and fresh.token_revoked_at is None
    assert client.get(f"/r/{taken.public_token}").status_code == 404
    assert client.get(f"/r/{fresh.public_token}").status_code == 200
    with pytest.raises(NotFound):
        run(world.actor("manager", world.dl), lambda s, a: revoke_link(s, a, taken.id))
    with unit_of_work() as session:
        disable_with_dependents(session, "repairs", world.mum)
    assert client.get(f"/r/{fresh.public_token}").status_code == 404


def test_the_status_page_is_cached_until_the_job_its_photos_or_its_money_change(world, tmp_path, client, renders):
    taken = _shared_job(world, tmp_path)
    sales = world.actor("sales")
    path = f"/r/{taken.public_token}"
    first = client.get(path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert modified == format_datetime(job(taken.id).public_changed_at.replace(microsecond=0), usegmt=True)
    with selects() as queries:
        again = client.get(path)
    assert again.content == first.content and again.headers["etag"] == etag and len(renders) == 1
    assert len(queries) <= 2 and not any("repairs_job.public_token" in query for query in queries), (
        "answered from memory: at most a look for changes, no lookup, no system actor"
    )
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304

    def changed(shown: str) -> None:
        nonlocal etag
        answer = client.get(path, headers={"If-None-Match": etag})  # the browser's copy is stale now
        assert answer.status_code == 200 and shown in answer.text, shown
        assert answer.headers["etag"] != etag
        etag = answer.headers["etag"]

    run(sales, lambda s, a: move_job(s, a, taken.id, "approved"))  # an UPDATE statement and a StageMove row
    changed('<p class="stage">Approved</p>')
    with unit_of_work(sales) as session:
        second = job_photos(session, sales, taken.id)[1]
        share_photo(session, sales, second.id, True)
    changed(f"{path}/photo/1")
    run(sales, lambda s, a: record_payment(s, a, taken.id, "250"))  # money at the repairs counter
    changed("<dt>Balance to pay</dt><dd>₹750</dd>")
    assert len(renders) == 4


def _read(pdf: bytes) -> tuple[str, list[str]]:
    """The ticket's text (white space made single) and the QR codes found on it."""
    page = pypdfium2.PdfDocument(pdf)[0]
    text = " ".join(page.get_textpage().get_text_range().split())
    picture = page.render(scale=200 / 72).to_pil()
    return text, [r.text for r in zxingcpp.read_barcodes(picture) if r.format == zxingcpp.BarcodeFormat.QRCode]


def test_the_ticket_carries_the_intake_record_and_the_qr(world, tmp_path):
    taken = _shared_job(world, tmp_path)
    sales, designer, delhi = world.actor("sales"), world.actor("designer"), world.actor("manager", world.dl)
    with read_session() as session:
        text, codes = _read(ticket_pdf(session, designer, taken.id))
    for shown in (taken.number, "Resize from 12 to 14", "10.000 g (gross)", "Ruby 2 0.500", "₹1,500", "₹500"):
        assert shown in text
    assert "180 days" in text and "Terms accepted by Kavya Iyer" in text and f"{taken.promised_on:%d %b %Y}" in text
    assert codes == [f"http://localhost:8000/r/{taken.public_token}"]
    assert ticket_file_name(taken) == f"{taken.number}-ticket.pdf"
    run(sales, lambda s, a: revoke_link(s, a, taken.id))
    with read_session() as session:
        text, codes = _read(ticket_pdf(session, sales, taken.id))
        assert codes == [] and "link of this ticket was withdrawn" in text
        with pytest.raises(NotFound):
            ticket_pdf(session, delhi, taken.id)
