"""Issue 12, finding 1 (before any handler): Reflex's /_upload route spools the whole body to disk
before the session is known, so the backend refuses an oversized upload body outright."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from jewelerp.ui.body_limit import MAX_UPLOAD_BYTES_ENV, UploadBodyLimit, max_upload_bytes


def _client(seen: list[int]) -> TestClient:
    async def spool(request: Request) -> PlainTextResponse:
        body = await request.body()
        seen.append(len(body))
        return PlainTextResponse("stored")

    app = Starlette(routes=[Route("/_upload", spool, methods=["POST"]), Route("/other", spool, methods=["POST"])])
    return TestClient(UploadBodyLimit(app))


def test_an_upload_over_the_cap_is_refused_before_the_route_reads_it(monkeypatch):
    monkeypatch.setenv(MAX_UPLOAD_BYTES_ENV, "1")
    seen: list[int] = []
    response = _client(seen).post("/_upload", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.text == "The upload is too large."
    assert seen == [], "the route never saw the body"


def test_a_streamed_upload_without_a_length_is_cut_off_at_the_cap(monkeypatch):
    monkeypatch.setenv(MAX_UPLOAD_BYTES_ENV, "1")
    seen: list[int] = []

    def chunks():
        for _ in range(3):
            yield b"y" * (512 * 1024)

    response = _client(seen).post("/_upload", content=chunks())
    assert response.status_code == 413
    assert seen == []


def test_uploads_within_the_cap_and_other_routes_pass(monkeypatch):
    monkeypatch.delenv(MAX_UPLOAD_BYTES_ENV, raising=False)
    seen: list[int] = []
    client = _client(seen)
    assert client.post("/_upload", content=b"z" * 1000).status_code == 200
    assert client.post("/other", content=b"z" * (max_upload_bytes() + 1)).status_code == 200
    assert seen == [1000, max_upload_bytes() + 1]
