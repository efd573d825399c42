"""What the customer receives, queued in the platform's outbox: the invitation, the confirmation (with the
calendar file and the QR ticket), the waiting-list notice, the promotion out of it, the reminder, and the notices
that the event's details changed or that it is cancelled.

The invitation goes only on channels the customer consented to in clienteling (the audience's contacts come
from :func:`modules.clienteling.api.marketing_audience`). Everything else answers someone who registered on the
public page and goes to the e-mail address they typed there.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import Session

from jewelerp.core.models import Store
from jewelerp.db import utcnow
from jewelerp.errors import ValidationError
from jewelerp.notifications import Attachment, queue_message
from jewelerp.notifications.models import OutboxMessage
from jewelerp.qr import qr_png
from modules.events.calendar import event_ics
from modules.events.models import Event, Registration
from modules.events.records import KIND_LABELS, cancel_url, check_in_url, event_url, public_base

log = logging.getLogger(__name__)


def _store(session: Session, event: Event) -> Store:
    return session.get_one(Store, event.store_id)


def when_text(event: Event, time_zone: str) -> str:
    """The event's date and times in the store's zone: ``Sun 20 Dec 2026, 18:00–20:00``."""
    zone = ZoneInfo(time_zone)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %d %b %Y, %H:%M}"
    return f"{start:%a %d %b %Y, %H:%M}–{end_text}"


def where_text(event: Event, with_link: bool = False) -> str:
    """Where it happens: the place, or "Online" (with the meeting's address for those who have a place)."""
    if event.place:
        return event.place
    return f"Online: {event.meeting_link}" if with_link else "Online (the link comes with your confirmation)"


def _about(session: Session, event: Event, with_link: bool = False) -> list[str]:
    store = _store(session, event)
    return [
        f"{KIND_LABELS.get(event.kind, 'Event')}: {event.title}",
        f"When: {when_text(event, store.time_zone)}",
        f"Where: {where_text(event, with_link)}",
    ]


def _queue(
    session: Session,
    event: Event,
    channel: str,
    recipient: str,
    subject: str,
    lines: list[str],
    source: str,
    files: tuple[Attachment, ...] = (),
) -> OutboxMessage | None:
    """Queue one message; a contact the outbox refuses (a malformed old number) is logged and skipped."""
    try:
        return queue_message(session, event.store_id, channel, recipient, subject, "\n".join(lines), source, files)
    except ValidationError as err:
        log.warning("events: message for event %s not sent by %s: %s", event.id, channel, err.message)
        return None


def queue_invitation(
    session: Session, event: Event, name: str, channels: tuple[tuple[str, str], ...], token: str
) -> list[str]:
    """Invite one customer on each consented channel; returns the channels the outbox took."""
    store = _store(session, event)
    lines = [f"Dear {name},", f"{store.name} invites you to an event.", *_about(session, event)]
    lines.append(f"Register here: {event_url(session, event, token)}")
    subject = f"Invitation: {event.title}"
    return [ch for ch, to in channels if _queue(session, event, ch, to, subject, lines, "events.invitation")]


def _ticket_files(session: Session, event: Event, registration: Registration) -> tuple[Attachment, ...]:
    """The calendar file, and for an event with a door (not a webinar) the QR ticket."""
    host = urlsplit(public_base(session, event.store_id)).hostname or "jewelerp"
    calendar = Attachment("event.ics", "text/calendar", event_ics(event, host, utcnow()))
    if not event.place:
        return (calendar,)
    return calendar, Attachment("ticket.png", "image/png", qr_png(check_in_url(session, registration)))


def queue_confirmation(session: Session, event: Event, registration: Registration, promoted: bool = False) -> None:
    """Tell a registrant their place is confirmed, with the calendar file and the QR ticket."""
    opening = "A place has opened up for you." if promoted else "Your place is confirmed."
    lines = [
        f"Dear {registration.name},",
        opening,
        *_about(session, event, with_link=True),
        "Show the attached QR ticket at the entrance." if event.place else "Join at the address above.",
        f"Cannot come? Cancel here so someone else can take your place: {cancel_url(session, registration)}",
    ]
    subject = f"{'A place opened up' if promoted else 'You are registered'}: {event.title}"
    source = "events.promoted" if promoted else "events.confirmation"
    files = _ticket_files(session, event, registration)
    _queue(session, event, "email", registration.email, subject, lines, source, files)


def queue_waiting(session: Session, event: Event, registration: Registration, position: int) -> None:
    """Tell a registrant the event is full and where they are on the waiting list."""
    lines = [
        f"Dear {registration.name},",
        f"The event is full. You are number {position} on the waiting list; we will write as soon as a place opens.",
        *_about(session, event),
        f"No longer interested? Leave the waiting list here: {cancel_url(session, registration)}",
    ]
    _queue(session, event, "email", registration.email, f"Waiting list: {event.title}", lines, "events.waiting")


def queue_reminder(session: Session, event: Event, registration: Registration) -> None:
    """Remind a confirmed registrant the day before."""
    lines = [
        f"Dear {registration.name},",
        "A reminder: we look forward to seeing you.",  # sent within the day before, not always on the eve
        *_about(session, event, with_link=True),
        f"Cannot come? Please cancel here: {cancel_url(session, registration)}",
    ]
    _queue(session, event, "email", registration.email, f"Reminder: {event.title}", lines, "events.reminder")


def queue_details_changed(session: Session, event: Event, registration: Registration) -> None:
    """Tell a registrant (confirmed or waiting) that the event's date, time, place or link changed, with the new
    details and, for a confirmed place, the updated calendar file."""
    confirmed = registration.status == "confirmed"
    lines = [
        f"Dear {registration.name},",
        "The details of an event you registered for have changed. The event now is:",
        *_about(session, event, with_link=confirmed),
        f"Cannot come now? Cancel here: {cancel_url(session, registration)}",
    ]
    files = _ticket_files(session, event, registration) if confirmed else ()
    subject = f"Details changed: {event.title}"
    _queue(session, event, "email", registration.email, subject, lines, "events.changed", files)


def queue_event_cancelled(session: Session, event: Event, registration: Registration) -> None:
    """Tell a registrant (confirmed or waiting) that the event is called off, and why."""
    lines = [
        f"Dear {registration.name},",
        "We are sorry: this event is cancelled.",
        *_about(session, event),
        f"Reason: {event.cancel_reason}",
        "Your registration is void; there is nothing you need to do.",
    ]
    subject = f"Cancelled: {event.title}"
    _queue(session, event, "email", registration.email, subject, lines, "events.cancelled")


def queue_registration_cancelled(session: Session, event: Event, registration: Registration) -> None:
    """Tell a registrant that the store cancelled their registration (they asked it to): their place is freed."""
    lines = [
        f"Dear {registration.name},",
        "As you asked, the store has cancelled your registration for this event; your place is freed.",
        *_about(session, event),
        "Changed your mind? Register again on the event's page while places are free.",
    ]
    subject = f"Registration cancelled: {event.title}"
    _queue(session, event, "email", registration.email, subject, lines, "events.unregistered")
