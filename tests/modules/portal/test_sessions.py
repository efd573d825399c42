"""The portal's own sessions: a ticket becomes a token once and only for a minute, a session ends when signed out
or idle for two hours, and the cookie route sets an HttpOnly cookie apart from the staff one."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.auth.session_cookie import SESSION_COOKIE
from jewelerp.db import unit_of_work
from modules.portal import identity
from modules.portal.models import PortalSession
from modules.portal.routes import routes
from modules.portal.sessions import PORTAL_COOKIE, account_of, begin_session, end_session
from tests.modules.portal.helpers import IP, mailed_code, register


def _ticket(world) -> str:
    identity.confirm(register(world.mum, "Asha Rao", "asha@example.com"), IP)
    identity.request_code(world.mum, "email", "asha@example.com", IP)
    return identity.sign_in(world.mum, "email", "asha@example.com", mailed_code("asha@example.com"), IP)


def _shift(**fields: timedelta) -> None:
    """Move the sessions' times back by the given amounts."""
    with unit_of_work() as session:
        for row in session.exec(select(PortalSession)):
            for name, by in fields.items():
                setattr(row, name, getattr(row, name) - by)
            session.add(row)


def test_a_ticket_is_exchanged_once(world):
    ticket = _ticket(world)
    token = begin_session(ticket)
    assert account_of(token) is not None
    assert begin_session(ticket) is None
    assert account_of("forged") is None and account_of("") is None


def test_a_ticket_older_than_a_minute_is_refused(world):
    ticket = _ticket(world)
    _shift(ticket_expires_at=timedelta(seconds=61))
    assert begin_session(ticket) is None


def test_a_session_ends_when_signed_out_or_idle(world):
    token = begin_session(_ticket(world))
    _shift(last_seen_at=timedelta(hours=2, minutes=1))
    assert account_of(token) is None
    second = begin_session(identity.sign_in(world.mum, "email", "asha@example.com", _fresh_code(world), IP))
    assert account_of(second) is not None
    end_session(second)
    assert account_of(second) is None


def _fresh_code(world) -> str:
    identity.request_code(world.mum, "email", "asha@example.com", "203.0.113.20")
    return mailed_code("asha@example.com")


def test_the_cookie_route_sets_the_portal_cookie_only(world):
    client = TestClient(Starlette(routes=routes()))
    response = client.get(f"/api/portal/session/begin?ticket={_ticket(world)}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/portal")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{PORTAL_COOKIE}=") and "httponly" in cookie.lower()
    assert SESSION_COOKIE not in cookie
    cross = client.get(
        f"/api/portal/session/begin?ticket={_ticket_again(world)}",
        headers={"Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )
    assert cross.status_code == 400


def _ticket_again(world) -> str:
    return identity.sign_in(world.mum, "email", "asha@example.com", _fresh_code(world), IP)
