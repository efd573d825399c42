"""Notification service: staff notices, the outbox, SMTP delivery with retries, pluggable senders."""

from __future__ import annotations

import base64
import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlmodel import select

from jewelerp import scheduler
from jewelerp.core.housekeeping import purge_stale_records
from jewelerp.core.models import AuditLog, JobRun
from jewelerp.core.module_states import disable_module
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from jewelerp.notifications import (
    OutgoingMessage,
    deliver_due,
    mark_all_read,
    mark_read,
    notifications_for,
    notify_staff,
    queue_message,
    retry_now,
    unread_count,
    unread_for,
)
from jewelerp.notifications.models import Notification, OutboxMessage
from jewelerp.notifications.outbox import MAX_ATTEMPTS, OUTBOX
from jewelerp.notifications.senders import ChannelSender
from jewelerp.registry import Module, set_registry
from jewelerp.ui.table_query import TableQuery
from tests.conftest import make_world
from tests.core.sample_modules import sample_registry

SENT_SMS: list[OutgoingMessage] = []


# --- a tiny SMTP server, enough for smtplib ---------------------------------------------------


@dataclass
class Mailbox:
    """What the test SMTP server received."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    def _reply(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())

    def handle(self) -> None:
        box: Mailbox = self.server.mailbox  # type: ignore[attr-defined]
        sender, recipients = "", []
        self._reply("220 test.local ESMTP")
        while line := self.rfile.readline():
            verb, _, arg = line.decode().strip().partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.wfile.write(b"250-test.local\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n")
            elif verb == "AUTH":
                box.logins.append(base64.b64decode(arg.split()[1]).decode())
                self._reply("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                sender, recipients = arg, []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(arg)
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                data = b"".join(iter(self.rfile.readline, b".\r\n"))
                box.messages.append(message_from_bytes(data, policy=policy.default))
                box.envelopes.append((sender, recipients))
                self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("250 OK")


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    """A local SMTP server on a free port, in a thread."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.mailbox = Mailbox()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], server.mailbox  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _configure_smtp(world, port: int, **extra: str) -> None:
    manager = world.actor("manager")
    values = {"host": "127.0.0.1", "port": str(port), "tls": "no", "from": "Zaveri Jewels <shop@zaveri.in>", **extra}
    with unit_of_work(manager) as session:
        for key, raw in values.items():
            set_setting(session, manager, world.mum, f"core.smtp_{key}", raw)


def _queue(store_id: int, channel: str = "email", recipient: str = "asha@example.com", **kw: str) -> int:
    with unit_of_work() as session:
        row = queue_message(
            session,
            store_id,
            channel,
            recipient,
            kw.get("subject", "Your ring is ready"),
            kw.get("body", "Dear Asha, your ring is ready for collection. Balance ₹1,200."),
            "repairs.ready",
        )
        return row.id


def _message(message_id: int) -> OutboxMessage:
    with read_session() as session:
        return session.get(OutboxMessage, message_id)


# --- staff notifications -----------------------------------------------------------------------


