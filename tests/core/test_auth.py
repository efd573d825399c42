"""Login, lockout, sessions, store switching and password changes."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

import pytest
from sqlmodel import select

from jewelerp.auth import service as auth
from jewelerp.core.models import AuthSession, User
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import AuthError, ValidationError
from tests.conftest import PASSWORD


class SignIn(NamedTuple):
    """A sign-in as the browser completes it: the session token, or the message shown."""

    token: str | None
    error: str | None


def _login(email: str, password: str, client_ip: str = "10.0.0.1") -> SignIn:
    result = auth.login(email, password, client_ip)
    return SignIn(result.ticket and auth.begin_session(result.ticket), result.error)


def _resolve(token: str):
    with read_session() as session:
        return auth.resolve(session, token)


def test_login_opens_a_session_in_the_first_store(world):
    result = _login("Sales@Test.in ", PASSWORD)
    assert result.error is None and result.token
    info = _resolve(result.token)
    assert info.user_id == world.users["sales"] and info.store_id == world.mum
    with read_session() as session:
        stored = session.exec(select(AuthSession)).one()
    assert stored.token_hash != result.token  # only a hash is kept
    assert stored.ticket_hash is None  # the sign-in ticket was used up


def test_wrong_password_and_unknown_email_get_the_same_message(world):
    assert _login("sales@test.in", "wrong-pass-1").error == "Wrong email or password."
    assert _login("nobody@test.in", "wrong-pass-1").error == "Wrong email or password."
    assert _login("", "").error == "Enter your email and password."


def test_lockout_after_five_failures_even_with_the_right_password(world):
    for _ in range(4):
        assert _login("sales@test.in", "nope-nope-1").error == auth.WRONG_CREDENTIALS
    assert _login("sales@test.in", "nope-nope-1").error == auth.LOCKED_OUT
    assert _login("sales@test.in", PASSWORD).error == auth.LOCKED_OUT
    # an unknown email locks the same way, so the message gives nothing away
    for _ in range(5):
        last = _login("ghost@test.in", "nope-nope-1")
    assert last.error == auth.LOCKED_OUT


def test_lockout_ends_after_fifteen_minutes(world, monkeypatch):
    for _ in range(5):
        _login("sales@test.in", "nope-nope-1")
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert _login("sales@test.in", PASSWORD).token


def test_inactive_user_is_refused_and_loses_open_sessions(world):
    token = _login("sales@test.in", PASSWORD).token
    with unit_of_work() as session:
        user = session.get(User, world.users["sales"])
        user.active = False
        session.add(user)
    assert _resolve(token) is None
    assert _login("sales@test.in", PASSWORD).error == "This account is disabled. Ask an admin to re-enable it."


def test_expired_and_logged_out_sessions_are_dead(world, monkeypatch):
    token = _login("manager@test.in", PASSWORD).token
    assert _resolve(token)
    with unit_of_work() as session:
        auth.logout(session, token)
    assert _resolve(token) is None
    token = _login("manager@test.in", PASSWORD).token
    later = utcnow() + auth.SESSION_TTL + timedelta(seconds=1)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert _resolve(token) is None


def test_switch_store_only_where_the_user_has_a_role(world):
    token = _login("manager@test.in", PASSWORD).token
    with unit_of_work() as session:
        auth.switch_store(session, token, world.dl)
    assert _resolve(token).store_id == world.dl
    sales = _login("sales@test.in", PASSWORD).token
    with pytest.raises(AuthError, match="no role in that store"), unit_of_work() as session:
        auth.switch_store(session, sales, world.dl)


def test_change_password_checks_the_current_one_and_signs_out_everywhere(world):
    token = _login("designer@test.in", PASSWORD).token
    uid = world.users["designer"]
    with pytest.raises(ValidationError) as err:
        auth.change_password(uid, "bad-current-1", "short", "short")
    assert set(err.value.fields) == {"current", "new"}
    with pytest.raises(ValidationError) as err:
        auth.change_password(uid, PASSWORD, "new-secret-22", "new-secret-23")
    assert err.value.fields == {"confirm": "The two new passwords differ."}
    assert _login("designer@test.in", PASSWORD).token  # unchanged after refusals
    auth.change_password(uid, PASSWORD, "new-secret-22", "new-secret-22")
    assert _resolve(token) is None
    assert _login("designer@test.in", "new-secret-22").token


def test_actor_permissions_follow_role_defaults(world):
    admin, sales = world.actor("admin"), world.actor("sales")
    assert admin.can("core.roles.manage") and admin.can("core.audit.view")
    assert not sales.can("core.users.view")
    assert world.actor("manager").can("core.audit.view")
    with pytest.raises(AuthError), unit_of_work() as session:
        auth.build_actor(session, world.users["sales"], world.dl)
