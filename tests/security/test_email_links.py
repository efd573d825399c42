"""Attacks on e-mailed links: a link of one purpose used for another, a guessed or altered token, the token
leaking into what staff can read."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from jewelerp.auth import email_confirm, reset
from jewelerp.core.models import AuditLog, EmailToken
from jewelerp.db import read_session
from jewelerp.errors import AuthError
from jewelerp.notifications.outbox import OUTBOX
from jewelerp.testing import run_as, send_mail_through
from jewelerp.ui.table_query import TableQuery
from tests.conftest import PASSWORD

ORIGIN = "http://localhost:3000"
NEW = "new-secret-77"


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


@pytest.fixture
def reset_token(world, smtp_inbox) -> str:
    send_mail_through(smtp_inbox, world.mum, world.dl)
    reset.request_reset("admin@test.in", "10.0.0.9", ORIGIN)
    return _token(smtp_inbox.wait_for("admin@test.in").link(reset.RESET_PATH))


def test_an_altered_or_guessed_token_is_refused(reset_token):
    for forged in (reset_token[:-1] + ("A" if reset_token[-1] != "A" else "B"), "", "x" * 5000, reset_token + " "):
        assert not reset.reset_link_works(forged)
        with pytest.raises(AuthError):
            reset.complete_reset(forged, NEW, NEW, "10.6.6.6")
    assert reset.reset_link_works(reset_token)


def test_a_reset_link_cannot_confirm_an_address_and_the_reverse(world, reset_token, smtp_inbox):
    with pytest.raises(AuthError):
        email_confirm.confirm_email(reset_token, "10.6.6.6")
    email_confirm.change_email(world.users["sales"], "attacker@evil.in", PASSWORD, ORIGIN)
    confirm = _token(smtp_inbox.wait_for("attacker@evil.in").link(email_confirm.CONFIRM_PATH))
    with pytest.raises(AuthError):
        reset.complete_reset(confirm, NEW, NEW, "10.6.6.6")
    assert reset.reset_link_works(reset_token)


def test_the_token_is_stored_hashed_and_never_shown_to_staff(world, reset_token):
    with read_session() as session:
        stored = session.exec(select(EmailToken)).one()
        audit_text = " ".join(row.changes for row in session.exec(select(AuditLog)))
    assert stored.token_hash != reset_token and reset_token not in audit_text
    rows, count = run_as(world.actor("manager"), OUTBOX.fetch, TableQuery())  # the outbox page a manager reads
    assert count == 1 and reset_token not in repr(rows)
