"""Password reset and address confirmation by e-mail, through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update
from sqlmodel import select

from jewelerp.auth import email_confirm, reset
from jewelerp.auth import service as auth
from jewelerp.core.models import AuditLog, EmailToken, User
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import AuthError, JewelError, ValidationError
from jewelerp.notifications.models import OutboxMessage
from jewelerp.testing import send_mail_through
from tests.conftest import PASSWORD

ORIGIN = "https://erp.zaveri.in"
IP = "10.0.0.7"
NEW = "new-secret-77"


@pytest.fixture
def mail(world, smtp_inbox):
    """The world's stores send mail through the test SMTP server."""
    send_mail_through(smtp_inbox, world.mum, world.dl)
    return smtp_inbox


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def _reset_link(mail, email: str = "sales@test.in", count: int = 1) -> str:
    assert reset.request_reset(email, IP, ORIGIN) == reset.RESET_SENT
    return mail.wait_for(email, count).link(reset.RESET_PATH)


def _signed_in(email: str = "sales@test.in", password: str = PASSWORD) -> str | None:
    result = auth.login(email, password, "10.0.0.1")
    return result.ticket and auth.begin_session(result.ticket)


def _alive(token: str) -> bool:
    with read_session() as session:
        return auth.resolve(session, token) is not None


def _security_events(kind: str) -> list[AuditLog]:
    with read_session() as session:
        return list(
            session.exec(select(AuditLog).where(AuditLog.record_type == "security", AuditLog.record_id == kind))
        )


def test_a_reset_mail_arrives_and_its_link_sets_the_password_and_ends_every_session(world, mail):
    session_token = _signed_in()
    link = _reset_link(mail)
    received = mail.to("sales@test.in")[0]
    assert received.mail["Subject"] == reset.SUBJECT and link.startswith(f"{ORIGIN}/password/reset?token=")
    assert reset.reset_link_works(_token(link))
    reset.complete_reset(_token(link), NEW, NEW, IP)
    assert not _alive(session_token)  # every session of the user ended
    assert _signed_in(password=PASSWORD) is None and _signed_in(password=NEW)
    (event,) = _security_events("password")
    assert event.action == "reset" and event.user_id == world.users["sales"] and IP in event.changes
    with read_session() as session:
        assert session.get(User, world.users["sales"]).email_confirmed_at is not None  # they read mail there


def test_a_reset_link_works_once(world, mail):
    token = _token(_reset_link(mail))
    reset.complete_reset(token, NEW, NEW, IP)
    with pytest.raises(AuthError, match="expired or was already used"):
        reset.complete_reset(token, "another-pass-8", "another-pass-8", IP)
    assert _signed_in(password=NEW)


