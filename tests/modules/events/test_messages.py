"""What registrants receive: the confirmation with a correct calendar file (parsed back, times in UTC) and a QR
ticket that opens the check-in page; the reminder once, the day before."""

from __future__ import annotations

import io
from datetime import timedelta

import zxingcpp
from PIL import Image
from sqlmodel import select

from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.notifications import deliver_due
from jewelerp.notifications.models import OutboxMessage
from jewelerp.testing import send_mail_through
from modules.events.calendar import event_ics
from modules.events.jobs import remind
from modules.events.models import Event, Registration
from modules.events.registrations import RegistrationInput, register
from tests.modules.events.conftest import make_event


def _parse_ics(content: bytes) -> list[tuple[str, str]]:
    """Content lines (name with parameters, value) after unfolding, checking CRLF endings."""
    text = content.decode()
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    unfolded = text.replace("\r\n ", "")
    lines = []
    for line in unfolded.split("\r\n")[:-1]:
        name, _, value = line.partition(":")
        lines.append((name, value))
    return lines


def _register(event_id: int, name: str = "Asha Mehta", email: str = "asha@example.com"):
    with unit_of_work() as session:
        return register(session, session.get(Event, event_id), RegistrationInput(name, email, "", False))


def test_the_confirmation_mail_carries_the_calendar_file_and_the_qr_ticket(world, smtp_inbox):
    send_mail_through(smtp_inbox, world.mum)
    event = make_event(world.actor("manager"), description="Polki, jadau; and kundan.\nTea served.")
    _register(event.id)
    assert deliver_due().sent == 1
    mail = smtp_inbox.wait_for("asha@example.com")
    assert mail.mail["Subject"] == "You are registered: Polki trunk show"
    with read_session() as session:
        registration = session.exec(select(Registration)).one()
        stored = session.get(Event, event.id)
    assert f"http://localhost:8000/events/cancel/{registration.cancel_token}" in mail.text

    lines = _parse_ics(mail.attachment("event.ics"))
    fields = dict(lines)
    assert lines[0] == ("BEGIN", "VCALENDAR") and lines[-1] == ("END", "VCALENDAR")
    assert ("BEGIN", "VEVENT") in lines and fields["VERSION"] == "2.0" and fields["PRODID"]
    day = stored.starts_at.strftime("%Y%m%d")
    assert fields["DTSTART"] == f"{day}T123000Z"  # 18:00 in Mumbai
    assert fields["DTEND"] == f"{day}T143000Z"  # 20:00 in Mumbai
    assert fields["SUMMARY"] == "Polki trunk show"
    assert fields["LOCATION"] == "Zaveri Bazaar showroom\\, first floor"
    assert fields["DESCRIPTION"] == "Polki\\, jadau\\; and kundan.\\nTea served."
    assert fields["UID"].startswith(f"event-{event.id}-") and fields["UID"].endswith("@localhost")
    assert len(fields["DTSTAMP"]) == 16 and fields["DTSTAMP"].endswith("Z")

    ticket = Image.open(io.BytesIO(mail.attachment("ticket.png")))
    (code,) = zxingcpp.read_barcodes(ticket)
    assert code.text == f"http://localhost:8000/events/checkin/{registration.ticket_token}"


def test_long_lines_are_folded_at_75_octets(world):
    event = make_event(world.actor("manager"), title="Bridal " * 15 + "préview")
    content = event_ics(event, "shop.example.in", utcnow())
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))
    summary = dict(_parse_ics(content))["SUMMARY"]
    assert summary == ("Bridal " * 15 + "préview").strip()


def test_a_webinar_calendar_entry_has_the_meeting_address(world):
    event = make_event(
        world.actor("manager"), kind="webinar", place="", meeting_link="https://meet.example.com/abc-defg"
    )
    fields = dict(_parse_ics(event_ics(event, "shop.example.in", utcnow())))
    assert fields["URL"] == "https://meet.example.com/abc-defg"
    assert fields["LOCATION"] == "https://meet.example.com/abc-defg"


def _move_start(event_id: int, ahead: timedelta) -> None:
    with unit_of_work() as session:
        event = session.get(Event, event_id)
        event.starts_at, event.ends_at = utcnow() + ahead, utcnow() + ahead + timedelta(hours=2)
        session.add(event)


def _reminders() -> list[str]:
    with read_session() as session:
        stmt = select(OutboxMessage.recipient).where(OutboxMessage.source == "events.reminder")
        return list(session.exec(stmt))


def test_each_confirmed_registrant_is_reminded_once_the_day_before(world):
    manager = world.actor("manager")
    event = make_event(manager, capacity="1")
    _register(event.id)
    _register(event.id, "Ravi Shah", "ravi@example.com")  # waiting: no reminder
    job = world.actor("admin")
    assert _run_job(job) == 0  # five days ahead: not yet
    _move_start(event.id, timedelta(hours=20))
    assert _run_job(job) == 1
    assert _run_job(job) == 0  # never twice
    assert _reminders() == ["asha@example.com"]
    with read_session() as session:
        (message,) = session.exec(select(OutboxMessage).where(OutboxMessage.source == "events.reminder")).all()
    assert message.subject == "Reminder: Polki trunk show"


def test_a_started_event_sends_no_reminder(world):
    event = make_event(world.actor("manager"))
    _register(event.id)
    _move_start(event.id, timedelta(minutes=-5))
    assert _run_job(world.actor("admin")) == 0


def _run_job(actor) -> int:
    with unit_of_work(actor) as session:
        return remind(session, actor)


def test_a_webinar_link_goes_only_to_registrants_and_needs_no_ticket(world, smtp_inbox):
    send_mail_through(smtp_inbox, world.mum)
    link = "https://meet.example.com/abc-defg"
    event = make_event(world.actor("manager"), kind="webinar", place="", meeting_link=link)
    _register(event.id, "Asha Mehta", "asha@example.com")
    _register(event.id, "Ravi Shah", "ravi@example.com")
    _register(event.id, "Neha Rao", "neha@example.com")  # the third of two places waits
    assert deliver_due().sent == 3
    confirmed = smtp_inbox.wait_for("asha@example.com")
    assert f"Where: Online: {link}" in confirmed.text
    assert [p.get_filename() for p in confirmed.mail.iter_attachments()] == ["event.ics"]
    assert link not in smtp_inbox.wait_for("neha@example.com").text
