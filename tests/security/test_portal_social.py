"""Customers' provider sign-in, attacked: a portal flow never becomes a staff session, linking needs the customer's
own live portal session from this site, and the linked-accounts handlers act only for the signed-in customer."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from jewelerp.auth.models import ExternalIdentity, OAuthFlow
from jewelerp.auth.oidc import SignInRefused, start_flow
from jewelerp.core.models import AuthSession
from jewelerp.db import read_session, unit_of_work
from modules.portal.models import PortalIdentity
from modules.portal.social_page import PortalAccountsState
from tests.modules.portal.helpers import portal_refusals, signed_up
from tests.modules.portal.social_helpers import (
    PortalBrowser,
    identities,
    portal_token,
    went_to,
)
from tests.oidc_provider import TestProvider
from tests.security.test_account_handlers import _call, _page, _signed_in


def _flows() -> int:
    with read_session() as session:
        return len(session.exec(select(OAuthFlow)).all())


def _staff_sessions() -> int:
    with read_session() as session:
        return len(session.exec(select(AuthSession)).all())


def test_a_portal_flow_never_signs_in_the_staff_user_the_account_is_linked_to(world, google: TestProvider):
    with unit_of_work() as session:
        session.add(ExternalIdentity(user_id=world.users["sales"], provider="google", subject="g-sales"))
    google.add_user("g-sales", "sales.person@gmail.com", email_verified=True)
    before = _staff_sessions()
    answer = PortalBrowser(google).sign_in("g-sales", store=str(world.mum))
    assert went_to(answer)[0] == "/portal"
    assert "jewelerp_session" not in answer.cookies and _staff_sessions() == before


@pytest.mark.parametrize(
    "headers", [{}, {"sec-fetch-site": "cross-site"}], ids=["no portal session", "another site's page"]
)
def test_linking_needs_a_live_portal_session_started_from_this_site(world, google: TestProvider, headers):
    signed_up(world.mum, "Asha Rao", "asha@example.com")
    token = portal_token(world, "asha@example.com") if headers else ""
    answer = PortalBrowser(google, token).client.get("/api/portal/oauth/google/start?link=1", headers=headers)
    assert went_to(answer) == ("/portal/sign-in", {"error": "signed_out", "provider": "google"})
    assert _flows() == 0


def test_a_provider_customers_do_not_use_and_an_unknown_purpose_start_nothing(world, google: TestProvider):
    for name in ("microsoft", "evil"):
        answer = PortalBrowser(google).start(name, store=str(world.mum))
        assert went_to(answer)[1]["error"] == "not_configured"
    with pytest.raises(SignInRefused) as refused:
        asyncio.run(start_flow("google", "ghost", "/", "http://x/cb", "192.0.2.1"))
    assert refused.value.code == "not_configured"
    assert _flows() == 0


def test_an_expired_portal_flow_goes_back_to_the_portal_not_to_staff_sign_in(world, google: TestProvider):
    google.add_user("g-asha", "asha@example.com")
    browser = PortalBrowser(google)
    answer = browser.consent(browser.start(store=str(world.mum)), "g-asha")
    with unit_of_work() as session:
        for flow in session.exec(select(OAuthFlow)):
            session.delete(flow)
    assert went_to(browser.callback(answer)) == ("/portal/sign-in", {"error": "expired", "provider": "google"})


def test_the_linked_accounts_handlers_act_for_the_signed_in_customer_only(world, google: TestProvider):
    signed_up(world.mum, "Asha Rao", "asha@example.com")
    ravi = signed_up(world.mum, "Ravi Menon", "ravi@example.com")
    with unit_of_work() as session:
        session.add(PortalIdentity(account_id=ravi, store_id=world.mum, provider="google", subject="g-ravi"))
    ravis_link = identities()

    for cookie in ("", "jewelerp_portal=forged", _signed_in("manager@test.in")):
        state = _page(PortalAccountsState, cookie=cookie)
        for handler, args in (("load", ()), ("unlink", ("1",)), ("link_with", ("google",))):
            assert "/portal/sign-in" in str(_call(state, handler, *args))
        assert state.linked == []

    state = _page(PortalAccountsState, cookie=f"jewelerp_portal={portal_token(world, 'asha@example.com')}")
    _call(state, "load")
    assert state.linked == [] and [p["name"] for p in state.can_link] == ["google"]
    with read_session() as session:
        (link_id,) = session.exec(select(PortalIdentity.id)).all()
    for forged in (str(link_id), "0", "../1", {"id": 1}):
        _call(state, "unlink", forged)
        assert state.message == "Not found."
    assert identities() == ravis_link and len(portal_refusals()) == 4
    assert _call(state, "link_with", "facebook") is None  # not set up: nothing starts
