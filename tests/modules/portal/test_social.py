"""Customers sign in to the portal with Google, Facebook or LinkedIn: a verified address registers or signs in,
an unverified one only once linked from a signed-in portal session.

Every flow runs for real: the portal's start route and the platform's callback (through a TestClient keeping
the browser's cookies) against the test provider in tests/oidc_provider.py.
"""

from __future__ import annotations

import pytest

from jewelerp.auth.session_cookie import SESSION_COOKIE
from jewelerp.db import read_session
from jewelerp.errors import AuthError
from modules.portal import identity
from modules.portal.access import linked_customers
from tests.modules.portal.helpers import IP, customer, register, signed_up
from tests.modules.portal.social_helpers import (
    PortalBrowser,
    account,
    accounts,
    identities,
    portal_token,
    signed_in_account,
    went_to,
)


def test_a_verified_google_address_registers_and_sees_the_records_of_that_address(world, google):
    manager = world.actor("manager")
    asha = customer(manager, "Asha Rao", email="asha@example.com")
    customer(world.actor("manager", world.dl), "Asha in Delhi", email="asha@example.com")
    google.add_user("g-asha", "asha@example.com", email_verified=True, name="Asha Rao")

    answer = PortalBrowser(google).sign_in("g-asha", store=str(world.mum))

    assert went_to(answer) == ("/portal", {})
    made = account("asha@example.com")
    assert signed_in_account(answer) == made.id
    assert made.email_confirmed_at is not None and made.name == "Asha Rao"
    with read_session() as session:
        assert linked_customers(session, made.id) == (asha,)
    assert SESSION_COOKIE not in answer.cookies  # a customer is never a staff session

    again = PortalBrowser(google).sign_in("g-asha", store=str(world.mum))
    assert signed_in_account(again) == made.id and accounts() == 1


def test_a_verified_address_signs_in_to_the_account_registered_with_a_code(world, google):
    registered = signed_up(world.mum, "Ravi Menon", "ravi@example.com")
    google.add_user("g-ravi", "ravi@example.com", email_verified=True, name="Ravi M")
    answer = PortalBrowser(google).sign_in("g-ravi", store=str(world.mum))
    assert signed_in_account(answer) == registered
    assert account("ravi@example.com").name == "Ravi Menon"  # a confirmed account keeps its own name
    assert identities() == [(registered, "google", "g-ravi")]


def test_an_address_the_provider_did_not_verify_signs_in_nobody_and_stores_nothing(world, google):
    signed_up(world.mum, "Ravi Menon", "ravi@example.com")
    google.add_user("g-other", "ravi@example.com", email_verified=False)
    answer = PortalBrowser(google).sign_in("g-other", store=str(world.mum))
    assert went_to(answer) == ("/portal/sign-in", {"error": "unverified", "provider": "google"})
    assert signed_in_account(answer) is None
    assert identities() == [] and accounts() == 1


def test_an_unconfirmed_registration_keeps_nothing_someone_else_typed(world, google):
    token = register(world.mum, "Mallory", "asha@example.com", "+919820012345", consent_sms=True)
    google.add_user("g-asha", "asha@example.com", email_verified=True, name="Asha Rao")
    answer = PortalBrowser(google).sign_in("g-asha", store=str(world.mum))
    taken_over = account("asha@example.com")
    assert signed_in_account(answer) == taken_over.id
    assert (taken_over.name, taken_over.phone, taken_over.consent_sms) == ("Asha Rao", "", False)
    with pytest.raises(AuthError):  # the link mailed for the typed registration no longer works
        identity.confirm(token, IP)


def test_a_signed_in_customer_links_an_account_and_then_signs_in_with_it(world, google):
    ravi = signed_up(world.mum, "Ravi Menon", "ravi@example.com")
    google.add_user("g-ravi-fb", "ravi.personal@example.net", email_verified=False)  # as Facebook answers
    linking = PortalBrowser(google, portal_token(world, "ravi@example.com"))

    answer = linking.sign_in("g-ravi-fb", link="1")

    assert went_to(answer) == ("/portal/consent", {"linked": "google"})
    assert identities() == [(ravi, "google", "g-ravi-fb")]
    later = PortalBrowser(google).sign_in("g-ravi-fb", store=str(world.mum))
    assert signed_in_account(later) == ravi


def test_an_account_linked_to_one_customer_is_not_linked_to_another(world, google):
    asha = signed_up(world.mum, "Asha Rao", "asha@example.com")
    signed_up(world.mum, "Ravi Menon", "ravi@example.com")
    google.add_user("g-shared", "family@example.net", email_verified=False)
    PortalBrowser(google, portal_token(world, "asha@example.com")).sign_in("g-shared", link="1")
    answer = PortalBrowser(google, portal_token(world, "ravi@example.com")).sign_in("g-shared", link="1")
    assert went_to(answer) == ("/portal/sign-in", {"error": "taken", "provider": "google"})
    assert identities() == [(asha, "google", "g-shared")]


def test_a_store_without_the_portal_is_refused_before_the_provider(world, google):
    for store in ("999", "", "1e3"):
        answer = PortalBrowser(google).start(store=store)
        assert went_to(answer) == ("/portal/sign-in", {"error": "no_portal", "provider": "google"})
