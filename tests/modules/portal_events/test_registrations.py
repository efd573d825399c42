"""Events on the portal: a signed-in customer sees their store's upcoming events, registers with their account's
details (linked to their customer, once however often they click), joins the waiting list of a full event, cancels,
and sees check-in; another customer's registration or another store's event is "not found"."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError
from jewelerp.testing import disable_with_dependents, run_as
from modules.events.checkin import check_in
from modules.events.models import Registration
from modules.events.services import set_registration_open
from modules.portal.access import NotYours, linked_customers
from modules.portal_events import registrations
from tests.modules.events.conftest import make_event
from tests.modules.portal.helpers import read_as, two_customers, write_as


def _overview(account_id: int):
    return read_as(account_id, registrations.overview)


def _register(account_id: int, event_id):
    return write_as(account_id, registrations.register, str(event_id), "198.51.100.9")


def _rows() -> list[tuple[int, str, int | None, str]]:
    with read_session() as session:
        rows = session.exec(select(Registration).order_by(Registration.id)).all()
        return [(r.event_id, r.email, r.customer_id, r.status) for r in rows]


def linked_customers_of(account_id: int) -> tuple[int, ...]:
    with read_session() as session:
        return linked_customers(session, account_id)


@pytest.fixture
def pair(world):
    return two_customers(world)


def test_a_customer_registers_once_linked_to_their_profile(world, pair):
    asha, _ravi = pair
    manager = world.actor("manager")
    show = make_event(manager, capacity="5")
    closed = make_event(manager, title="Closed preview")
    run_as(manager, lambda s, a: set_registration_open(s, a, closed.id, False))
    make_event(world.actor("manager", world.dl), title="Delhi bridal preview")

    (event,) = _overview(asha)["events"]
    assert (event["title"], event["registered"]) == ("Polki trunk show", "")
    first = _register(asha, show.id)
    again = _register(asha, show.id)  # a double click
    assert (first.status, first.again, again.again) == ("confirmed", False, True)
    (asha_customer,) = linked_customers_of(asha)
    assert _rows() == [(show.id, "asha@example.com", asha_customer, "confirmed")]
    view = _overview(asha)
    assert view["events"][0]["registered"] == "yes"
    (mine,) = view["registrations"]
    assert (mine["title"], mine["status"], mine["position"], mine["can_cancel"]) == (
        "Polki trunk show",
        "Confirmed",
        "",
        "yes",
    )


def test_a_full_event_queues_and_a_cancellation_frees_the_place(world, pair):
    asha, ravi = pair
    show = make_event(world.actor("manager"), capacity="1")
    _register(ravi, show.id)
    waiting = _register(asha, show.id)
    assert (waiting.status, waiting.position) == ("waiting", 1)
    assert _overview(asha)["registrations"][0]["position"] == "1"

    (ravis,) = _overview(ravi)["registrations"]
    assert write_as(ravi, registrations.cancel, ravis["id"]) is True
    assert write_as(ravi, registrations.cancel, ravis["id"]) is False
    (ashas,) = _overview(asha)["registrations"]
    assert (ashas["status"], ashas["position"]) == ("Confirmed", "")
    assert _overview(ravi)["registrations"][0]["can_cancel"] == ""


def test_check_in_at_the_door_shows_on_the_portal(world, pair):
    asha, _ravi = pair
    manager = world.actor("manager")
    show = make_event(manager)
    _register(asha, show.id)
    with read_session() as session:
        ticket = session.exec(select(Registration.ticket_token)).one()
    run_as(manager, lambda s, a: check_in(s, a, ticket))
    assert _overview(asha)["registrations"][0]["checked_in"] == "yes"


def test_another_customers_registration_or_another_stores_event_is_not_found(world, pair):
    asha, ravi = pair
    show = make_event(world.actor("manager"))
    delhi = make_event(world.actor("manager", world.dl), title="Delhi bridal preview")
    _register(ravi, show.id)
    (ravis,) = _overview(ravi)["registrations"]
    before = _rows()
    for forged in (ravis["id"], "0", "-1", "1 OR 1=1", "99999999999", ""):
        with pytest.raises(NotYours):
            write_as(asha, registrations.cancel, forged)
    for forged in (str(delhi.id), "0", "x", "99999999999"):
        with pytest.raises(NotYours):
            _register(asha, forged)
    assert _rows() == before


def test_a_store_without_events_says_so_and_registers_nobody(world, pair):
    asha, _ravi = pair
    show = make_event(world.actor("manager"))
    with unit_of_work() as session:
        disable_with_dependents(session, "events", world.mum)
    with pytest.raises(JewelError, match="does not offer its events"):
        _overview(asha)
    with pytest.raises(JewelError, match="does not offer its events"):
        _register(asha, show.id)
    assert _rows() == []