def test_a_reset_link_expires_after_thirty_minutes(world, mail):
    token = _token(_reset_link(mail))
    with read_session() as session:
        row = session.exec(select(EmailToken)).one()
    assert row.expires_at - row.created_at == timedelta(minutes=30)
    with unit_of_work() as session:  # 30 minutes and a second later
        session.execute(update(EmailToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert not reset.reset_link_works(token)
    with pytest.raises(AuthError):
        reset.complete_reset(token, NEW, NEW, IP)
    assert _signed_in(password=PASSWORD)  # nothing changed


def test_a_later_request_voids_the_earlier_link(world, mail):
    first = _token(_reset_link(mail))
    second = _token(_reset_link(mail, count=2))
    assert not reset.reset_link_works(first) and reset.reset_link_works(second)
    with pytest.raises(AuthError):
        reset.complete_reset(first, NEW, NEW, IP)
    reset.complete_reset(second, NEW, NEW, IP)


def test_an_unknown_or_disabled_address_gets_the_same_answer_and_no_mail(world, mail):
    with unit_of_work() as session:
        session.execute(update(User).where(User.email == "designer@test.in").values(active=False))
    assert reset.request_reset("nobody@test.in", IP, ORIGIN) == reset.RESET_SENT
    assert reset.request_reset("designer@test.in", IP, ORIGIN) == reset.RESET_SENT
    with read_session() as session:
        assert session.exec(select(OutboxMessage)).all() == [] and session.exec(select(EmailToken)).all() == []
    assert mail.messages == []


def test_asking_too_often_sends_no_more_links_but_answers_the_same(world, mail):
    for count in range(1, reset.PER_EMAIL_LIMIT + 1):
        _reset_link(mail, count=count)
    assert reset.request_reset("sales@test.in", IP, ORIGIN) == reset.RESET_SENT
    with read_session() as session:
        assert len(session.exec(select(EmailToken)).all()) == reset.PER_EMAIL_LIMIT


def test_a_weak_or_mistyped_new_password_changes_nothing(world, mail):
    token = _token(_reset_link(mail))
    with pytest.raises(ValidationError) as weak:
        reset.complete_reset(token, "short", "short", IP)
    assert "new" in weak.value.fields
    with pytest.raises(ValidationError) as differ:
        reset.complete_reset(token, NEW, NEW + "x", IP)
    assert "confirm" in differ.value.fields
    assert reset.reset_link_works(token) and _signed_in(password=PASSWORD)
    with pytest.raises(ValidationError):
        reset.request_reset("not an address", IP, ORIGIN)


def test_a_link_sent_before_the_address_changed_is_dead(world, mail):
    token = _token(_reset_link(mail))
    with unit_of_work() as session:
        session.execute(update(User).where(User.email == "sales@test.in").values(email="asha@test.in"))
    with pytest.raises(AuthError):
        reset.complete_reset(token, NEW, NEW, IP)


def test_a_new_address_is_used_only_once_its_link_is_opened(world, mail):
    user_id = world.users["sales"]
    assert email_confirm.change_email(user_id, " Asha@Zaveri.in ", PASSWORD, ORIGIN) == "asha@zaveri.in"
    link = mail.wait_for("asha@zaveri.in").link(email_confirm.CONFIRM_PATH)
    assert _signed_in("asha@zaveri.in") is None and _signed_in("sales@test.in")  # not yet
    assert email_confirm.confirm_email(_token(link), IP) == "asha@zaveri.in"
    with read_session() as session:
        user = session.get(User, user_id)
    assert (user.email, user.pending_email) == ("asha@zaveri.in", "") and user.email_confirmed_at
    assert _signed_in("asha@zaveri.in") and _signed_in("sales@test.in") is None
    (event,) = _security_events("email")
    assert event.action == "changed" and "sales@test.in" in event.changes
    with pytest.raises(AuthError):
        email_confirm.confirm_email(_token(link), IP)


def test_changing_the_address_needs_the_password_and_a_free_address(world, mail):
    user_id = world.users["sales"]
    with pytest.raises(ValidationError) as wrong:
        email_confirm.change_email(user_id, "asha@zaveri.in", "wrong-pass-1", ORIGIN)
    assert wrong.value.fields == {"password": "Your current password is not right."}
    with pytest.raises(ValidationError) as taken:
        email_confirm.change_email(user_id, "admin@test.in", PASSWORD, ORIGIN)
    assert taken.value.fields["new_email"] == email_confirm.ADDRESS_TAKEN
    assert mail.messages == []


def test_an_address_taken_meanwhile_is_not_switched_to(world, mail):
    email_confirm.change_email(world.users["sales"], "asha@zaveri.in", PASSWORD, ORIGIN)
    token = _token(mail.wait_for("asha@zaveri.in").link(email_confirm.CONFIRM_PATH))
    with unit_of_work() as session:
        session.execute(update(User).where(User.email == "designer@test.in").values(email="asha@zaveri.in"))
    with pytest.raises(JewelError, match="Another account"):
        email_confirm.confirm_email(token, IP)
    with read_session() as session:
        assert session.get(User, world.users["sales"]).email == "sales@test.in"


def test_a_user_confirms_their_own_address(world, mail):
    user_id = world.users["manager"]
    assert email_confirm.send_confirmation(user_id, ORIGIN) == "manager@test.in"
    token = _token(mail.wait_for("manager@test.in").link(email_confirm.CONFIRM_PATH))
    email_confirm.confirm_email(token, IP)
    with pytest.raises(JewelError, match="already confirmed"):
        email_confirm.send_confirmation(user_id, ORIGIN)


def test_mail_waits_in_the_outbox_when_the_mail_server_is_down(world, mail):
    from jewelerp.testing import MailInbox

    down = MailInbox()
    down.port = 9  # nothing listens on the discard port here
    send_mail_through(down, world.mum)
    assert reset.request_reset("sales@test.in", IP, ORIGIN) == reset.RESET_SENT
    with read_session() as session:
        (queued,) = session.exec(select(OutboxMessage)).all()
    assert queued.status == "queued" and queued.attempts == 1 and queued.last_error
