"""Issue 12, finding 7: uploaded files were served without login at Reflex's ``/_upload`` (repair photos,
designs, customer photos, lab reports), and unsharing a photo or revoking a status link did not stop that.

Now every uploaded file is kept outside the folder Reflex serves and reaches staff only through
``/api/file/<module>/<kind>/<id>``, which checks the session cookie and the permission for the record;
the public status page serves a photo only while its token is live and the photo shared.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import reflex as rx
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.auth import service as auth
from jewelerp.auth.session_cookie import SESSION_COOKIE
from jewelerp.core.models import AuditLog
from jewelerp.core.roles import set_grant
from jewelerp.db import read_session, unit_of_work
from jewelerp.files import files_root, find, keep
from jewelerp.testing import disable_with_dependents
from jewelerp.ui.private_files import file_route
from modules.clienteling.photos import save_photo
from modules.repairs.design import add_version
from modules.repairs.models import JobPhoto
from modules.repairs.photos import job_photos, share_photo
from modules.repairs.public import revoke_link, routes
from modules.stock.certificates import CertificateInput, add_certificate
from modules.stock.images import save_image
from tests.conftest import PASSWORD
from tests.modules.repairs.intake import customer, in_days, intake, our_piece, png, run

JPEG_START = b"\xff\xd8\xff"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def client(world) -> TestClient:
    return TestClient(Starlette(routes=[file_route(), *routes()]))


def _token(email: str) -> str:
    ticket = auth.login(email, PASSWORD, "10.0.0.5").ticket
    token = auth.begin_session(ticket)
    assert token
    return token


def _as(client: TestClient, email: str) -> TestClient:
    client.cookies.set(SESSION_COOKIE, _token(email))
    return client


def _job_with_photo(world) -> tuple[int, int, str]:
    """A MUM job with one intake photo; its id, the photo's id and its public token."""
    sales = world.actor("sales")
    taken = intake(sales, customer(sales), photos=[("front.png", png())])
    with read_session() as session:
        photo = job_photos(session, sales, taken.id)[0]
    return taken.id, photo.id, taken.public_token


def test_uploads_are_kept_outside_the_folder_reflex_serves(world):
    _job_id, photo_id, _public = _job_with_photo(world)
    with read_session() as session:
        path = find(session.get(JobPhoto, photo_id).path)
    assert path is not None and path.is_relative_to(files_root().resolve())
    assert not path.is_relative_to(Path(rx.get_upload_dir()).resolve())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_without_a_session_the_file_route_sends_no_bytes(world, client):
    _job_id, photo_id, _public = _job_with_photo(world)
    for cookie in (None, "forged-token"):
        if cookie:
            client.cookies.set(SESSION_COOKIE, cookie)
        answer = client.get(f"/api/file/repairs/photo/{photo_id}")
        assert answer.status_code == 401 and JPEG_START not in answer.content
        assert answer.headers["cache-control"] == "no-store"


