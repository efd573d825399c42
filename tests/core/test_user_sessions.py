"""The sessions a user sees and ends: their device, address and sign-in method; one, all, or all of someone's by
an admin; deactivating an account ends its sessions."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jewelerp.auth import service as auth
from jewelerp.auth import sessions
from jewelerp.core.models import AuditLog
from jewelerp.core.users import UserInput, update_user
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import NotFound, PermissionDenied
from jewelerp.testing import run_as
from tests.conftest import PASSWORD

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
)
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _sign_in(user_agent: str, client_ip: str, email: str = "sales@test.in") -> tuple[str, int]:
    result = auth.login(email, PASSWORD, client_ip, user_agent)
    token = auth.begin_session(result.ticket)
    with read_session() as session:
        return token, auth.resolve(session, token).session_id


def _alive(token: str) -> bool:
    with read_session() as session:
        return auth.resolve(session, token) is not None


def _listed(user_id: int, current: int) -> list[sessions.OpenSession]:
    with read_session() as session:
        return sessions.open_sessions(session, user_id, current)


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (PHONE, "Chrome on Android"),
        (LAPTOP, "Firefox on Windows"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile Safari/604.1", "Safari on iPhone"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Chrome/131.0 Safari/537.36 Edg/131.0", "Edge on macOS"),
        ("curl/8.5", "Unknown device"),
        ("", "Unknown device"),
    ],
)
def test_a_device_gets_a_short_name(agent, label):
    assert sessions.device_label(agent) == label


def test_the_list_shows_each_open_session_with_device_address_and_method(world):
    _phone, phone_id = _sign_in(PHONE, "10.1.1.1")
    _laptop, laptop_id = _sign_in(LAPTOP, "10.2.2.2")
    _sign_in(LAPTOP, "10.3.3.3", email="manager@test.in")  # someone else's
    listed = _listed(world.users["sales"], laptop_id)
    assert {(s.id, s.device, s.client_ip, s.method, s.current) for s in listed} == {
        (phone_id, "Chrome on Android", "10.1.1.1", "Password", False),
        (laptop_id, "Firefox on Windows", "10.2.2.2", "Password", True),
    }


def test_signing_out_one_device_leaves_the_others(world):
    phone, phone_id = _sign_in(PHONE, "10.1.1.1")
    laptop, _ = _sign_in(LAPTOP, "10.2.2.2")
    with unit_of_work() as session:
        sessions.end_own_session(session, world.users["sales"], phone_id, "10.2.2.2")
    assert not _alive(phone) and _alive(laptop)
    assert [s.device for s in _listed(world.users["sales"], 0)] == ["Firefox on Windows"]
    with pytest.raises(NotFound), unit_of_work() as session:
        sessions.end_own_session(session, world.users["sales"], phone_id, "10.2.2.2")


def test_nobody_ends_another_users_session_by_its_number(world):
    theirs, their_id = _sign_in(LAPTOP, "10.3.3.3", email="manager@test.in")
    with pytest.raises(NotFound), unit_of_work() as session:
        sessions.end_own_session(session, world.users["sales"], their_id, "10.6.6.6")
    assert _alive(theirs)


def test_signing_out_everywhere_ends_every_session_and_is_audited(world):
    tokens = [_sign_in(PHONE, "10.1.1.1")[0], _sign_in(LAPTOP, "10.2.2.2")[0]]
    with unit_of_work() as session:
        sessions.end_all_own_sessions(session, world.users["sales"], "10.2.2.2")
    assert not any(_alive(t) for t in tokens)
    with read_session() as session:
        event = session.exec(select(AuditLog).where(AuditLog.action == "end_all")).one()
    assert event.user_id == world.users["sales"] and "10.2.2.2" in event.changes


def test_an_admin_ends_all_sessions_of_a_user_and_others_may_not(world):
    token, _ = _sign_in(PHONE, "10.1.1.1")
    with pytest.raises(PermissionDenied):
        run_as(world.actor("manager"), sessions.end_user_sessions, world.users["sales"], "10.9.9.9")
    assert _alive(token)
    assert run_as(world.actor("admin"), sessions.end_user_sessions, world.users["sales"], "10.9.9.9") == 1
    assert not _alive(token)


def test_deactivating_an_account_ends_its_sessions_at_once(world):
    token, _ = _sign_in(PHONE, "10.1.1.1")
    run_as(world.actor("admin"), update_user, world.users["sales"], UserInput("Sales", "sales@test.in", active=False))
    with read_session() as session:
        assert sessions.open_sessions(session, world.users["sales"], 0) == []
    assert not _alive(token)
