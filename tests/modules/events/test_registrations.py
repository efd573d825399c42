"""Registering: confirmed while places last, then the waiting list; cancelling promotes the first waiting;
the same person twice is one registration; a customer is linked only through their own invitation link."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, ValidationError
from jewelerp.notifications.models import OutboxMessage
from jewelerp.testing import run_as
from modules.events.detail import event_view, link_customer
from modules.events.invitations import send_invitations
from modules.events.models import Event, Invitation, Registration
from modules.events.registrations import RegistrationClosed, RegistrationInput, cancel, register
from modules.events.services import set_registration_open
from tests.modules.events.conftest import customer, make_event


def _register(event_id: int, name: str, email: str = "", phone: str = "", invitation: str = ""):
    data = RegistrationInput(name, email or f"{name.split()[0].lower()}@example.com", phone, True)
    with unit_of_work() as session:
        return register(session, session.get(Event, event_id), data, invitation)


def _mail(source: str) -> list[str]:
    with read_session() as session:
        return [m.recipient for m in session.exec(select(OutboxMessage).where(OutboxMessage.source == source))]


def _status(email: str) -> str:
    with read_session() as session:
        return session.exec(select(Registration).where(Registration.email == email)).one().status


def test_places_then_the_waiting_list_and_a_cancellation_promotes_the_first_waiting(world):
    event = make_event(world.actor("manager"), capacity="2")
    assert _register(event.id, "Asha Mehta").status == "confirmed"
    assert _register(event.id, "Ravi Shah").status == "confirmed"
    third = _register(event.id, "Neha Rao")
    fourth = _register(event.id, "Kiran Das")
    assert (third.status, third.position, fourth.status, fourth.position) == ("waiting", 1, "waiting", 2)
    assert _mail("events.confirmation") == ["asha@example.com", "ravi@example.com"]
    assert _mail("events.waiting") == ["neha@example.com", "kiran@example.com"]

    with unit_of_work() as session:
        ravi = session.exec(select(Registration).where(Registration.email == "ravi@example.com")).one()
        assert cancel(session, ravi) is True
    assert [_status(f"{n}@example.com") for n in ("ravi", "neha", "kiran")] == ["cancelled", "confirmed", "waiting"]
    assert _mail("events.promoted") == ["neha@example.com"]
    with unit_of_work() as session:
        assert (
            cancel(session, session.exec(select(Registration).where(Registration.email == "ravi@example.com")).one())
            is False
        )
    assert _mail("events.promoted") == ["neha@example.com"]  # cancelling twice frees nothing more


def test_the_same_person_registering_twice_is_one_registration_and_one_mail(world):
    event = make_event(world.actor("manager"))
    first = _register(event.id, "Asha Mehta", "Asha@Example.com", "+91 98200 12345")
    again = _register(event.id, "Asha M", "asha@example.com")
    by_phone = _register(event.id, "Asha", "asha.other@example.com", "98200 12345")
    assert (first.again, again.again, by_phone.again) == (False, True, True)
    with read_session() as session:
        assert len(session.exec(select(Registration)).all()) == 1
    assert _mail("events.confirmation") == ["asha@example.com"]


def test_someone_who_cancelled_may_register_again(world):
    event = make_event(world.actor("manager"))
    _register(event.id, "Asha Mehta")
    with unit_of_work() as session:
        cancel(session, session.exec(select(Registration)).one())
    assert _register(event.id, "Asha Mehta").status == "confirmed"
    assert _status("asha@example.com") == "confirmed"


def test_bad_input_and_closed_registration_register_nobody(world):
    manager = world.actor("manager")
    event = make_event(manager)
    with pytest.raises(ValidationError) as refused:
        _register(event.id, " ", "not-an-address", "12")
    assert set(refused.value.fields) == {"name", "email", "phone"}
    run_as(manager, set_registration_open, event.id, False)
    with pytest.raises(RegistrationClosed):
        _register(event.id, "Asha Mehta")
    with read_session() as session:
        assert session.exec(select(Registration)).all() == []


def test_only_the_customers_own_invitation_link_links_the_registration(world):
    manager = world.actor("manager")
    asha = customer(manager, "Asha Mehta", "vip", consent_email=True)
    event = make_event(manager, capacity="5")
    other = make_event(manager, title="Bridal preview", kind="bridal_preview")
    run_as(manager, send_invitations, event.id)
    run_as(manager, send_invitations, other.id)
    with read_session() as session:
        token = session.exec(select(Invitation.token).where(Invitation.event_id == event.id)).one()
        other_token = session.exec(select(Invitation.token).where(Invitation.event_id == other.id)).one()

    _register(event.id, "Asha Mehta", "asha@example.com")  # her own address, typed: not linked
    _register(event.id, "Friend", "friend@example.com", invitation=other_token)  # another event's link
    _register(event.id, "Guest", "guest@example.com", invitation="x" * 43)  # a made-up token
    _register(event.id, "Asha's sister", "sister@example.com", invitation=token)  # her link, forwarded
    with read_session() as session:
        linked = {r.email: r.customer_id for r in session.exec(select(Registration))}
    assert linked == {
        "asha@example.com": None,
        "friend@example.com": None,
        "guest@example.com": None,
        "sister@example.com": asha,
    }


def test_staff_link_a_registration_to_a_customer_later(world):
    manager = world.actor("manager")
    asha = customer(manager, "Asha Mehta", "vip")
    event = make_event(manager)
    _register(event.id, "Asha Mehta")
    with read_session() as session:
        registration_id = session.exec(select(Registration.id)).one()
    assert run_as(manager, link_customer, registration_id, asha).customer_id == asha
    with pytest.raises(JewelError, match="no customer #999"):
        run_as(manager, link_customer, registration_id, 999)
    view = run_as(manager, event_view, event.id)
    assert view["confirmed"][0]["customer"] == f"#{asha}"


def test_the_event_page_masks_contacts_for_staff_without_pii(world):
    event = make_event(world.actor("manager"))
    _register(event.id, "Asha Mehta", "asha@example.com", "+91 98200 12345")
    full = run_as(world.actor("manager"), event_view, event.id)["confirmed"][0]
    masked = run_as(world.actor("sales"), event_view, event.id)["confirmed"][0]
    assert full["email"] == "asha@example.com" and "12345" in full["phone"]
    assert masked["email"] != "asha@example.com" and "12345" not in masked["phone"]


def test_a_started_event_cannot_be_cancelled(world):
    event = make_event(world.actor("manager"))
    _register(event.id, "Asha Mehta")
    with unit_of_work() as session:
        row = session.get(Event, event.id)
        row.starts_at = row.starts_at.replace(year=2020)
        session.add(row)
    with pytest.raises(JewelError, match="started"), unit_of_work() as session:
        cancel(session, session.exec(select(Registration)).one())
    assert _status("asha@example.com") == "confirmed"


def test_two_people_at_once_for_the_last_place_get_one_place_and_one_wait(world):
    event = make_event(world.actor("manager"), capacity="1")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(name: str) -> None:
        start.wait()
        outcomes.append(_register(event.id, name).status)

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("Asha Mehta", "Ravi Shah")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["confirmed", "waiting"]
