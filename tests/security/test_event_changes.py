"""The event page's new handlers (edit, save, cancel the event, cancel a registration) used as an attacker would:
without a session, signed in to another store, without the permission, and with garbage arguments, each changes
nothing and tells nobody."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import SessionEnded
from jewelerp.notifications.models import OutboxMessage
from modules.events.event_page import EventState
from modules.events.models import Event, Registration
from modules.events.registrations import RegistrationInput, register
from tests.modules.events.conftest import make_event
from tests.security.test_account_handlers import _call, _page, _signed_in

CHANGES = {
    "kind": "trunk_show",
    "title": "Forged",
    "starts": "2030-01-01T10:00",
    "ends": "2030-01-01T12:00",
    "place": "Anywhere",
    "capacity": "1",
    "audience_vip": "on",
}
GARBAGE = (None, "", "-1", "0", "1e9", "' OR 1=1 --", "9" * 40, ["1"], {"id": 1}, 3.5)


def _setup(world) -> tuple[int, int]:
    """A MUM event of one place with Asha confirmed and Ravi waiting; returns (event id, Asha's registration id)."""
    event = make_event(world.actor("manager"), capacity="1")
    with unit_of_work() as session:
        row = session.get(Event, event.id)
        for name in ("Asha Mehta", "Ravi Shah"):
            email = f"{name.split()[0].lower()}@example.com"
            register(session, row, RegistrationInput(name, email, "", False))
    with read_session() as session:
        asha = session.exec(select(Registration).where(Registration.email == "asha@example.com")).one()
    return event.id, asha.id


def _outbox_count() -> int:
    with read_session() as session:
        return len(session.exec(select(OutboxMessage)).all())


def _unchanged(event_id: int, sent_before: int) -> None:
    with read_session() as session:
        event = session.get(Event, event_id)
        assert (event.title, event.capacity, event.cancelled_at) == ("Polki trunk show", 1, None)
        assert sorted(r.status for r in session.exec(select(Registration))) == ["confirmed", "waiting"]
    assert _outbox_count() == sent_before


def _handlers(registration_id: int) -> list[tuple[str, tuple]]:
    return [
        ("edit", ()),
        ("save", (CHANGES,)),
        ("open_call_off", ()),
        ("call_off", ({"reason": "Forged"},)),
        ("ask_cancel_registration", (str(registration_id),)),
        ("cancel_registration", (str(registration_id),)),
    ]


def _state(monkeypatch, event_id: int, cookie: str) -> EventState:
    monkeypatch.setattr(EventState, "_id", lambda self: event_id)  # the id the URL names
    return _page(EventState, cookie=cookie)


def test_without_a_session_no_handler_reads_or_changes_anything(world, monkeypatch):
    event_id, asha = _setup(world)
    sent = _outbox_count()
    for handler, args in _handlers(asha):
        state = _state(monkeypatch, event_id, "jewelerp_session=forged")
        with pytest.raises(SessionEnded):
            _call(state, handler, *args)
        assert (state.form_open, state.editing, state.calling_off, state.confirm_cancel) == (False, {}, False, "")
    _unchanged(event_id, sent)


@pytest.mark.parametrize(("who", "refusal"), [("sales@test.in", "permission"), ("designer@test.in", "permission")])
def test_staff_without_the_permission_change_nothing(world, monkeypatch, who, refusal):
    event_id, asha = _setup(world)
    sent = _outbox_count()
    for handler, args in _handlers(asha):
        state = _state(monkeypatch, event_id, _signed_in(who))
        _call(state, handler, *args)
        assert state.message_ok is False and refusal in state.message.lower(), (handler, state.message)
        assert (state.form_open, state.editing, state.calling_off, state.confirm_cancel) == (False, {}, False, "")
    _unchanged(event_id, sent)


def test_a_manager_of_another_store_finds_nothing(world, monkeypatch):
    event = make_event(world.actor("manager", world.dl), capacity="1")
    with unit_of_work() as session:
        register(session, session.get(Event, event.id), RegistrationInput("Asha Mehta", "asha@example.com", "", False))
    with read_session() as session:
        asha = session.exec(select(Registration.id)).one()
    for handler, args in _handlers(asha):
        if handler in {"open_call_off", "ask_cancel_registration"}:
            continue  # they only open a form of the page: the change itself is refused below
        state = _state(monkeypatch, event.id, _signed_in("manager@test.in"))  # working in Mumbai
        _call(state, handler, *args)
        assert state.message_ok is False and "does not exist" in state.message, (handler, state.message)
    with read_session() as session:
        row = session.get(Event, event.id)
        assert (row.title, row.cancelled_at) == ("Polki trunk show", None)
        assert session.exec(select(Registration.status)).one() == "confirmed"


def test_garbage_arguments_change_nothing(world, monkeypatch):
    event_id, _asha = _setup(world)
    sent = _outbox_count()
    manager = _signed_in("manager@test.in")
    for garbage in GARBAGE:
        state = _state(monkeypatch, event_id, manager)
        _call(state, "cancel_registration", garbage)
        assert state.message_ok is False, garbage
        _call(state, "ask_cancel_registration", garbage)
        _call(state, "call_off", garbage)  # not a form, or a form without a reason
        assert "reason" in state.errors
        _call(state, "save", {key: garbage for key in CHANGES} | {"audience_attended": garbage})
        assert state.errors
    _unchanged(event_id, sent)


def test_a_signed_in_manager_cancels_a_registration_after_confirming(world, monkeypatch):
    event_id, asha = _setup(world)
    state = _state(monkeypatch, event_id, _signed_in("manager@test.in"))
    _call(state, "load")
    _call(state, "ask_cancel_registration", str(asha))
    assert (state.confirm_cancel, state.confirm_name, state.confirm_list) == (str(asha), "Asha Mehta", "confirmed")
    _call(state, "cancel_registration", str(asha))
    assert state.message == "Asha Mehta's registration is cancelled." and state.confirm_cancel == ""
    with read_session() as session:
        assert {r.name: r.status for r in session.exec(select(Registration))} == {
            "Asha Mehta": "cancelled",
            "Ravi Shah": "confirmed",
        }
