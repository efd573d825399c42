"""The events pages' handlers and public routes, used as an attacker would: handlers without a session change
nothing; forged tokens (event page, cancel link, check-in ticket) get a plain "not found" and are logged; the
public page never shows who else registered."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reflex.istate.data import ReflexURL
from sqlmodel import select

from jewelerp.core.models import AuditLog
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import SessionEnded
from modules.events.checkin_page import CheckInState
from modules.events.event_page import EventState
from modules.events.models import Event, Invitation, Registration
from modules.events.pages import EventsTable
from modules.events.registrations import RegistrationInput, register
from tests.modules.events.conftest import client, customer, make_event  # noqa: F401 - the client fixture
from tests.security.test_account_handlers import _call, _page, _signed_in

NEW_EVENT = {
    "kind": "trunk_show",
    "title": "Forged",
    "starts": "2030-01-01T10:00",
    "ends": "2030-01-01T12:00",
    "place": "Anywhere",
    "capacity": "5",
    "audience_vip": "on",
}


def _with_ticket(state: CheckInState, token: str) -> CheckInState:
    state.router = replace(state.router, url=ReflexURL(f"http://localhost:3000/events/checkin/{token}"))
    return state


def _registered(event_id: int, name: str, email: str) -> Registration:
    with unit_of_work() as session:
        register(session, session.get(Event, event_id), RegistrationInput(name, email, "+91 98200 12345", True))
        return session.exec(select(Registration).where(Registration.email == email)).one()


def _refusals(kind: str) -> list[AuditLog]:
    with read_session() as session:
        stmt = select(AuditLog).where(AuditLog.record_type == "security", AuditLog.action == "refused")
        return [row for row in session.exec(stmt) if kind in str(row.changes)]


@pytest.mark.parametrize(
    ("state_class", "handler", "args"),
    [
        (EventsTable, "open_page", ()),
        (EventsTable, "add", (NEW_EVENT,)),
        (EventState, "load", ()),
        (EventState, "invite", ()),
        (EventState, "toggle_registration", ()),
        (EventState, "link", ({"registration": "1", "customer": "1"},)),
        (CheckInState, "load", ()),
        (CheckInState, "check_in", ()),
    ],
)
def test_without_a_session_a_handler_changes_nothing(world, state_class, handler, args):
    manager = world.actor("manager")
    customer(manager, "Asha Mehta", "vip", consent_email=True)
    event = make_event(manager)
    registration = _registered(event.id, "Ravi Shah", "ravi@example.com")
    state = _page(state_class, cookie="jewelerp_session=forged")
    if state_class is CheckInState:
        _with_ticket(state, registration.ticket_token)
    with pytest.raises(SessionEnded):
        _call(state, handler, *args)
    with read_session() as session:
        assert [e.title for e in session.exec(select(Event))] == ["Polki trunk show"]
        assert session.get(Event, event.id).registration_open is True
        assert session.exec(select(Invitation)).all() == []
        row = session.exec(select(Registration)).one()
        assert (row.checked_in_at, row.customer_id) == (None, None)
    assert getattr(state, "shown", {}) == {}


def test_a_forged_ticket_is_not_found_and_logged(world):
    event = make_event(world.actor("manager"))
    real = _registered(event.id, "Ravi Shah", "ravi@example.com").ticket_token
    for forged in ("x" * 43, real[:-2] + "zz", "../../etc/passwd", "' OR 1=1 --"):
        state = _with_ticket(_page(CheckInState, cookie=_signed_in("sales@test.in")), forged)
        _call(state, "check_in")
        assert (state.found, state.shown) == (False, {})
        assert state.message == "No such ticket for an event of this store."
    assert len(_refusals("checkin")) == 4
    with read_session() as session:
        assert session.exec(select(Registration)).one().checked_in_at is None


def test_a_ticket_of_another_store_is_not_found(world):
    event = make_event(world.actor("manager", world.dl))
    token = _registered(event.id, "Ravi Shah", "ravi@example.com").ticket_token
    state = _with_ticket(_page(CheckInState, cookie=_signed_in("manager@test.in")), token)  # working in Mumbai
    _call(state, "load")
    _call(state, "check_in")
    assert (state.found, state.shown) == (False, {})
    with read_session() as session:
        assert session.exec(select(Registration)).one().checked_in_at is None


def test_a_signed_in_salesperson_checks_a_ticket_in_once(world):
    event = make_event(world.actor("manager"))
    token = _registered(event.id, "Ravi Shah", "ravi@example.com").ticket_token
    state = _with_ticket(_page(CheckInState, cookie=_signed_in("sales@test.in")), token)
    _call(state, "load")
    assert (state.found, state.shown["name"], state.shown["checked_in"]) == (True, "Ravi Shah", "")
    _call(state, "check_in")
    first = state.shown["checked_in"]
    assert first and state.message == f"Ravi Shah is checked in at {first}."
    _call(state, "check_in")
    assert state.message == f"Already checked in at {first}." and state.message_ok is False


def test_forged_public_tokens_answer_a_plain_not_found_and_are_logged(world, client):  # noqa: F811
    event = make_event(world.actor("manager"))
    registration = _registered(event.id, "Ravi Shah", "ravi@example.com")
    addresses = [
        f"/events/e/{'x' * 43}",
        f"/events/e/{event.public_token[:-1]}",
        f"/events/cancel/{registration.ticket_token}",  # a ticket is not a cancel link
        f"/events/cancel/{event.public_token}",
    ]
    for address in addresses:
        for answer in (client.get(address), client.post(address, data={"name": "X", "email": "x@example.com"})):
            assert answer.status_code == 404 and "Not found" in answer.text
            assert "Polki" not in answer.text and "Ravi" not in answer.text
    assert len(_refusals("event")) + len(_refusals("cancel")) == 8
    with read_session() as session:
        assert [r.status for r in session.exec(select(Registration))] == ["confirmed"]


def test_the_public_page_never_shows_other_registrants(world, client):  # noqa: F811
    event = make_event(world.actor("manager"), capacity="1")
    _registered(event.id, "Ravi Shah", "ravi@example.com")
    pages = [
        client.get(f"/events/e/{event.public_token}").text,
        client.post(f"/events/e/{event.public_token}", data={"name": "Asha", "email": "asha@example.com"}).text,
        # someone typing Ravi's address learns nothing more than that it is registered
        client.post(f"/events/e/{event.public_token}", data={"name": "Eve", "email": "ravi@example.com"}).text,
        client.post(
            f"/events/e/{event.public_token}",
            data={"name": "Eve", "email": "eve@example.com", "phone": "+91 98200 12345"},
        ).text,
    ]
    for text in pages:
        assert "Ravi" not in text and "98200" not in text
    assert "ravi@example.com" not in pages[0] + pages[1] + pages[3]
