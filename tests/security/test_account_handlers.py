"""The account pages' event handlers, called as anyone with a websocket can call them: without a session they do
nothing but send the browser to the sign-in page; with one they act only on the caller's own account."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from reflex.istate.data import SessionData
from sqlmodel import select

from jewelerp.auth import service as auth
from jewelerp.auth.pages import LoginState
from jewelerp.auth.profile_page import AccountState
from jewelerp.auth.recovery_pages import RecoveryState
from jewelerp.auth.sessions_page import SessionsState
from jewelerp.auth.two_factor_pages import CodeState, TwoFactorState
from jewelerp.core.models import AuthSession, Invitation, User
from jewelerp.core.pages.invitations import AcceptState, InvitationsState
from jewelerp.core.pages.users import UsersTable
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import SessionEnded
from jewelerp.ui.state import AppState
from tests.conftest import PASSWORD

CLIENT_IP = "203.0.113.66"


def _page(state_class: type[AppState], cookie: str = "") -> AppState:
    state = state_class(_reflex_internal_init=True)
    headers = replace(state.router.headers, cookie=cookie)
    state.router = replace(state.router, session=SessionData(client_ip=CLIENT_IP), headers=headers)
    return state


def _call(state: AppState, handler: str, *args: object) -> object:
    result = getattr(type(state), handler).fn(state, *args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def _signed_in(email: str) -> str:
    token = auth.begin_session(auth.login(email, PASSWORD, CLIENT_IP).ticket)
    return f"jewelerp_session={token}"


@pytest.mark.parametrize(
    ("state_class", "handler", "args"),
    [
        (SessionsState, "load", ()),
        (SessionsState, "sign_out", ("1",)),
        (SessionsState, "sign_out_everywhere", ()),
        (AccountState, "load", ()),
        (AccountState, "send_confirmation", ()),
        (AccountState, "change_email", ({"new_email": "evil@evil.in", "password": PASSWORD},)),
        (UsersTable, "end_sessions", ("1",)),
        (UsersTable, "reset_two_factor", ()),
        (InvitationsState, "load", ()),
        (InvitationsState, "open_form", ()),
        (InvitationsState, "send", ({"email": "friend@evil.in", "role_1": "admin"},)),
        (InvitationsState, "revoke", ("1",)),
        (TwoFactorState, "load", ()),
        (TwoFactorState, "begin_setup", ()),
        (TwoFactorState, "finish_setup", ({"code": "123456"},)),
        (TwoFactorState, "new_codes", ({"code": "123456"},)),
        (TwoFactorState, "switch_off", ({"code": "123456"},)),
    ],
)
def test_without_a_session_a_handler_changes_nothing_and_goes_to_sign_in(world, state_class, handler, args):
    victim = _signed_in("sales@test.in")
    with pytest.raises(SessionEnded):
        _call(_page(state_class, cookie="jewelerp_session=forged"), handler, *args)
    assert auth.authenticate(victim.split("=", 1)[1]) is not None
    with read_session() as session:
        assert session.get(User, world.users["sales"]).pending_email == ""


def test_a_session_number_of_someone_else_is_not_signed_out(world):
    victim = _signed_in("manager@test.in")
    with read_session() as session:
        victim_session = auth.resolve(session, victim.split("=", 1)[1]).session_id
    page = _page(SessionsState, cookie=_signed_in("sales@test.in"))
    for forged in (str(victim_session), "-1", "x", None, ["1"]):
        _call(page, "sign_out", forged)
        assert not page.message_ok
    assert auth.authenticate(victim.split("=", 1)[1]) is not None


def test_a_manager_cannot_sign_out_the_admin(world):
    admin = _signed_in("admin@test.in")
    page = _page(UsersTable, cookie=_signed_in("manager@test.in"))
    _call(page, "end_sessions", str(world.users["admin"]))
    assert not page.message_ok and "permission" in page.message.lower()
    assert auth.authenticate(admin.split("=", 1)[1]) is not None


def test_the_public_pages_take_any_junk_without_failing(world, smtp_inbox):
    page = _page(RecoveryState)
    for form in ({"email": ["admin@test.in"]}, {"email": {"$ne": 1}}, "not a form", {}):
        _call(page, "ask", form)
        assert not page.message_ok
    _call(page, "set_password", {"new": 12345678, "confirm": None})
    assert not page.message_ok
    assert smtp_inbox.messages == []


def test_a_guessed_sign_in_challenge_opens_nothing(world, monkeypatch):
    login = LoginState(_reflex_internal_init=True)
    login._challenge = "guessed-too"

    async def same_tab_state(_self, _state_class):
        return login

    monkeypatch.setattr(CodeState, "get_state", same_tab_state)
    page = _page(CodeState, cookie="jewelerp_sign_in_code=guessed")
    for form in ({"code": "123456"}, {"code": ["123456"]}, "junk"):
        assert _call(page, "verify", form) is None
        assert not page.message_ok
    with read_session() as session:
        assert session.exec(select(AuthSession)).all() == []


def test_a_user_who_must_set_up_two_factor_can_do_nothing_else(world):
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        set_setting(session, admin, world.mum, "core.require_two_factor", "yes")
    page = _page(UsersTable, cookie=_signed_in("manager@test.in"))
    _call(page, "end_sessions", str(world.users["sales"]))
    assert not page.message_ok and "two-factor" in page.message
    enrol = _page(TwoFactorState, cookie=page.router.headers.cookie)
    _call(enrol, "begin_setup")
    assert enrol.qr.startswith("data:image/png") and enrol._secret  # the set-up page itself works


def test_a_manager_cannot_invite_and_junk_cannot_accept(world, smtp_inbox):
    page = _page(InvitationsState, cookie=_signed_in("manager@test.in"))
    _call(page, "send", {"email": "friend@evil.in", f"role_{world.mum}": "admin"})
    assert not page.message_ok and "permission" in page.message.lower()
    accept = _page(AcceptState)
    for form in ({"name": "X", "password": "long-enough-1", "confirm": "long-enough-1"}, "junk", {"name": ["x"]}):
        _call(accept, "accept", form)
        assert not accept.message_ok
    with read_session() as session:
        assert session.exec(select(Invitation)).all() == []
        assert session.exec(select(User).where(User.email == "friend@evil.in")).first() is None
    assert smtp_inbox.messages == []


def test_joining_with_a_provider_goes_nowhere_but_our_own_start_route(world):
    page = _page(AcceptState)
    for name in ("evil.example", ["google"], None, "../google"):
        assert _call(page, "join_with", name) is None