def test_a_signed_in_person_with_the_permission_gets_the_file(world, client):
    _job_id, photo_id, _public = _job_with_photo(world)
    answer = _as(client, "sales@test.in").get(f"/api/file/repairs/photo/{photo_id}")
    assert answer.status_code == 200 and answer.content.startswith(JPEG_START)
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["cache-control"] == "private, no-cache"
    assert answer.headers["x-content-type-options"] == "nosniff"
    again = client.get(f"/api/file/repairs/photo/{photo_id}", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_without_the_permission_or_the_store_the_file_is_refused(world, client):
    _job_id, photo_id, _public = _job_with_photo(world)
    with unit_of_work(world.actor("admin")) as session:
        set_grant(session, world.actor("admin"), "sales", "repairs.job.view", False)
    denied = _as(client, "sales@test.in").get(f"/api/file/repairs/photo/{photo_id}")
    assert denied.status_code == 403 and JPEG_START not in denied.content
    with read_session() as session:
        logged = session.scalars(
            select(AuditLog).where(AuditLog.record_type == "security", AuditLog.action == "refused")
        ).all()
    assert [(r.record_id, r.user_name) for r in logged] == [("file", "Sales")]
    assert "testclient" in logged[0].changes
    designer = _as(client, "designer@test.in")  # signed in to MUM: the job is there
    assert designer.get(f"/api/file/repairs/photo/{photo_id}").status_code == 200
    with unit_of_work() as session:
        disable_with_dependents(session, "repairs", world.mum)
    assert designer.get(f"/api/file/repairs/photo/{photo_id}").status_code == 404
    for address in ("repairs/photo/999", "repairs/nothing/1", "nomodule/photo/1", "clienteling/photo/999"):
        assert designer.get(f"/api/file/{address}").status_code == 404


def test_another_stores_job_is_not_found(world, client):
    _job_id, photo_id, _public = _job_with_photo(world)
    manager_dl = world.actor("manager", world.dl)
    taken = intake(manager_dl, customer(manager_dl, phone="+91 98200 54321"), photos=[("back.png", png())])
    with read_session() as session:
        dl_photo = job_photos(session, manager_dl, taken.id)[0]
    sales = _as(client, "sales@test.in")  # signed in to MUM, its only store
    assert sales.get(f"/api/file/repairs/photo/{dl_photo.id}").status_code == 404
    assert sales.get(f"/api/file/repairs/photo/{photo_id}").status_code == 200


def test_unsharing_a_photo_or_revoking_the_link_stops_the_public_url(world, client):
    job_id, photo_id, public = _job_with_photo(world)
    sales = world.actor("sales")
    assert client.get(f"/r/{public}/photo/0").status_code == 404  # not shared yet
    run(sales, lambda s, a: share_photo(s, a, photo_id, True))
    shown = client.get(f"/r/{public}/photo/0")
    assert shown.status_code == 200 and shown.content.startswith(JPEG_START)
    assert shown.headers["cache-control"] == "no-cache"
    run(sales, lambda s, a: share_photo(s, a, photo_id, False))
    unshared = client.get(f"/r/{public}/photo/0")
    assert unshared.status_code == 404 and JPEG_START not in unshared.content
    run(sales, lambda s, a: share_photo(s, a, photo_id, True))
    run(sales, lambda s, a: revoke_link(s, a, job_id))
    revoked = client.get(f"/r/{public}/photo/0")
    assert revoked.status_code == 404 and JPEG_START not in revoked.content


def test_designs_piece_files_and_customer_photos_go_through_the_route_too(world, client):
    manager = world.actor("manager")
    custom = intake(manager, customer(manager), kind="custom", promised_on=in_days(manager, 30))
    design = run(manager, lambda s, a: add_version(s, a, custom.id, "cad", "render.pdf", PDF))
    piece = our_piece(manager)
    image = run(manager, lambda s, a: save_image(s, a, piece.id, png()))
    data = CertificateInput(
        lab="GIA", report_number="2141438171", issued_on="2024-03-12", carat="1.010", colour="F", clarity="VS1"
    )
    certificate = run(manager, lambda s, a: add_certificate(s, a, piece.id, data, "report.pdf", PDF))
    kavya = customer(manager)
    run(manager, lambda s, a: save_photo(s, a, kavya, png()))
    addresses = {
        f"repairs/design/{design.id}": PDF,
        f"stock/image/{image.id}": JPEG_START,
        f"stock/thumb/{image.id}": JPEG_START,
        f"stock/certificate/{certificate.id}": PDF,
        f"clienteling/photo/{kavya}": JPEG_START,
    }
    for address in addresses:
        assert client.get(f"/api/file/{address}").status_code == 401
    signed_in = _as(client, "designer@test.in")
    for address, start in addresses.items():
        answer = signed_in.get(f"/api/file/{address}")
        assert answer.status_code == 200 and answer.content.startswith(start), address


def test_a_replaced_customer_photo_is_removed_and_a_failed_save_keeps_no_file(world):
    sales = world.actor("sales")
    kavya = customer(sales)
    first = run(sales, lambda s, a: save_photo(s, a, kavya, png((1, 2, 3))))
    second = run(sales, lambda s, a: save_photo(s, a, kavya, png((3, 2, 1))))
    assert find(first) is None and find(second) is not None
    with pytest.raises(RuntimeError), unit_of_work(sales) as session:
        third = keep(session, "customer-photos", ".jpg", b"never committed")
        assert find(third) is not None
        raise RuntimeError("the request failed after the file was written")
    assert find(third) is None
