"""The public event page: the event and its form, registering through it (the waiting list when full, the same
address twice), field errors beside the fields, the cancel link, and closed registration."""

from __future__ import annotations

import re

from sqlmodel import select

from jewelerp.core.module_states import disable_module
from jewelerp.db import read_session, unit_of_work
from jewelerp.testing import run_as
from modules.events.changes import cancel_event
from modules.events.models import Registration
from modules.events.services import set_registration_open
from tests.modules.events.conftest import make_event

ASHA = {"name": "Asha Mehta", "email": "asha@example.com", "phone": "", "consent": "yes"}


def test_the_page_shows_the_event_in_store_time_and_a_labelled_form(world, client):
    event = make_event(world.actor("manager"))
    page = client.get(f"/events/e/{event.public_token}")
    assert page.status_code == 200
    assert "Polki trunk show" in page.text and "18:00–20:00" in page.text and "Zaveri Bazaar showroom" in page.text
    for key in ("name", "email", "phone"):
        assert f'<label for="{key}">' in page.text and f'id="{key}"' in page.text
    assert "form-action 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_registering_then_the_waiting_list_then_the_same_address_again(world, client):
    event = make_event(world.actor("manager"), capacity="1")
    address = f"/events/e/{event.public_token}"
    first = client.post(address, data=ASHA)
    assert first.status_code == 200 and "you are registered" in first.text
    assert "The event is full" in client.get(address).text
    second = client.post(address, data={"name": "Ravi Shah", "email": "ravi@example.com"})
    assert "you are number 1 on the waiting list" in second.text
    again = client.post(address, data=ASHA)
    assert "asha@example.com is registered for this event already" in again.text
    with read_session() as session:
        assert [
            (r.email, r.status, r.consent) for r in session.exec(select(Registration).order_by(Registration.id))
        ] == [
            ("asha@example.com", "confirmed", True),
            ("ravi@example.com", "waiting", False),
        ]


def test_bad_input_shows_beside_the_fields_and_keeps_what_was_typed(world, client):
    event = make_event(world.actor("manager"))
    page = client.post(f"/events/e/{event.public_token}", data={"name": "Asha", "email": "asha-at-example"})
    assert page.status_code == 422
    assert re.search(r'id="email-error">Enter an e-mail address', page.text)
    assert 'value="Asha"' in page.text and 'value="asha-at-example"' in page.text
    with read_session() as session:
        assert session.exec(select(Registration)).all() == []


def test_the_cancel_link_asks_first_then_cancels_and_promotes(world, client):
    event = make_event(world.actor("manager"), capacity="1")
    client.post(f"/events/e/{event.public_token}", data=ASHA)
    client.post(f"/events/e/{event.public_token}", data={"name": "Ravi Shah", "email": "ravi@example.com"})
    with read_session() as session:
        token = session.exec(select(Registration.cancel_token).where(Registration.email == "asha@example.com")).one()
    asked = client.get(f"/events/cancel/{token}")
    assert "do you want to give up your place?" in asked.text
    with read_session() as session:
        assert {r.email: r.status for r in session.exec(select(Registration))}["asha@example.com"] == "confirmed"
    done = client.post(f"/events/cancel/{token}")
    assert "Your registration is cancelled" in done.text
    with read_session() as session:
        assert {r.email: r.status for r in session.exec(select(Registration))} == {
            "asha@example.com": "cancelled",
            "ravi@example.com": "confirmed",
        }
    assert "This registration is cancelled" in client.post(f"/events/cancel/{token}").text


def test_closed_registration_and_a_disabled_module(world, client):
    manager = world.actor("manager")
    event = make_event(manager)
    run_as(manager, set_registration_open, event.id, False)
    address = f"/events/e/{event.public_token}"
    assert "Registration for this event is closed." in client.get(address).text
    refused = client.post(address, data=ASHA)
    assert refused.status_code == 422 and "Registration for this event is closed." in refused.text
    with unit_of_work() as session:
        disable_module(session, None, "events", world.mum)
    assert client.get(address).status_code == 404


def test_one_client_may_send_ten_registrations_in_a_quarter_hour_then_is_refused_and_logged(world, client):
    from jewelerp.core.models import AuditLog

    event = make_event(world.actor("manager"), capacity="50")
    address = f"/events/e/{event.public_token}"
    for n in range(10):
        assert (
            "you are registered" in client.post(address, data={"name": f"Guest {n}", "email": f"g{n}@example.com"}).text
        )
    refused = client.post(address, data={"name": "Guest 10", "email": "g10@example.com"})
    assert refused.status_code == 422 and "Too many registrations from this connection" in refused.text
    with read_session() as session:
        assert len(session.exec(select(Registration).where(Registration.event_id == event.id)).all()) == 10
        logged = session.exec(select(AuditLog).where(AuditLog.record_type == "security")).all()
    assert [(r.record_id, r.action) for r in logged] == [("events.register", "refused")]


def _too_many_fields() -> dict:
    """A multipart body with more fields than the form takes (reading it is refused with 400)."""
    return {"files": {f"f{n}": (None, "x") for n in range(40)}}


def test_an_unknown_token_is_refused_before_the_form_is_read(world, client):
    event = make_event(world.actor("manager"))
    assert client.post(f"/events/e/{event.public_token}", **_too_many_fields()).status_code == 400  # read: refused
    for address in (f"/events/e/{'x' * 43}", f"/events/cancel/{'y' * 43}"):
        answer = client.post(address, **_too_many_fields())
        assert answer.status_code == 404 and "Not found" in answer.text  # not read at all
        garbage = client.post(
            address, content=b"--x\r\nnot a form", headers={"content-type": "multipart/form-data; boundary=x"}
        )
        assert garbage.status_code == 404
    with read_session() as session:
        assert session.exec(select(Registration)).all() == []


def test_a_cancelled_event_says_so_and_takes_nobody(world, client):
    manager = world.actor("manager")
    event = make_event(manager)
    client.post(f"/events/e/{event.public_token}", data=ASHA)
    run_as(manager, cancel_event, event.id, "The designer is unwell.")
    address = f"/events/e/{event.public_token}"
    page = client.get(address)
    assert "This event is cancelled. The designer is unwell." in page.text and 'name="email"' not in page.text
    refused = client.post(address, data={"name": "Ravi Shah", "email": "ravi@example.com"})
    assert refused.status_code == 422 and "Registration for this event is closed." in refused.text
    with read_session() as session:
        token = session.exec(select(Registration.cancel_token)).one()
    assert "This event is cancelled" in client.post(f"/events/cancel/{token}").text
    with read_session() as session:
        assert [(r.email, r.status) for r in session.exec(select(Registration))] == [("asha@example.com", "confirmed")]