def test_staff_notification_reaches_the_role_and_is_read(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    with unit_of_work() as session:
        rows = notify_staff(session, world.mum, role="sales", title="Job R-12 is ready", link="/repairs/jobs/12")
        assert [r.user_id for r in rows] == [sales.user_id]
        # sales has no role in Delhi, so only the manager gets the Delhi notice
        rows = notify_staff(session, world.dl, user_ids=[sales.user_id, manager.user_id], title="Delhi stock count")
        assert [r.user_id for r in rows] == [manager.user_id]
    with read_session() as session:
        assert unread_count(session, sales) == 1
        assert unread_count(session, manager) == 0  # the Delhi notice shows in Delhi only
        assert unread_count(session, world.actor("manager", world.dl)) == 1
        (notice,) = unread_for(session, sales)
    assert (notice.title, notice.link, notice.read_at) == ("Job R-12 is ready", "/repairs/jobs/12", None)
    with unit_of_work(manager) as session, pytest.raises(NotFound):
        mark_read(session, manager, notice.id)  # not the manager's
    with unit_of_work(sales) as session:
        assert mark_read(session, sales, notice.id).read_at is not None
    with read_session() as session:
        assert unread_count(session, sales) == 0
        assert unread_for(session, sales) == []
        assert [n.id for n in notifications_for(session, sales)] == [notice.id]


def test_mark_all_read_clears_only_the_actors_notices(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    with unit_of_work() as session:
        for title in ("One", "Two"):
            notify_staff(session, world.mum, user_ids=[sales.user_id, manager.user_id], title=title)
    with unit_of_work(sales) as session:
        assert mark_all_read(session, sales) == 2
    with read_session() as session:
        assert (unread_count(session, sales), unread_count(session, manager)) == (0, 2)


def test_bad_title_or_link_is_refused_and_nothing_is_written(world):
    with unit_of_work() as session:
        with pytest.raises(ValidationError) as bad:
            notify_staff(session, world.mum, role="sales", title="  ", link="https://evil.example/x")
        assert set(bad.value.fields) == {"title", "link"}
        with pytest.raises(JewelError, match="Unknown role"):
            notify_staff(session, world.mum, role="cashier", title="Hi")
    with read_session() as session:
        assert session.exec(select(Notification)).all() == []


# --- queueing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "recipient", "field_name"),
    [
        ("email", "asha.example.com", "recipient"),
        ("email", "asha@example.com, boss@example.com", "recipient"),
        ("sms", "98765 43210", "recipient"),
        ("whatsapp", "+91 98765", "recipient"),
        ("E Mail", "asha@example.com", "channel"),
    ],
)
def test_queue_refuses_bad_recipients(world, channel, recipient, field_name):
    with pytest.raises(ValidationError) as bad:
        _queue(world.mum, channel, recipient)
    assert field_name in bad.value.fields
    with read_session() as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_queue_needs_a_subject_for_email_and_a_body(world):
    with pytest.raises(ValidationError) as bad:
        _queue(world.mum, subject="", body=" ")
    assert bad.value.fields == {"subject": "Give the e-mail a subject.", "body": "The message is empty."}


def test_queue_stores_phone_numbers_in_e164(world):
    message_id = _queue(world.mum, "whatsapp", "+91 (98765) 432-10", subject="")
    row = _message(message_id)
    assert (row.recipient, row.status, row.attempts, row.source) == ("+919876543210", "queued", 0, "repairs.ready")


# --- delivery -----------------------------------------------------------------------------------


def test_email_is_delivered_through_the_stores_smtp_server(world, smtp_server):
    port, mailbox = smtp_server
    _configure_smtp(world, port, user="shop@zaveri.in", password="s3cret-pass")
    message_id = _queue(world.mum)
    report = deliver_due()
    assert (report.sent, report.failed, report.retrying, report.waiting) == (1, 0, 0, 0)
    (mail,) = mailbox.messages
    assert mail["Subject"] == "Your ring is ready"
    assert mail["To"] == "asha@example.com"
    assert mail["From"] == "Zaveri Jewels <shop@zaveri.in>"
    assert "your ring is ready for collection. Balance ₹1,200." in mail.get_content()
    assert mailbox.envelopes == [("FROM:<shop@zaveri.in>", ["TO:<asha@example.com>"])]
    assert mailbox.logins == ["\0shop@zaveri.in\0s3cret-pass"]
    row = _message(message_id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    assert deliver_due().sent == 0  # sent once only


def test_failure_is_retried_with_backoff_then_failed(world):
    _configure_smtp(world, _closed_port())
    message_id = _queue(world.mum)
    now = utcnow()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = deliver_due(now)
        row = _message(message_id)
        assert row.attempts == attempt
        assert row.last_error  # e.g. "[Errno 111] Connection refused"
        if attempt < MAX_ATTEMPTS:
            assert (report.retrying, row.status) == (1, "queued")
            waits.append(row.next_attempt_at - now)
            assert deliver_due(now + waits[-1] - timedelta(seconds=1)).retrying == 0  # not due yet
            now = row.next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (1, 5, 25, 125, 625)]
    assert (report.failed, row.status) == (1, "failed")
    assert deliver_due(now + timedelta(days=1)).failed == 0  # a failed message is left alone


def test_without_smtp_settings_the_message_waits_in_the_queue(world):
    message_id = _queue(world.mum)
    now = utcnow()
    report = deliver_due(now)
    assert report.waiting == 1
    assert report.errors == {message_id: "SMTP is not set up for this store."}
    row = _message(message_id)
    assert (row.status, row.attempts, row.last_error) == ("queued", 0, "SMTP is not set up for this store.")
    assert row.next_attempt_at == now + timedelta(minutes=15)


def test_the_outbox_job_sends_due_mail_and_keeps_quiet_when_fine(world, smtp_server):
    port, mailbox = smtp_server
    _configure_smtp(world, port)
    message_id = _queue(world.mum)
    assert scheduler.run_job("core.outbox").status == "ok"
    assert len(mailbox.messages) == 1
    assert _message(message_id).status == "sent"
    with read_session() as session:
        assert session.exec(select(JobRun)).all() == []  # a scheduled run every minute is not history
    assert scheduler.run_job("core.outbox", trigger="manual").stores == "all stores"
    with read_session() as session:
        assert [r.trigger for r in session.exec(select(JobRun))] == ["manual"]


# --- pluggable senders ----------------------------------------------------------------------------


def record_sms(message: OutgoingMessage) -> None:
    """Test sender: keeps what it was given."""
    SENT_SMS.append(message)


def refuse_sms(message: OutgoingMessage) -> None:
    """Test sender: the gateway is down."""
    raise ConnectionError("gateway timed out")


SMS_SENDER = ChannelSender("sms", record_sms)
WHATSAPP_SENDER = ChannelSender("whatsapp", refuse_sms)
SMS_GATEWAY = Module(
    "smsgate",
    "SMS gateway",
    "1.0",
    "Sends SMS",
    contributions={"core.senders": ("tests.core.test_notifications:SMS_SENDER",)},
)
BROKEN_GATEWAY = Module(
    "whatsgate",
    "WhatsApp gateway",
    "1.0",
    "Sends WhatsApp",
    contributions={"core.senders": ("tests.core.test_notifications:WHATSAPP_SENDER",)},
)


@pytest.fixture
def gateways(db, registry):
    reg = sample_registry(SMS_GATEWAY, BROKEN_GATEWAY)
    set_registry(reg)
    return make_world(reg)


def test_a_modules_sender_delivers_its_channel_where_enabled(gateways):
    SENT_SMS.clear()
    sms = _queue(gateways.mum, "sms", "+91 98765 43210", subject="", body="Your ring is ready.")
    whatsapp = _queue(gateways.mum, "whatsapp", "+919876543210", subject="", body="Your ring is ready.")
    report = deliver_due()
    assert (report.sent, report.retrying) == (1, 1)
    assert [(m.id, m.recipient, m.body) for m in SENT_SMS] == [(sms, "+919876543210", "Your ring is ready.")]
    assert _message(sms).status == "sent"
    assert (_message(whatsapp).status, _message(whatsapp).last_error) == ("queued", "gateway timed out")


def test_no_sender_for_a_channel_keeps_the_message_queued(gateways):
    with unit_of_work() as session:
        disable_module(session, None, "smsgate", gateways.dl)
    message_id = _queue(gateways.dl, "sms", "+919876543210", subject="", body="Hello")
    assert deliver_due().waiting == 1
    row = _message(message_id)
    assert (row.status, row.attempts) == ("queued", 0)
    assert row.last_error == "No module that sends sms messages is enabled in this store."


# --- the outbox page's services, secrets, housekeeping ---------------------------------------


def test_retry_now_makes_a_failed_message_due_for_one_more_try(world):
    _configure_smtp(world, _closed_port())
    message_id = _queue(world.mum)
    with unit_of_work() as session:
        row = session.get(OutboxMessage, message_id)
        row.status, row.attempts = "failed", MAX_ATTEMPTS
        session.add(row)
    manager = world.actor("manager")
    with unit_of_work(world.actor("sales")) as session, pytest.raises(PermissionDenied):
        retry_now(session, world.actor("sales"), message_id)
    with unit_of_work(manager) as session, pytest.raises(NotFound):
        retry_now(session, world.actor("manager", world.dl), message_id)  # another store's message
    with unit_of_work(manager) as session:
        assert retry_now(session, manager, message_id).status == "queued"
    report = deliver_due(message_ids=[message_id])
    assert report.failed == 1 and message_id in report.errors
    assert _message(message_id).attempts == MAX_ATTEMPTS + 1


def test_outbox_list_is_for_managers_and_scoped_to_the_store(world):
    _queue(world.mum)
    _queue(world.dl, recipient="dev@example.com")
    with read_session() as session:
        rows, total = OUTBOX.fetch(session, world.actor("manager"), TableQuery())
        assert total == 1
        assert (rows[0]["recipient"], rows[0]["can_retry"]) == ("asha@example.com", "yes")
        assert rows[0]["status"].startswith("queued, try 1 at ")
        with pytest.raises(PermissionDenied):
            OUTBOX.fetch(session, world.actor("sales"), TableQuery())


def test_smtp_password_is_masked_in_the_audit_log(world):
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        set_setting(session, manager, world.mum, "core.smtp_password", "s3cret-pass")
        set_setting(session, manager, world.mum, "core.smtp_user", "shop@zaveri.in")
    with read_session() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.record_type == "core_store_setting")).all()
    changes = {row.record_id: json.loads(row.changes) for row in rows}
    assert changes[f"{world.mum}/core.smtp_password"]["value"] == [None, "••••"]
    assert changes[f"{world.mum}/core.smtp_user"]["value"] == [None, '"shop@zaveri.in"']
    assert "s3cret" not in "".join(row.changes for row in rows)


def test_housekeeping_drops_old_read_notices_and_sent_messages(world):
    old = utcnow() - timedelta(days=100)
    sales = world.actor("sales")
    with unit_of_work() as session:
        notify_staff(session, world.mum, role="sales", title="Old, unread")
        (read,) = notify_staff(session, world.mum, role="sales", title="Old, read")
        read.read_at = old
        for status in ("sent", "failed"):
            session.add(
                OutboxMessage(
                    store_id=world.mum, channel="email", recipient="a@b.in", body="x", status=status, sent_at=old
                )
            )
    with unit_of_work() as session:
        purge_stale_records(session, None)
    with read_session() as session:
        assert [n.title for n in notifications_for(session, sales)] == ["Old, unread"]
        assert [m.status for m in session.exec(select(OutboxMessage))] == ["failed"]
