"""Two-factor sign-in: setting it up, the code after the password (once, within its window), recovery codes,
the lock after five wrong codes, a store requiring it of admins and managers, switching it off."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import update
from sqlmodel import select

from jewelerp.auth import second_step, two_factor
from jewelerp.auth import service as auth
from jewelerp.core.models import AuditLog, AuthSession, RecoveryCode, SignInChallenge, User
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, ValidationError
from tests.conftest import PASSWORD

IP = "10.0.0.5"


def _code(secret: str, steps_ahead: int = 0) -> str:
    """The app's code ``steps_ahead`` 30-second steps from now (the server accepts one step either side)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def _enrol(user_id: int) -> tuple[str, list[str]]:
    secret = two_factor.new_secret()
    with unit_of_work() as session:
        codes = two_factor.enable(session, user_id, secret, _code(secret), IP)
    return secret, codes


def _password(email: str = "sales@test.in") -> auth.LoginResult:
    return auth.login(email, PASSWORD, IP, "test browser")


def _session_of(result: auth.LoginResult) -> auth.SessionInfo | None:
    token = auth.begin_session(result.ticket or "")
    return auth.authenticate(token or "")


def _events(action: str) -> list[AuditLog]:
    with read_session() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.record_type == "security", AuditLog.action == action)))


def test_setting_up_needs_a_right_first_code_and_gives_ten_recovery_codes(world):
    secret = two_factor.new_secret()
    with pytest.raises(ValidationError), unit_of_work() as session:
        two_factor.enable(session, world.users["sales"], secret, "000000", IP)
    with unit_of_work() as session:
        codes = two_factor.enable(session, world.users["sales"], secret, _code(secret), IP)
    assert len(codes) == 10 and len(set(codes)) == 10 and all(len(c) == 19 for c in codes)  # XXXX-XXXX-XXXX-XXXX
    with read_session() as session:
        user = session.get(User, world.users["sales"])
        stored = session.exec(select(RecoveryCode.code_hash)).all()
    assert user.totp_enabled_at and secret not in user.totp_secret  # kept encrypted
    assert not set(codes) & set(stored)  # and the codes only as hashes
    assert [e.user_id for e in _events("2fa_on")] == [world.users["sales"]]
    uri = two_factor.setup_uri(secret, "sales@test.in")
    assert uri.startswith("otpauth://totp/JewelERP:sales%40test.in?secret=") and "issuer=JewelERP" in uri
    assert two_factor.qr_data_uri(uri).startswith("data:image/png;base64,")


def test_the_password_alone_opens_no_session_and_the_code_does_once(world):
    secret, _ = _enrol(world.users["sales"])
    first = _password()
    assert first.ticket is None and first.challenge and first.error is None
    with read_session() as session:
        assert session.exec(select(AuthSession)).all() == []
    code = _code(secret, 1)
    opened = second_step.answer_challenge(first.challenge, code, IP)
    info = _session_of(opened)
    assert info is not None and info.user_id == world.users["sales"]
    with read_session() as session:
        assert session.get(AuthSession, info.session_id).second_factor
    replay = second_step.answer_challenge(_password().challenge, code, IP)
    assert replay.ticket is None and replay.error == two_factor.USED_CODE
    older = second_step.answer_challenge(_password().challenge, _code(secret), IP)  # a step before the one used
    assert older.error == two_factor.USED_CODE
    assert second_step.answer_challenge(first.challenge, _code(secret, 1), IP).error == second_step.CHALLENGE_DEAD


def test_a_recovery_code_works_once_in_any_case_or_grouping(world):
    _secret, codes = _enrol(world.users["sales"])
    plain = codes[3].replace("-", "").lower()
    assert _session_of(second_step.answer_challenge(_password().challenge, f" {plain} ", IP)) is not None
    again = second_step.answer_challenge(_password().challenge, codes[3], IP)
    assert again.error == two_factor.WRONG_CODE
    with read_session() as session:
        assert two_factor.recovery_codes_left(session, world.users["sales"]) == 9


def test_five_wrong_codes_lock_the_second_step_even_for_the_right_code(world):
    secret, _ = _enrol(world.users["sales"])
    challenge = _password().challenge
    for _ in range(two_factor.CODE_LIMIT):
        assert second_step.answer_challenge(challenge, "123456", IP).error == two_factor.WRONG_CODE
    assert second_step.answer_challenge(challenge, _code(secret, 1), IP).error == two_factor.LOCKED
    assert len(_events("lockout")) == 1
    refused = [e for e in _events("refused") if e.record_id == "login"]
    assert len(refused) == two_factor.CODE_LIMIT + 1 and "123456" not in str([e.changes for e in refused])


