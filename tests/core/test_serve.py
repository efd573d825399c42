"""``jewelerp serve``: services checked before anything starts, and a build reused until the code changes."""

from __future__ import annotations

import socket

import pytest

from jewelerp import serve
from jewelerp.cli import main


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_several_workers_without_redis_are_refused_before_anything_starts(db, monkeypatch, capsys):
    monkeypatch.delenv(serve.REDIS_ENV, raising=False)
    monkeypatch.setattr(serve, "build", lambda port: pytest.fail("nothing may be built"))
    assert main(["serve", "--workers", "4"]) == 1
    assert capsys.readouterr().err == (
        "jewelerp: error: 4 workers share the users' state through Redis: "
        "set REFLEX_REDIS_URL=redis://host:6379/0 or run one worker\n"
    )
    assert main(["serve", "--workers", "0"]) == 1
    assert "--workers takes a whole number from 1" in capsys.readouterr().err


def test_an_unreachable_redis_is_named_with_its_password_hidden(db, monkeypatch, capsys):
    monkeypatch.setenv(serve.REDIS_ENV, f"redis://:hunter2@127.0.0.1:{_closed_port()}/0")
    monkeypatch.setattr(serve, "build", lambda port: pytest.fail("nothing may be built"))
    assert main(["serve", "--workers", "2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("jewelerp: error: Redis REFLEX_REDIS_URL=redis://:***@127.0.0.1:") and "refused" in err
    assert "hunter2" not in err and err.count("\n") == 1
    monkeypatch.setenv(serve.REDIS_ENV, "http://example.com")
    assert main(["serve"]) == 1
    assert "is not a Redis URL" in capsys.readouterr().err


def test_the_build_fingerprint_follows_the_code_and_the_port_not_caches(tmp_path, monkeypatch):
    code = tmp_path / "modules" / "engraving"
    (code / "__pycache__").mkdir(parents=True)
    (code / "pages.py").write_text("TITLE = 'Engraving'\n")
    monkeypatch.setattr(serve, "_build_inputs", lambda: iter([tmp_path / "modules"]))
    first = serve.fingerprint(3000)
    (code / "__pycache__" / "pages.cpython-311.pyc").write_bytes(b"\0compiled")
    assert serve.fingerprint(3000) == first  # bytecode is not code
    assert serve.fingerprint(3001) != first  # the built pages carry the port
    monkeypatch.setenv("REFLEX_API_URL", "https://erp.example.in")
    assert serve.fingerprint(3000) != first  # and the public address
    monkeypatch.delenv("REFLEX_API_URL")
    (code / "pages.py").write_text("TITLE = 'Engravings'\n")
    assert serve.fingerprint(3000) != first


def test_the_readiness_route_names_the_service_that_does_not_answer(db, monkeypatch, redis_url):
    from starlette.testclient import TestClient

    from jewelerp.ui.api import api_app, api_routes

    client = TestClient(api_app(api_routes()))
    monkeypatch.setenv(serve.REDIS_ENV, redis_url)
    assert (client.get("/api/ready").status_code, client.get("/api/ready").json()) == (200, {"status": "ok"})
    monkeypatch.setenv(serve.REDIS_ENV, f"redis://:hunter2@127.0.0.1:{_closed_port()}/0")
    answer = client.get("/api/ready")
    assert answer.status_code == 503 and answer.json()["status"] == "unavailable"
    assert "cannot be reached" in answer.json()["redis"] and "hunter2" not in answer.text
    assert "database" not in answer.json()
    assert client.get("/api/health").json() == {"status": "ok"}  # liveness reads nothing


def test_a_build_made_by_anything_else_is_not_taken_for_ours(tmp_path, monkeypatch):
    monkeypatch.setenv(serve.WEB_DIR_ENV, str(tmp_path / "web"))
    monkeypatch.setattr(serve, "_build_inputs", lambda: iter([]))
    page = tmp_path / "web" / "build" / "client" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html></html>")
    assert not serve.build_is_current(3000)  # built, but not by serve for this code and port
    serve._stamp().write_text(serve.fingerprint(3000))
    assert serve.build_is_current(3000) and not serve.build_is_current(3001)
    serve._stamp().unlink()  # another build empties build/ (Reflex removes it before building)
    page.write_text("<html>the harness's build</html>")
    assert not serve.build_is_current(3000)
