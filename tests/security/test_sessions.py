"""Issue 12, finding 8 (sessions): resets end sessions, idle timeout, and a server-set HttpOnly cookie."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from reflex.state import State
from reflex_base.utils.serializers import serialize
from sqlalchemy import event
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.auth import service as auth
from jewelerp.auth.session_cookie import SESSION_COOKIE, begin_url, routes, safe_next, token_from_cookie_header
from jewelerp.core.models import AuditLog
from jewelerp.core.settings import set_setting
from jewelerp.core.users import reset_password
from jewelerp.db import get_engine, read_session, unit_of_work, utcnow
from jewelerp.ui.state import AppState
from tests.conftest import PASSWORD

OFFICE = "198.51.100.20"


def _sign_in(email: str = "sales@test.in") -> str:
    ticket = auth.login(email, PASSWORD, OFFICE).ticket
    assert ticket
    token = auth.begin_session(ticket)
    assert token
    return token


@pytest.fixture
def clock(monkeypatch):
    """``clock(minutes=31)`` moves the auth service's clock that far past now."""
    start = utcnow()

    def move(**delta: float) -> None:
        later = start + timedelta(**delta)
        monkeypatch.setattr(auth, "utcnow", lambda: later)

    return move


def test_an_admin_password_reset_ends_every_session_of_that_user(world):
    phone, desk = _sign_in(), _sign_in()
    other = _sign_in("manager@test.in")
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        reset_password(session, admin, world.users["sales"], "fresh-start-42")
    assert auth.authenticate(phone) is None and auth.authenticate(desk) is None  # before: both still live
    assert auth.authenticate(other) is not None


def test_a_session_idle_longer_than_the_store_setting_ends(world, clock):
    token = _sign_in()
    clock(minutes=29)
    assert auth.authenticate(token) is not None  # use keeps it alive
    clock(minutes=58)
    assert auth.authenticate(token) is not None
    clock(minutes=89)
    assert auth.authenticate(token) is None  # before: live for 12 hours whatever the idle time


def test_the_idle_limit_is_per_store_and_kept_within_bounds(world, clock):
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        set_setting(session, manager, world.mum, auth.IDLE_SETTING, "60")
    token = _sign_in()
    clock(minutes=45)
    assert auth.authenticate(token) is not None
    with unit_of_work(manager) as session:
        set_setting(session, manager, world.mum, auth.IDLE_SETTING, "0")  # means the 5-minute floor
    clock(minutes=51)
    assert auth.authenticate(token) is None
    with read_session() as session:
        assert auth.idle_limit(session, world.dl) == timedelta(minutes=30)


def test_last_use_is_written_at_most_once_a_minute(world, clock):
    token = _sign_in()
    writes: list[str] = []

    def count_session_writes(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("UPDATE core_auth_session"):
            writes.append(statement)

    event.listen(get_engine(), "before_cursor_execute", count_session_writes)
    try:
        for _ in range(20):
            auth.authenticate(token)
        assert writes == []
        clock(minutes=2)
        for _ in range(20):
            auth.authenticate(token)
        assert len(writes) == 1
    finally:
        event.remove(get_engine(), "before_cursor_execute", count_session_writes)


def test_a_sign_in_ticket_works_once_and_for_one_minute(world, clock):
    first = auth.login("sales@test.in", PASSWORD, OFFICE).ticket
    assert auth.authenticate(first) is None  # the ticket itself opens nothing
    token = auth.begin_session(first)
    assert token and auth.authenticate(token) is not None
    assert auth.begin_session(first) is None  # used up
    late = auth.login("sales@test.in", PASSWORD, OFFICE).ticket
    clock(seconds=61)
    assert auth.begin_session(late) is None
    assert auth.begin_session("made-up-ticket") is None and auth.begin_session("") is None


def test_the_token_comes_from_the_websocket_handshake_and_never_reaches_the_page():
    assert not any("token" in name for name in AppState.base_vars)  # before: an rx.Cookie var set by JavaScript
    root = State(_reflex_internal_init=True)
    headers = {"cookie": f"theme=dark; {SESSION_COOKIE}=abc_-123", "origin": "http://127.0.0.1:3000"}
    root._update_router_vars({"headers": headers}, {})
    assert root.substates[AppState.get_name()]._token() == "abc_-123"
    assert "abc_-123" not in json.dumps(serialize(root.router.headers))  # what the page is sent
    assert token_from_cookie_header("") == ""


@pytest.fixture
def client(world) -> TestClient:
    return TestClient(Starlette(routes=routes()), follow_redirects=False)


def _begin(client: TestClient, ticket: str, next_path: str = "/stock/pieces", **headers: str):
    query = parse_qs(urlsplit(begin_url("http://testserver:3000", ticket, next_path)).query)
    return client.get("/api/session/begin", params={k: v[0] for k, v in query.items()}, headers=headers)


def _security_log() -> list[dict]:
    with read_session() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.record_type == "security")).all()
    return [json.loads(row.changes) for row in rows if row.record_id == "session"]


def test_the_backend_sets_an_httponly_lax_cookie_and_goes_on_to_the_page(client):
    ticket = auth.login("sales@test.in", PASSWORD, OFFICE).ticket
    response = _begin(client, ticket)
    assert response.status_code == 303
    assert urlsplit(response.headers["location"]).path == "/stock/pieces"
    cookie = response.headers["set-cookie"]
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax", "path=/"} <= flags and "secure" not in flags
    assert auth.authenticate(response.cookies[SESSION_COOKIE]) is not None
    again = _begin(client, ticket)
    assert again.status_code == 400 and "set-cookie" not in again.headers
    assert _security_log()[-1]["reason"][1] == "unknown, used or expired sign-in ticket"


def test_the_cookie_is_secure_over_https(world):
    client = TestClient(Starlette(routes=routes()), base_url="https://testserver", follow_redirects=False)
    response = _begin(client, auth.login("sales@test.in", PASSWORD, OFFICE).ticket)
    assert "secure" in {part.strip().lower() for part in response.headers["set-cookie"].split(";")}


def test_a_sign_in_link_never_leads_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "/\t/evil.example"):
        assert safe_next(target) == "/"
        response = _begin(client, auth.login("sales@test.in", PASSWORD, OFFICE).ticket, target)
        assert urlsplit(response.headers["location"]).netloc.startswith("testserver")


def test_a_sign_in_link_opened_from_another_site_is_refused(client):
    ticket = auth.login("sales@test.in", PASSWORD, OFFICE).ticket
    response = _begin(client, ticket, **{"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 400 and "set-cookie" not in response.headers
    assert _security_log()[-1]["reason"][1] == "sign-in link opened from another site"


def test_sign_out_clears_the_cookie_of_an_ended_session_only(client):
    token = _sign_in()
    client.cookies.set(SESSION_COOKIE, token)
    live = client.get("/api/session/end")
    assert urlsplit(live.headers["location"]).path == "/" and "set-cookie" not in live.headers
    with unit_of_work() as session:
        auth.logout(session, token)
    ended = client.get("/api/session/end")
    assert urlsplit(ended.headers["location"]).path == "/login"
    assert f'{SESSION_COOKIE}=""' in ended.headers["set-cookie"] and "httponly" in ended.headers["set-cookie"].lower()
