"""The portal's events page called as anyone with a websocket can: without a portal session its handlers only
send the browser to sign in; with one, another customer's registration or another store's event answers
"Not found.", is logged, and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jewelerp.db import read_session
from modules.events.models import Registration
from modules.portal.sessions import PORTAL_COOKIE
from modules.portal_events.page import PortalEventsState
from tests.modules.events.conftest import make_event
from tests.modules.portal.helpers import portal_refusals, two_customers
from tests.security.test_account_handlers import _call, _page, _signed_in
from tests.security.test_portal import _cookie_of

HANDLERS = [("load", ()), ("register", ("1",)), ("cancel", ("1",))]


@pytest.fixture
def show(world):
    two_customers(world)
    return make_event(world.actor("manager"))


def _registrations() -> list[tuple[int, str, str]]:
    with read_session() as session:
        return [(r.id, r.email, r.status) for r in session.exec(select(Registration).order_by(Registration.id))]


@pytest.mark.parametrize(("handler", "args"), HANDLERS)
def test_without_a_portal_session_an_events_handler_only_goes_to_sign_in(world, show, handler, args):
    for cookie in ("", f"{PORTAL_COOKIE}=forged", _signed_in("manager@test.in")):
        state = _page(PortalEventsState, cookie=cookie)
        assert "/portal/sign-in" in str(_call(state, handler, *args))
        assert state.events == [] and state.registrations == []
    assert _registrations() == []


def test_another_customers_registration_or_store_is_not_found_and_logged(world, show):
    ravi = _page(PortalEventsState, cookie=_cookie_of(world, "ravi@example.com"))
    _call(ravi, "register", str(show.id))
    (theirs,) = ravi.registrations
    delhi = make_event(world.actor("manager", world.dl), title="Delhi bridal preview")
    before = _registrations()

    asha = _page(PortalEventsState, cookie=_cookie_of(world, "asha@example.com"))
    _call(asha, "load")
    assert asha.registrations == [] and [e["title"] for e in asha.events] == ["Polki trunk show"]
    for handler, forged in (("cancel", theirs["id"]), ("cancel", "../1"), ("register", str(delhi.id))):
        _call(asha, handler, forged)
        assert asha.message == "Not found."
    assert _registrations() == before
    assert len(portal_refusals()) == 3
