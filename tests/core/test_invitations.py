"""Staff invitations: the mailed link, accepting it once within seven days, revoking, the roles it gives."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update
from sqlmodel import select

from jewelerp.auth import service as auth
from jewelerp.core import invitations
from jewelerp.core.models import AuditLog, Invitation, User
from jewelerp.core.users import store_roles
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from jewelerp.testing import run_as, send_mail_through

ORIGIN = "https://erp.zaveri.in"
PASS = "welcome-pass-9"


@pytest.fixture
def mail(world, smtp_inbox):
    send_mail_through(smtp_inbox, world.mum, world.dl)
    return smtp_inbox


def _invite(world, email: str = "kiran@zaveri.in", roles: dict | None = None, who: str = "admin"):
    given = roles if roles is not None else {world.mum: "sales", world.dl: "manager"}
    return run_as(world.actor(who), invitations.invite, email, "Kiran Shah", given, ORIGIN)


def _token(mail, email: str = "kiran@zaveri.in", count: int = 1) -> str:
    link = mail.wait_for(email, count).link(invitations.INVITE_PATH)
    assert link.startswith(f"{ORIGIN}/invite?token=")
    return parse_qs(urlsplit(link).query)["token"][0]


def _accept(token: str, name: str = "Kiran Shah", password: str = PASS, confirm: str = PASS) -> User:
    with unit_of_work() as session:
        return invitations.accept(session, token, name, password, confirm, "10.0.0.8")


def test_an_invitation_mail_creates_the_account_with_its_roles(world, mail):
    view = _invite(world)
    assert (view.status, view.roles) == ("pending", "Sales at MUM, Manager at DEL")
    received = mail.to("kiran@zaveri.in")[0]
    assert received.mail["Subject"] == invitations.SUBJECT and "Admin invites you to JewelERP" in received.text
    user = _accept(_token(mail))
    with read_session() as session:
        assert store_roles(session, user.id) == {world.mum: "sales", world.dl: "manager"}
        assert session.get(User, user.id).email_confirmed_at is not None
        row = session.exec(select(Invitation)).one()
    assert row.accepted_user_id == user.id and row.token_hash not in received.text
    assert auth.login("kiran@zaveri.in", PASS, "10.0.0.8").ticket


def test_an_invitation_works_once(world, mail):
    _invite(world)
    token = _token(mail)
    _accept(token)
    with pytest.raises(JewelError, match="already used"):
        _accept(token, name="Someone Else")


def test_an_invitation_expires_after_seven_days(world, mail):
    _invite(world)
    token = _token(mail)
    with unit_of_work() as session:
        row = session.exec(select(Invitation)).one()
        assert row.expires_at - row.created_at == timedelta(days=7)
        session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
    with read_session() as session:
        assert invitations.invitation_for(session, token) is None
    with pytest.raises(JewelError):
        _accept(token)


def test_a_revoked_invitation_and_one_replaced_by_a_newer_one_stop_working(world, mail):
    view = _invite(world)
    first = _token(mail)
    run_as(world.actor("admin"), invitations.revoke, view.id)
    with pytest.raises(JewelError):
        _accept(first)
    _invite(world)
    _invite(world)
    second, third = _token(mail, count=2), _token(mail, count=3)
    with pytest.raises(JewelError):
        _accept(second)
    _accept(third)
    with read_session() as session:
        actions = [e.action for e in session.exec(select(AuditLog).where(AuditLog.record_id == "invitation"))]
    assert actions == ["invite", "revoke", "invite", "invite", "accept"]


def test_bad_input_is_refused_and_nothing_is_sent(world, mail):
    with pytest.raises(ValidationError) as bad:
        _invite(world, email="not-an-address")
    assert "email" in bad.value.fields
    with pytest.raises(ValidationError, match="already has an account"):
        _invite(world, email="sales@test.in")
    with pytest.raises(ValidationError, match="at least one store"):
        _invite(world, roles={world.mum: ""})
    with pytest.raises(JewelError, match="Unknown role"):
        _invite(world, roles={world.mum: "owner"})
    with pytest.raises(NotFound):
        _invite(world, roles={9999: "sales"})
    with pytest.raises(PermissionDenied):
        _invite(world, who="manager")
    assert mail.messages == []
    with read_session() as session:
        assert session.exec(select(Invitation)).all() == []


def test_a_weak_password_or_no_name_leaves_the_invitation_usable(world, mail):
    _invite(world)
    token = _token(mail)
    for name, password, confirm, field in (
        ("Kiran", "short", "short", "password"),
        ("Kiran", PASS, PASS + "x", "confirm"),
        ("  ", PASS, PASS, "name"),
    ):
        with pytest.raises(ValidationError) as bad:
            _accept(token, name, password, confirm)
        assert field in bad.value.fields
    _accept(token)


def test_an_invitation_is_accepted_with_a_google_account_instead_of_a_password(world, mail, oidc_provider, monkeypatch):
    from jewelerp.auth.models import ExternalIdentity
    from jewelerp.auth.session_cookie import SESSION_COOKIE
    from tests.oidc_provider import FRONTEND, Browser, configure

    configure(monkeypatch, oidc_provider)
    _invite(world, email="kiran@zaveri.in")
    token = _token(mail)
    account = oidc_provider.add_user("g-kiran", "kiran.shah@gmail.com", name="Kiran S.")
    response = Browser(oidc_provider).sign_in(account, purpose="invite", invite=token)
    assert response.status_code == 303 and response.headers["location"] == f"{FRONTEND}/"
    info = auth.authenticate(response.cookies[SESSION_COOKIE])
    with read_session() as session:
        user = session.get(User, info.user_id)
        link = session.exec(select(ExternalIdentity)).one()
        assert store_roles(session, user.id) == {world.mum: "sales", world.dl: "manager"}
    assert (user.email, user.name, user.password_hash) == ("kiran@zaveri.in", "Kiran S.", "")
    assert (link.user_id, link.subject) == (user.id, "g-kiran")
    assert auth.login("kiran@zaveri.in", "", "10.0.0.8").ticket is None  # no password to sign in with
    again = Browser(oidc_provider).start(purpose="invite", invite=token)  # the link is used: refused at once
    assert again.headers["location"] == f"{FRONTEND}/login?error=invite_dead&provider=google"
    with read_session() as session:
        assert len(session.exec(select(User).where(User.email.like("%gmail%"))).all()) == 0
