"""Creating an event and opening or closing its registration: validation, store time to UTC, permissions.
Changing or calling off an event later is in modules.events.changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, require_fields
from jewelerp.validation import check_lengths, read_int
from modules.events.audience import AudienceInput, clean_audience
from modules.events.models import Event
from modules.events.records import KIND_LABELS, MANAGE, get_event, new_token

MAX_CAPACITY = 5000
MAX_DAYS_AHEAD = 3 * 365


@dataclass
class EventInput:
    """What staff type into the event form, as text; ``audience`` holds segment keys, ``attended`` and
    ``registered`` the ids of the events whose attendees or registrants are invited too ("" for none)."""

    kind: str = ""
    title: str = ""
    description: str = ""
    starts: str = ""  # the store's local time, as a datetime-local input sends it: 2026-12-20T18:00
    ends: str = ""
    place: str = ""
    meeting_link: str = ""
    capacity: str = ""
    audience: list[str] = field(default_factory=list)
    attended: str = ""
    registered: str = ""
    registration_open: bool = True


def _local_moment(raw: str, actor: Actor, label: str, key: str, errors: dict[str, str]) -> datetime | None:
    """A store-local date and time typed as ``YYYY-MM-DDTHH:MM``, as aware UTC."""
    try:
        local = datetime.fromisoformat(raw.strip())
    except ValueError:
        errors[key] = f"{label}: enter a date and time, e.g. 2026-12-20 18:00."
        return None
    if local.tzinfo is not None or not 2000 <= local.year <= 2100:
        errors[key] = f"{label}: enter a date and time, e.g. 2026-12-20 18:00."
        return None
    return local.replace(tzinfo=ZoneInfo(actor.time_zone)).astimezone(ZoneInfo("UTC"))


def https_link_problem(link: str) -> str | None:
    """Why ``link`` is not a meeting address a customer can open (https, a host, no spaces), if it is not."""
    parts = urlsplit(link)
    if parts.scheme != "https" or not parts.hostname or any(ch.isspace() for ch in link) or "@" in parts.netloc:
        return "Enter the meeting's https address, e.g. https://meet.example.com/abc-defg."
    return None


def clean_event(session: Session, actor: Actor, data: EventInput, event_id: int = 0) -> dict:
    """The event's values from the form (``event_id``: the event being changed, 0 for a new one), or
    ValidationError with one message per field."""
    errors: dict[str, str] = {}
    values = {
        "kind": data.kind.strip(),
        "title": " ".join(data.title.split()),
        "description": data.description.strip(),
        "place": " ".join(data.place.split()),
        "meeting_link": data.meeting_link.strip(),
    }
    if values["kind"] not in KIND_LABELS:
        errors["kind"] = "Choose the kind of event."
    if not values["title"]:
        errors["title"] = "Give the event a title."
    starts = _local_moment(data.starts, actor, "Start", "starts", errors)
    ends = _local_moment(data.ends, actor, "End", "ends", errors)
    now = utcnow()
    if starts and starts < now:
        errors["starts"] = "The start is in the past."
    elif starts and (starts - now).days > MAX_DAYS_AHEAD:
        errors["starts"] = "The start is more than three years ahead."
    if starts and ends and ends <= starts:
        errors["ends"] = "The end must be after the start."
    if values["kind"] == "webinar":
        values["place"] = ""
        if problem := https_link_problem(values["meeting_link"]):
            errors["meeting_link"] = problem
    else:
        if not values["place"]:
            errors["place"] = "Say where the event takes place."
        if values["meeting_link"] and (problem := https_link_problem(values["meeting_link"])):
            errors["meeting_link"] = problem
    capacity = read_int(data.capacity, 1, MAX_CAPACITY)
    if capacity is None:
        errors["capacity"] = f"Capacity is a whole number of places from 1 to {MAX_CAPACITY}."
    chosen = AudienceInput(data.audience, data.attended, data.registered)
    audience = clean_audience(session, actor, chosen, event_id, errors)
    check_lengths(Event, {k: values[k] for k in ("title", "place", "meeting_link")}, errors)
    if len(values["description"]) > 4000:
        errors["description"] = "Keep the description to 4,000 characters."
    require_fields(errors)
    return values | {"starts_at": starts, "ends_at": ends, "capacity": capacity, "audience": audience.text()}


def create_event(session: Session, actor: Actor, data: EventInput) -> Event:
    """Create an event of the actor's store with its public page's token."""
    actor.require(MANAGE)
    values = clean_event(session, actor, data) | {"registration_open": data.registration_open}
    event = Event(store_id=actor.store_id, public_token=new_token(), created_by=actor.user_id, **values)
    session.add(event)
    session.flush()
    return event


def set_registration_open(session: Session, actor: Actor, event_id: int, is_open: bool) -> Event:
    """Open or close the event's registration (the public page then says so and takes nobody)."""
    event = get_event(session, actor, event_id, MANAGE)
    if event.cancelled_at is not None:
        raise JewelError("This event is cancelled: its registration stays closed.")
    event.registration_open = is_open
    session.add(event)
    session.flush()
    return event
