"""Files sent with an outbox e-mail: validated when queued, delivered with the mail, dropped with the message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from jewelerp.core.housekeeping import purge_stale_records
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import ValidationError
from jewelerp.notifications import Attachment, deliver_due, queue_message
from jewelerp.notifications.models import OutboxAttachment, OutboxMessage
from jewelerp.testing import send_mail_through

ICS = Attachment("event.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")


def _queue(store_id: int, channel: str = "email", recipient: str = "asha@example.com", *files: Attachment) -> int:
    with unit_of_work() as session:
        return queue_message(session, store_id, channel, recipient, "Your ticket", "See you!", "test", files).id


def test_an_email_carries_its_attachments_to_the_mail_server(world, smtp_inbox):
    send_mail_through(smtp_inbox, world.mum)
    ticket = Attachment("ticket.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    _queue(world.mum, "email", "asha@example.com", ICS, ticket)
    assert deliver_due().sent == 1
    mail = smtp_inbox.wait_for("asha@example.com")
    assert mail.text.strip() == "See you!"
    assert mail.attachment("event.ics") == ICS.content
    assert mail.attachment("ticket.png") == ticket.content
    assert [p.get_content_type() for p in mail.mail.iter_attachments()] == ["text/calendar", "image/png"]


@pytest.mark.parametrize(
    ("channel", "recipient", "file"),
    [
        ("sms", "+919876543210", ICS),
        ("email", "asha@example.com", Attachment("../../etc/passwd", "text/plain", b"x")),
        ("email", "asha@example.com", Attachment("a.ics", "calendar", b"x")),
        ("email", "asha@example.com", Attachment("big.bin", "application/octet-stream", bytes(1_000_001))),
    ],
)
def test_a_bad_attachment_queues_nothing(world, channel, recipient, file):
    with pytest.raises(ValidationError) as refused:
        _queue(world.mum, channel, recipient, file)
    assert set(refused.value.fields) == {"attachments"}
    with read_session() as session:
        assert session.exec(select(OutboxMessage)).all() == []
        assert session.exec(select(OutboxAttachment)).all() == []


def test_housekeeping_drops_a_sent_messages_attachments_with_it(world):
    message_id = _queue(world.mum, "email", "asha@example.com", ICS)
    with unit_of_work() as session:
        row = session.get(OutboxMessage, message_id)
        row.status, row.sent_at = "sent", utcnow() - timedelta(days=100)
        session.add(row)
    with unit_of_work() as session:
        purge_stale_records(session, None)
    with read_session() as session:
        assert session.exec(select(OutboxMessage)).all() == []
        assert session.exec(select(OutboxAttachment)).all() == []
