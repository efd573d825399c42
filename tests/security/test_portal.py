"""The portal's handlers and routes, called as anyone with a websocket or a browser can: without a portal session
they only send the browser to the portal's sign-in page (a staff session is no portal session); with one they
never show or change another customer's records: those answer "Not found." and are logged."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.db import read_session
from jewelerp.errors import AuthError
from modules.clienteling.models import Customer as CustomerRow
from modules.portal import identity
from modules.portal import records_pages as pages
from modules.portal.routes import routes
from modules.portal.sessions import PORTAL_COOKIE, begin_session
from modules.portal.sign_in_pages import PortalEntryState
from tests.modules.portal.helpers import IP, mailed_code, portal_refusals
from tests.modules.portal.shoppers import shared_at_estimate, shoppers
from tests.security.test_account_handlers import _call, _page, _signed_in

HANDLERS = [
    (pages.PortalHomeState, "load", ()),
    (pages.PortalInvoicesState, "load", ()),
    (pages.PortalInvoicesState, "download", ("1",)),
    (pages.PortalPiecesState, "load", ()),
    (pages.PortalRepairsState, "load", ()),
    (pages.PortalSchemesState, "load", ()),
    (pages.PortalWishlistState, "load", ()),
    (pages.PortalWishlistState, "add", ({"wish_text": "A stolen wish"},)),
    (pages.PortalWishlistState, "remove", ("1",)),
    (pages.PortalOccasionsState, "load", ()),
    (pages.PortalOccasionsState, "add", ({"occasion_label": "Forged", "occasion_date": "2027-01-01"},)),
    (pages.PortalConsentState, "load", ()),
    (pages.PortalConsentState, "change", ("sms", True)),
    (pages.PortalConsentState, "send_phone_code", ()),
    (pages.PortalConsentState, "confirm_phone", ({"phone_code": "123456"},)),
]


@pytest.fixture
def pair(world):
    return shoppers(world)


def _cookie_of(world, email: str) -> str:
    identity.request_code(world.mum, "email", email, IP)
    ticket = identity.sign_in(world.mum, "email", email, mailed_code(email), IP)
    return f"{PORTAL_COOKIE}={begin_session(ticket)}"


def _snapshot() -> list[tuple]:
    with read_session() as session:
        rows = session.exec(select(CustomerRow).order_by(CustomerRow.id)).all()
        return [(r.id, r.consent_sms, r.consent_sms_at) for r in rows]


@pytest.mark.parametrize(("state_class", "handler", "args"), HANDLERS)
def test_without_a_portal_session_a_handler_only_goes_to_sign_in(pair, state_class, handler, args):
    before = _snapshot()
    for cookie in ("", f"{PORTAL_COOKIE}=forged", _signed_in("manager@test.in")):  # a staff session is no portal one
        state = _page(state_class, cookie=cookie)
        result = _call(state, handler, *args)
        assert "/portal/sign-in" in str(result)
        assert state.customer_name == "" and getattr(state, "rows", []) == []
    assert _snapshot() == before


def test_another_customers_invoice_is_not_found_and_logged(world, pair):
    asha, ravi = pair
    state = _page(pages.PortalInvoicesState, cookie=_cookie_of(world, "asha@example.com"))
    for forged in (str(ravi.invoice_id), "0", "../1", "99999999999"):
        assert _call(state, "download", forged) is None
        assert state.message == "Not found."
    assert len(portal_refusals()) == 4
    assert _call(state, "download", str(asha.invoice_id)) is not None


def test_another_customers_wish_stays_and_the_try_is_logged(world, pair):
    _asha, ravi = pair
    state = _page(pages.PortalWishlistState, cookie=_cookie_of(world, "asha@example.com"))
    _call(state, "remove", str(ravi.wish_id))
    assert state.message == "Not found."
    ravi_state = _page(pages.PortalWishlistState, cookie=_cookie_of(world, "ravi@example.com"))
    _call(ravi_state, "load")
    assert [row["id"] for row in ravi_state.rows] == [str(ravi.wish_id)]
    assert any(str(ravi.wish_id) in refusal for refusal in portal_refusals())


def test_each_page_shows_only_the_signed_in_customers_records(world, pair):
    asha, ravi = pair
    cookie = _cookie_of(world, "asha@example.com")
    for state_class, key, mine, theirs in (
        (pages.PortalInvoicesState, "id", asha.invoice_id, ravi.invoice_id),
        (pages.PortalRepairsState, "id", asha.job_id, ravi.job_id),
        (pages.PortalPiecesState, "sku", asha.piece_sku, ravi.piece_sku),
        (pages.PortalWishlistState, "id", asha.wish_id, ravi.wish_id),
    ):
        state = _page(state_class, cookie=cookie)
        _call(state, "load")
        shown = [row[key] for row in state.rows]
        assert str(mine) in shown and str(theirs) not in shown
    schemes = _page(pages.PortalSchemesState, cookie=cookie)
    _call(schemes, "load")
    assert len(schemes.schemes) == 1


def test_a_forged_consent_channel_is_not_found(world, pair):
    before = _snapshot()
    state = _page(pages.PortalConsentState, cookie=_cookie_of(world, "asha@example.com"))
    _call(state, "change", "carrier pigeon", True)
    assert state.message == "Not found." and _snapshot() == before


def test_the_code_form_checks_nothing_before_a_code_was_asked_for(world, pair):
    state = _page(PortalEntryState)
    assert _call(state, "enter_code", {"code": "123456"}) is None
    assert state.errors == {}


def test_a_bad_confirmation_link_or_sign_in_ticket_is_refused_and_logged(world, pair):
    client = TestClient(Starlette(routes=routes()))
    response = client.get("/api/portal/session/begin?ticket=forged", follow_redirects=False)
    assert response.status_code == 400 and PORTAL_COOKIE not in response.headers.get("set-cookie", "")
    with pytest.raises(AuthError):
        identity.confirm("forged-token", IP)
    assert len(portal_refusals()) == 2


def test_a_job_photo_is_served_only_to_its_customer_and_only_while_shared(world, pair, tmp_path):
    asha, ravi = pair
    mine, unshared = shared_at_estimate(world, asha.job_id, tmp_path)
    theirs, _unshared = shared_at_estimate(world, ravi.job_id, tmp_path)
    client = TestClient(Starlette(routes=routes(tmp_path)))
    for cookie in ("", f"{PORTAL_COOKIE}=forged", _signed_in("manager@test.in")):  # a staff session is no portal one
        response = client.get(f"/api/portal/photo/{mine}", headers={"cookie": cookie})
        assert (response.status_code, response.text) == (404, "Not found.")
    assert portal_refusals() == []
    cookie = _cookie_of(world, "asha@example.com")
    for forged in (theirs, unshared, "999999", "1%20OR%201=1"):
        response = client.get(f"/api/portal/photo/{forged}", headers={"cookie": cookie})
        assert (response.status_code, response.text) == (404, "Not found.")
    refusals = portal_refusals()
    assert len(refusals) == 4 and "job photo not of this customer" in refusals[0] and f'"{theirs}"' in refusals[0]
    own = client.get(f"/api/portal/photo/{mine}", headers={"cookie": cookie})
    assert own.status_code == 200 and own.content.startswith(b"\xff\xd8")
    assert own.headers["content-type"] == "image/jpeg" and own.headers["cache-control"] == "private, no-cache"
    state = _page(pages.PortalRepairsState, cookie=cookie)
    _call(state, "load")
    assert list(state.photos) == [str(asha.job_id)]
    assert [p["src"].endswith(f"/api/portal/photo/{mine}") for p in state.photos[str(asha.job_id)]] == [True]