def test_a_challenge_expires_after_five_minutes(world):
    secret, _ = _enrol(world.users["sales"])
    challenge = _password().challenge
    with unit_of_work() as session:
        row = session.exec(select(SignInChallenge)).one()
        assert row.expires_at - row.created_at == timedelta(minutes=5)
        session.execute(update(SignInChallenge).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert second_step.answer_challenge(challenge, _code(secret, 1), IP).error == second_step.CHALLENGE_DEAD


def _require_two_factor(world) -> None:
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        set_setting(session, admin, world.mum, two_factor.REQUIRED_SETTING, "yes")


def test_a_store_requiring_it_sends_its_managers_to_set_it_up_first(world):
    _require_two_factor(world)
    manager = _session_of(_password("manager@test.in"))
    sales = _session_of(_password("sales@test.in"))
    assert manager.must_enrol and not sales.must_enrol  # sales staff are not asked
    _enrol(world.users["manager"])
    with read_session() as session:
        assert not session.get(AuthSession, manager.session_id).must_enrol
    with pytest.raises(JewelError, match="requires"):
        two_factor.disable(world.users["manager"], "123456", IP)


def test_switching_it_off_needs_a_right_code(world):
    secret, _ = _enrol(world.users["sales"])
    with pytest.raises(ValidationError):
        two_factor.disable(world.users["sales"], "654321", IP)
    two_factor.disable(world.users["sales"], _code(secret, 1), IP)
    with read_session() as session:
        user = session.get(User, world.users["sales"])
        assert (user.totp_secret, user.totp_enabled_at) == ("", None)
        assert session.exec(select(RecoveryCode)).all() == []
    assert _password().ticket  # the password alone signs in again
    assert len(_events("2fa_off")) == 1


def test_new_recovery_codes_replace_the_old_ones(world):
    secret, old = _enrol(world.users["sales"])
    new = two_factor.replace_recovery_codes(world.users["sales"], _code(secret, 1), IP)
    assert not set(old) & set(new)
    assert second_step.answer_challenge(_password().challenge, old[0], IP).error == two_factor.WRONG_CODE
    assert _session_of(second_step.answer_challenge(_password().challenge, new[0], IP)) is not None


def test_a_provider_sign_in_of_a_user_with_two_factor_asks_for_the_code(world, oidc_provider, monkeypatch):
    from jewelerp.auth.session_cookie import CHALLENGE_COOKIE, SESSION_COOKIE
    from tests.oidc_provider import FRONTEND, Browser, configure

    configure(monkeypatch, oidc_provider)
    secret, _ = _enrol(world.users["manager"])
    response = Browser(oidc_provider).sign_in(oidc_provider.add_user("g-mgr", "manager@test.in"), next="/admin/users")
    assert (
        response.status_code == 303 and response.headers["location"] == f"{FRONTEND}/login/code?next=%2Fadmin%2Fusers"
    )
    assert SESSION_COOKIE not in response.cookies  # no session yet
    challenge = response.cookies[CHALLENGE_COOKIE]
    info = _session_of(second_step.answer_challenge(challenge, _code(secret, 1), IP))
    assert info.user_id == world.users["manager"]
    with read_session() as session:
        row = session.get(AuthSession, info.session_id)
    assert (row.method, row.second_factor) == ("google", True)


def test_housekeeping_deletes_challenges_and_mailed_links_expired_over_a_day_ago(world):
    from jewelerp.core.housekeeping import purge_stale_records
    from jewelerp.core.models import EmailToken

    now = utcnow()
    with unit_of_work() as session:
        for name, expired in (("old", now - timedelta(days=2)), ("recent", now - timedelta(hours=2))):
            session.add(
                SignInChallenge(token_hash=name, user_id=world.users["sales"], method="password", expires_at=expired)
            )
            session.add(
                EmailToken(
                    purpose="reset",
                    user_id=world.users["sales"],
                    email="x@test.in",
                    token_hash=name,
                    expires_at=expired,
                )
            )
    with unit_of_work() as session:
        purge_stale_records(session, None)
    with read_session() as session:
        assert session.exec(select(SignInChallenge.token_hash)).all() == ["recent"]
        assert session.exec(select(EmailToken.token_hash)).all() == ["recent"]


def test_an_admin_switches_off_the_two_factor_of_someone_who_lost_their_phone(world):
    from jewelerp.errors import PermissionDenied
    from jewelerp.testing import run_as

    secret, _ = _enrol(world.users["sales"])
    desk = _session_of(second_step.answer_challenge(_password().challenge, _code(secret, 1), IP))
    with pytest.raises(PermissionDenied):
        run_as(world.actor("manager"), two_factor.reset_for, world.users["sales"])
    run_as(world.actor("admin"), two_factor.reset_for, world.users["sales"])
    with read_session() as session:
        assert session.get(AuthSession, desk.session_id).revoked_at is not None  # signed out everywhere
    assert _password().ticket  # the password alone signs in again
    assert [e.user_id for e in _events("2fa_reset")] == [world.users["admin"]]
    with pytest.raises(JewelError, match="already off"):
        run_as(world.actor("admin"), two_factor.reset_for, world.users["sales"])
