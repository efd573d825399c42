"""The calendar file (RFC 5545 iCalendar, one VEVENT) sent with a registration's confirmation.

Times are written in UTC (``DTSTART:20261220T123000Z``), text is escaped (backslash, semicolon, comma, line
breaks) and lines longer than 75 octets are folded, lines end with CRLF. The UID is the event's, so a calendar
that imports a second confirmation (after a waiting-list promotion) updates the entry instead of adding one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from modules.events.models import Event

PRODID = "-//JewelERP//Events//EN"
FOLD_AT = 75


def _text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\n").replace("\n", "\\n")
    )


def _moment(value: datetime) -> str:
    """A UTC DATE-TIME (form 2, with the ``Z``)."""
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """The content line split into pieces of at most 75 octets, each continuation starting with a space."""
    pieces, current = [], b""
    for char in line:
        encoded = char.encode()
        limit = FOLD_AT if not pieces else FOLD_AT - 1
        if len(current) + len(encoded) > limit:
            pieces.append(current.decode())
            current = b""
        current += encoded
    pieces.append(current.decode())
    return "\r\n ".join(pieces)


def event_ics(event: Event, host: str, stamp: datetime) -> bytes:
    """The iCalendar file of ``event`` (``host`` names the app in the UID; ``stamp`` is when it was made)."""
    location = event.place or event.meeting_link
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:event-{event.id}-{event.public_token[:12]}@{host}",
        f"DTSTAMP:{_moment(stamp)}",
        f"DTSTART:{_moment(event.starts_at)}",
        f"DTEND:{_moment(event.ends_at)}",
        f"SUMMARY:{_text(event.title)}",
        f"LOCATION:{_text(location)}",
        f"DESCRIPTION:{_text(event.description or event.title)}",
    ]
    if event.meeting_link:
        lines.append(f"URL:{event.meeting_link}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
