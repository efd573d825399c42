"""The portal's cases page called as anyone with a websocket can: without a portal session its handlers only send
the browser to sign in; with one, another customer's case id answers "Not found.", is logged, and changes
nothing."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from jewelerp.db import read_session
from modules.clienteling.models import CaseNote, ServiceCase
from modules.portal.cases_page import PortalCasesState
from modules.portal.sessions import PORTAL_COOKIE
from tests.modules.portal.helpers import portal_refusals, two_customers
from tests.security.test_account_handlers import _call, _page, _signed_in
from tests.security.test_portal import _cookie_of

HANDLERS = [
    ("load", ()),
    ("open_case", ({"kind": "complaint", "subject": "Forged", "text": "Forged"},)),
    ("reply", ("1", {"reply": "Forged"})),
]


@pytest.fixture
def pair(world):
    return two_customers(world)


def _thread() -> list[tuple[int, str]]:
    with read_session() as session:
        return [(n.case_id, n.text) for n in session.exec(select(CaseNote).order_by(CaseNote.id))]


def _cases() -> int:
    with read_session() as session:
        return len(session.exec(select(ServiceCase)).all())


@pytest.mark.parametrize(("handler", "args"), HANDLERS)
def test_without_a_portal_session_a_case_handler_only_goes_to_sign_in(world, pair, handler, args):
    before = (_cases(), _thread())
    for cookie in ("", f"{PORTAL_COOKIE}=forged", _signed_in("manager@test.in")):
        state = _page(PortalCasesState, cookie=cookie)
        assert "/portal/sign-in" in str(_call(state, handler, *args))
        assert state.cases == [] and state.customer_name == ""
    assert (_cases(), _thread()) == before


def test_another_customers_case_is_not_found_logged_and_untouched(world, pair):
    ravi = _page(PortalCasesState, cookie=_cookie_of(world, "ravi@example.com"))
    _call(ravi, "open_case", {"kind": "enquiry", "subject": "Ring size", "text": "Do you resize rings?"})
    (theirs,) = ravi.cases
    before = _thread()

    asha = _page(PortalCasesState, cookie=_cookie_of(world, "asha@example.com"))
    _call(asha, "load")
    assert asha.cases == []
    for forged in (theirs["id"], "0", "../1", "99999999999"):
        _call(asha, "reply", forged, {"reply": "Hijacked"})
        assert asha.message == "Not found."
    assert _thread() == before
    refused = [json.loads(row) for row in portal_refusals()]
    assert [row["ref"][1] for row in refused] == [theirs["id"], "0", "../1", "99999999999"]
    assert refused[0]["reason"][1] == "case not of this customer"
