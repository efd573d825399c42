"""Staff change an event before it starts (more places go to the waiting list in order, fewer than the confirmed
are refused, registrants hear only of a new date, time, place or link), call it off (everyone told once, nothing
deleted, nobody registers or is invited after), and cancel a registration for someone who phoned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from jewelerp.notifications.models import OutboxMessage
from jewelerp.testing import run_as
from modules.events.api import customer_registrations, upcoming_events
from modules.events.changes import cancel_event, cancel_registration, edit_values, update_event
from modules.events.checkin import check_in
from modules.events.event_form import event_input as form_input
from modules.events.invitations import send_invitations
from modules.events.jobs import remind
from modules.events.models import Event, Registration
from modules.events.registrations import RegistrationClosed, RegistrationInput, register
from modules.events.services import set_registration_open
from tests.modules.events.conftest import customer, event_input, local_at, make_event

PEOPLE = ("Asha Mehta", "Ravi Shah", "Neha Rao", "Kiran Das", "Meera Iyer")


def _register(event_id: int, name: str) -> None:
    data = RegistrationInput(name, f"{name.split()[0].lower()}@example.com", "", True)
    with unit_of_work() as session:
        register(session, session.get(Event, event_id), data)


def _full_event(manager, capacity: int = 2):
    """An event of ``capacity`` places with everyone of PEOPLE registered (the rest waiting, in that order)."""
    event = make_event(manager, capacity=str(capacity))
    for name in PEOPLE:
        _register(event.id, name)
    return event


def _mail(source: str) -> list[str]:
    with read_session() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.source == source).order_by(OutboxMessage.id)
        return [m.recipient for m in session.exec(stmt)]


def _statuses(event_id: int) -> dict[str, str]:
    with read_session() as session:
        rows = session.exec(select(Registration).where(Registration.event_id == event_id))
        return {r.name.split()[0]: r.status for r in rows}


def _edit(manager, event_id: int, **changes: str) -> Event:
    """Open the edit form as it starts, change ``changes`` and save, as the event page does."""
    form = run_as(manager, edit_values, event_id) | changes
    return run_as(manager, update_event, event_id, form_input(form))


def test_more_places_go_to_the_waiting_list_in_order_and_each_is_told(world):
    manager = world.actor("manager")
    event = _full_event(manager)
    _edit(manager, event.id, capacity="4")
    assert _statuses(event.id) == {
        "Asha": "confirmed",
        "Ravi": "confirmed",
        "Neha": "confirmed",
        "Kiran": "confirmed",
        "Meera": "waiting",
    }
    assert _mail("events.promoted") == ["neha@example.com", "kiran@example.com"]
    assert _mail("events.changed") == []  # only the capacity changed


def test_fewer_places_than_confirmed_are_refused_beside_the_capacity(world):
    manager = world.actor("manager")
    event = _full_event(manager, capacity=3)
    with pytest.raises(ValidationError) as refused:
        _edit(manager, event.id, capacity="2", title="Renamed")
    assert refused.value.fields == {"capacity": "3 people hold a confirmed place: the capacity cannot be less than 3."}
    with read_session() as session:
        assert (session.get(Event, event.id).capacity, session.get(Event, event.id).title) == (3, "Polki trunk show")
    assert _edit(manager, event.id, capacity="3", title="Renamed").capacity == 3  # as many as confirmed is fine


def test_registrants_hear_of_a_new_time_or_place_but_not_of_a_new_title(world):
    manager = world.actor("manager")
    event = _full_event(manager)
    _edit(manager, event.id, title="Polki and jadau trunk show", description="Now with jadau.")
    assert _mail("events.changed") == []
    _edit(manager, event.id, starts=local_at(manager, 6, 17), ends=local_at(manager, 6, 19))
    everyone = [f"{name.split()[0].lower()}@example.com" for name in PEOPLE]
    assert _mail("events.changed") == everyone  # confirmed and waiting, once each
    with read_session() as session:
        message = session.exec(select(OutboxMessage).where(OutboxMessage.source == "events.changed")).first()
    assert "17:00–19:00" in message.body and message.subject == "Details changed: Polki and jadau trunk show"


def test_promoted_people_get_their_confirmation_not_a_change_notice(world):
    manager = world.actor("manager")
    event = _full_event(manager)
    _edit(manager, event.id, place="Bandra showroom", capacity="3")
    assert _mail("events.promoted") == ["neha@example.com"]
    assert _mail("events.changed") == ["asha@example.com", "ravi@example.com", "kiran@example.com", "meera@example.com"]


def test_only_managers_edit_an_event_of_their_store_before_it_starts(world):
    manager = world.actor("manager")
    event = make_event(manager)
    with pytest.raises(PermissionDenied):
        run_as(world.actor("sales"), update_event, event.id, event_input(manager, title="Sales edit"))
    with pytest.raises(NotFound):
        run_as(world.actor("manager", world.dl), update_event, event.id, event_input(manager, title="Delhi edit"))
    with unit_of_work() as session:
        row = session.get(Event, event.id)
        row.starts_at = row.starts_at.replace(year=2020)
        session.add(row)
    with pytest.raises(JewelError, match="has started"):
        _edit(manager, event.id, title="Too late")
    with read_session() as session:
        assert session.get(Event, event.id).title == "Polki trunk show"


def test_cancelling_an_event_tells_everyone_once_and_keeps_the_records(world):
    manager = world.actor("manager")
    event = _full_event(manager, capacity=3)
    with unit_of_work() as session:  # Meera left the waiting list herself: she is not told
        row = session.exec(select(Registration).where(Registration.email == "meera@example.com")).one()
        row.status = "cancelled"
        session.add(row)
    with pytest.raises(ValidationError) as refused:
        run_as(manager, cancel_event, event.id, "   ")
    assert set(refused.value.fields) == {"reason"}
    assert run_as(manager, cancel_event, event.id, "The designer is unwell.") == 4
    told = ["asha@example.com", "ravi@example.com", "neha@example.com", "kiran@example.com"]
    assert _mail("events.cancelled") == told
    with read_session() as session:
        message = session.exec(select(OutboxMessage).where(OutboxMessage.source == "events.cancelled")).first()
        assert "The designer is unwell." in message.body
        assert len(session.exec(select(Registration)).all()) == 5  # nothing deleted
    with pytest.raises(JewelError, match="cancelled"):
        run_as(manager, cancel_event, event.id, "Again")
    assert _mail("events.cancelled") == told  # told once


def test_a_cancelled_event_takes_no_registration_invitation_reminder_or_reopening(world):
    manager = world.actor("manager")
    customer(manager, "Lata Joshi", "vip", consent_email=True)
    event = make_event(manager)
    _register(event.id, "Asha Mehta")
    run_as(manager, cancel_event, event.id, "Venue flooded.")
    with pytest.raises(RegistrationClosed):
        _register(event.id, "Ravi Shah")
    with pytest.raises(JewelError, match="cancelled"):
        run_as(manager, send_invitations, event.id)
    with pytest.raises(JewelError, match="cancelled"):
        run_as(manager, set_registration_open, event.id, True)
    with pytest.raises(JewelError, match="cancelled"):
        _edit(manager, event.id, title="Back on")
    with unit_of_work() as session:  # the day before: still no reminder
        row = session.get(Event, event.id)
        row.starts_at, row.ends_at = utcnow() + timedelta(hours=12), utcnow() + timedelta(hours=14)
        session.add(row)
    assert run_as(manager, remind) == 0
    assert _mail("events.invitation") == []
    with read_session() as session:
        ticket = session.exec(select(Registration.ticket_token)).one()
    with pytest.raises(JewelError, match="cancelled"):
        run_as(world.actor("sales"), check_in, ticket)


def test_the_portal_sees_the_event_cancelled(world):
    manager = world.actor("manager")
    event = make_event(manager)
    _register(event.id, "Asha Mehta")
    asha = customer(manager, "Asha Mehta", "vip")
    with unit_of_work() as session:
        row = session.exec(select(Registration)).one()
        row.customer_id = asha
        session.add(row)
    run_as(manager, cancel_event, event.id, "Venue flooded.")
    with read_session() as session:
        (mine,) = customer_registrations(session, [asha])
        assert (mine.status, mine.can_cancel) == ("Event cancelled", False)
        assert upcoming_events(session, world.mum) == []


def test_staff_cancel_a_registration_and_the_first_waiting_gets_the_place(world):
    manager = world.actor("manager")
    event = _full_event(manager)
    with read_session() as session:
        ravi = session.exec(select(Registration).where(Registration.email == "ravi@example.com")).one().id
    assert run_as(manager, cancel_registration, ravi).status == "cancelled"
    assert _statuses(event.id)["Neha"] == "confirmed" and _statuses(event.id)["Kiran"] == "waiting"
    assert _mail("events.promoted") == ["neha@example.com"]
    assert _mail("events.unregistered") == ["ravi@example.com"]  # the one who phoned is told it is done
    with pytest.raises(JewelError, match="cancelled already"):
        run_as(manager, cancel_registration, ravi)
    assert _mail("events.promoted") == ["neha@example.com"]
    assert _mail("events.unregistered") == ["ravi@example.com"]


def test_staff_cancel_needs_the_permission_and_a_registration_of_the_store(world):
    event = _full_event(world.actor("manager"))
    with read_session() as session:
        asha = session.exec(select(Registration).where(Registration.email == "asha@example.com")).one().id
    with pytest.raises(PermissionDenied):
        run_as(world.actor("sales"), cancel_registration, asha)
    with pytest.raises(NotFound):
        run_as(world.actor("manager", world.dl), cancel_registration, asha)
    with pytest.raises(NotFound):
        run_as(world.actor("manager"), cancel_registration, 999_999)
    assert _statuses(event.id)["Asha"] == "confirmed"


def test_a_new_start_is_reminded_again_the_day_before(world):
    manager = world.actor("manager")
    event = make_event(manager)
    _register(event.id, "Asha Mehta")
    with unit_of_work() as session:
        row = session.get(Event, event.id)
        row.starts_at, row.ends_at = utcnow() + timedelta(hours=12), utcnow() + timedelta(hours=14)
        session.add(row)
    assert run_as(manager, remind) == 1
    _edit(manager, event.id, starts=local_at(manager, 3, 18), ends=local_at(manager, 3, 20))
    assert run_as(manager, remind) == 0  # not the day before any more
    with unit_of_work() as session:
        row = session.get(Event, event.id)
        row.starts_at, row.ends_at = utcnow() + timedelta(hours=10), utcnow() + timedelta(hours=12)
        session.add(row)
    assert run_as(manager, remind) == 1
