"""Attendance and registrations feed an event's audience: "customers who came to <a past event>" reaches only
those checked in at its door, "customers who registered for <an event>" only registrations linked to a customer
and not cancelled, and either only those who consented to a channel; the chosen events must be this store's."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import ValidationError
from jewelerp.notifications.models import OutboxMessage
from jewelerp.testing import run_as
from modules.events.checkin import check_in
from modules.events.detail import event_view
from modules.events.invitations import send_invitations
from modules.events.models import Event, Registration
from modules.events.registrations import RegistrationInput, cancel, register
from tests.modules.events.conftest import customer, make_event


def _registered(event_id: int, name: str, customer_id: int | None) -> Registration:
    """``name`` registered for the event, linked to ``customer_id`` (as staff link one they recognise)."""
    email = f"{name.split()[0].lower()}@example.com"
    with unit_of_work() as session:
        register(session, session.get(Event, event_id), RegistrationInput(name, email, "", True))
        row = session.exec(select(Registration).where(Registration.event_id == event_id, Registration.email == email))
        registration = row.one()
        registration.customer_id = customer_id
        session.add(registration)
        return registration


def _in_the_past(event_id: int) -> None:
    with unit_of_work() as session:
        row = session.get(Event, event_id)
        row.starts_at, row.ends_at = row.starts_at.replace(year=2025), row.ends_at.replace(year=2025)
        session.add(row)


def _invited() -> list[str]:
    with read_session() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.source == "events.invitation").order_by(OutboxMessage.id)
        return [m.recipient for m in session.exec(stmt)]


def test_an_audience_of_attendees_reaches_only_consenting_attendees(world):
    manager, sales = world.actor("manager"), world.actor("sales")
    came = customer(manager, "Asha Mehta", "new", consent_email=True)
    came_no_consent = customer(manager, "Ravi Shah", "new")
    stayed_away = customer(manager, "Neha Rao", "new", consent_email=True)
    preview = make_event(manager, capacity="10", audience=[])
    for name, customer_id in (("Asha Mehta", came), ("Ravi Shah", came_no_consent), ("Neha Rao", stayed_away)):
        registration = _registered(preview.id, name, customer_id)
        if customer_id != stayed_away:
            run_as(sales, check_in, registration.ticket_token)
    _registered(preview.id, "Walk In", None)  # came, but is no customer
    _in_the_past(preview.id)

    evening = make_event(manager, title="Diamond care clinic", audience=[], attended=str(preview.id))
    assert run_as(manager, send_invitations, evening.id).invited == 1
    assert _invited() == ["asha@example.com"]
    assert "who came to Polki trunk show" in run_as(manager, event_view, evening.id)["audience"]


def test_an_audience_of_registrants_leaves_out_cancelled_ones_and_joins_segments_once(world):
    manager = world.actor("manager")
    asha = customer(manager, "Asha Mehta", "vip", consent_email=True)  # in the segment and registered: once
    ravi = customer(manager, "Ravi Shah", "new", consent_email=True)
    neha = customer(manager, "Neha Rao", "new", consent_email=True)
    customer(manager, "Kiran Das", "vip", consent_email=True)
    show = make_event(manager, capacity="10", audience=[])
    for name, customer_id in (("Asha Mehta", asha), ("Ravi Shah", ravi), ("Neha Rao", neha)):
        _registered(show.id, name, customer_id)
    with unit_of_work() as session:
        cancel(session, session.exec(select(Registration).where(Registration.customer_id == neha)).one())

    follow_up = make_event(manager, title="Bridal preview", audience=["vip"], registered=str(show.id))
    assert run_as(manager, send_invitations, follow_up.id).invited == 3
    assert _invited() == ["asha@example.com", "ravi@example.com", "kiran@example.com"]


@pytest.mark.parametrize("choice", ["attended", "registered"])
def test_the_chosen_event_must_be_one_of_this_store(world, choice):
    manager = world.actor("manager")
    delhi = make_event(world.actor("manager", world.dl))
    _in_the_past(delhi.id)
    for bad in (str(delhi.id), "999999", "abc", "-1"):
        with pytest.raises(ValidationError) as refused:
            make_event(manager, **{choice: bad})
        assert set(refused.value.fields) == {f"audience_{choice}"}
    with read_session() as session:
        assert len(session.exec(select(Event)).all()) == 1


def test_only_an_event_that_took_place_has_attendees_to_invite(world):
    manager = world.actor("manager")
    upcoming = make_event(manager)
    with pytest.raises(ValidationError) as refused:
        make_event(manager, title="Clinic", attended=str(upcoming.id))
    assert refused.value.fields == {"audience_attended": "Choose an event of this store that has taken place."}
