"""Check-in at the door: once, with the time of the first scan on a second; only confirmed registrations; only
staff holding ``events.checkin`` in the event's store; a forged ticket is not found."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, NotFound, PermissionDenied
from jewelerp.testing import run_as
from modules.events.checkin import check_in, ticket_for
from modules.events.customer import customer_events
from modules.events.models import Event, Registration
from modules.events.registrations import RegistrationInput, register
from tests.modules.events.conftest import customer, make_event


def _ticket(event_id: int, name: str = "Asha Mehta", email: str = "asha@example.com") -> str:
    with unit_of_work() as session:
        register(session, session.get(Event, event_id), RegistrationInput(name, email, "", False))
        return session.exec(select(Registration.ticket_token).where(Registration.email == email)).one()


def test_a_ticket_is_checked_in_once(world):
    sales = world.actor("sales")
    token = _ticket(make_event(world.actor("manager")).id)
    before = run_as(sales, ticket_for, token)
    assert (before.name, before.status, before.checked_in) == ("Asha Mehta", "confirmed", "")
    done = run_as(sales, check_in, token)
    assert done.checked_in  # hh:mm in the store's zone
    with pytest.raises(JewelError, match=f"Already checked in at {done.checked_in}"):
        run_as(world.actor("manager"), check_in, token)
    with read_session() as session:
        row = session.exec(select(Registration)).one()
        assert row.checked_in_by == world.users["sales"]


def test_a_waiting_registration_is_not_checked_in(world):
    event = make_event(world.actor("manager"), capacity="1")
    _ticket(event.id)
    waiting = _ticket(event.id, "Ravi Shah", "ravi@example.com")
    with pytest.raises(JewelError, match="waiting list"):
        run_as(world.actor("sales"), check_in, waiting)


def test_forged_tickets_and_another_stores_tickets_are_not_found(world):
    token = _ticket(make_event(world.actor("manager")).id)
    for forged in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "../../etc", ""):
        with pytest.raises(NotFound):
            run_as(world.actor("sales"), check_in, forged)
    with pytest.raises(NotFound):
        run_as(world.actor("manager", world.dl), check_in, token)


def test_check_in_needs_the_permission(world):
    token = _ticket(make_event(world.actor("manager")).id)
    with pytest.raises(PermissionDenied):
        run_as(world.actor("designer"), check_in, token)
    with pytest.raises(PermissionDenied):
        run_as(world.actor("designer"), ticket_for, token)
    with read_session() as session:
        assert session.exec(select(Registration)).one().checked_in_at is None


def test_the_customer_360_page_lists_registrations_and_attendance(world):
    manager = world.actor("manager")
    asha = customer(manager, "Asha Mehta", "vip")
    token = _ticket(make_event(manager).id)
    with unit_of_work() as session:
        row = session.exec(select(Registration)).one()
        row.customer_id = asha
        session.add(row)
    section = run_as(manager, customer_events, asha)
    assert section["title"] == "Events"
    assert [(r["event"], r["status"], r["came"]) for r in section["rows"]] == [("Polki trunk show", "Confirmed", "")]
    run_as(manager, check_in, token)
    assert run_as(manager, customer_events, asha)["rows"][0]["came"] == "Came"
    assert run_as(world.actor("designer"), customer_events, asha) is None  # may not see events
    assert run_as(world.actor("manager", world.dl), customer_events, asha) is None  # another store's events
