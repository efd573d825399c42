"""Creating events: validation beside each field, times stored in UTC from the store's zone, permissions, and
another store's event not found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from jewelerp.db import read_session
from jewelerp.errors import NotFound, PermissionDenied, ValidationError
from jewelerp.testing import run_as
from modules.events.models import Event
from modules.events.records import get_event
from modules.events.services import create_event, set_registration_open
from tests.modules.events.conftest import event_input, local_at, make_event


def _refused(actor, **fields) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        make_event(actor, **fields)
    with read_session() as session:
        assert session.exec(select(Event)).all() == []
    return refused.value.fields


def test_an_event_is_stored_in_utc_from_the_stores_time(world):
    manager = world.actor("manager")
    event = make_event(manager)
    day = manager.today().toordinal() + 5
    start = datetime.fromordinal(day).replace(hour=12, minute=30, tzinfo=UTC)  # 18:00 in Mumbai is 12:30 UTC
    with read_session() as session:
        stored = session.get(Event, event.id)
        assert stored.starts_at == start
        assert (stored.ends_at - stored.starts_at).total_seconds() == 2 * 3600
        assert (stored.capacity, stored.audience, stored.store_id) == (2, "vip", world.mum)
        assert len(stored.public_token) == 43  # 256 random bits


def test_end_before_start_is_refused(world):
    manager = world.actor("manager")
    fields = _refused(manager, ends=local_at(manager, 5, 17))
    assert fields == {"ends": "The end must be after the start."}


@pytest.mark.parametrize("capacity", ["0", "-3", "", "2.5", "many", "100000"])
def test_capacity_must_be_at_least_one_place(world, capacity):
    assert set(_refused(world.actor("manager"), capacity=capacity)) == {"capacity"}


@pytest.mark.parametrize(
    "link",
    [
        "",
        "http://meet.example.com/abc",
        "javascript:alert(1)",
        "https://",
        "https://meet.example.com/a b",
        "https://user@evil.example.com/",
        "meet.example.com/abc",
    ],
)
def test_a_webinar_needs_an_https_meeting_link(world, link):
    fields = _refused(world.actor("manager"), kind="webinar", place="", meeting_link=link)
    assert set(fields) == {"meeting_link"}


def test_a_webinar_keeps_its_link_and_no_place(world):
    event = make_event(world.actor("manager"), kind="webinar", meeting_link="https://meet.example.com/abc-defg")
    assert (event.place, event.meeting_link) == ("", "https://meet.example.com/abc-defg")


def test_in_store_events_need_a_place_a_kind_a_title_and_a_future_start(world):
    manager = world.actor("manager")
    fields = _refused(manager, kind="gala", title=" ", place="", starts=local_at(manager, -1, 10))
    assert set(fields) == {"kind", "title", "place", "starts"}
    assert set(_refused(manager, starts="tomorrow evening")) == {"starts"}
    assert set(_refused(manager, audience=["vip", "everyone"])) == {"audience"}


def test_only_managers_create_events_and_sales_may_see_them(world):
    event = make_event(world.actor("manager"))
    with pytest.raises(PermissionDenied):
        run_as(world.actor("sales"), lambda s, a: create_event(s, a, event_input(a)))
    with pytest.raises(PermissionDenied):
        run_as(world.actor("sales"), set_registration_open, event.id, False)
    assert run_as(world.actor("sales"), get_event, event.id).title == "Polki trunk show"
    with pytest.raises(PermissionDenied):
        run_as(world.actor("designer"), get_event, event.id)


def test_another_stores_event_is_not_found(world):
    event = make_event(world.actor("manager"))
    with pytest.raises(NotFound):
        run_as(world.actor("manager", world.dl), get_event, event.id)
    with pytest.raises(NotFound):
        run_as(world.actor("manager", world.dl), set_registration_open, event.id, False)


def test_closing_registration_is_kept(world):
    manager = world.actor("manager")
    event = make_event(manager)
    assert run_as(manager, set_registration_open, event.id, False).registration_open is False
    with read_session() as session:
        assert session.get(Event, event.id).registration_open is False
