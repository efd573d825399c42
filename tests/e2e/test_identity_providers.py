"""Signing in with Google in the browser, against the real test provider (tests/oidc_provider.py): the demo
admin by the address Google verified, a user who links Google on their account page and then signs in with it,
an unknown account refused on the sign-in page (the password still works), the admin page of the providers, and a
customer signing in to the portal with the Google account of their address.

The providers read ``JEWELERP_OAUTH_GOOGLE_*`` at each request, and the harness's backend runs in this process,
so each test points the Google preset at the test provider with ``monkeypatch``: no restart, and no other test
sees a provider. ``JEWELERP_SHOTS=/tmp/shots`` also saves the pages as a desktop and a phone would show them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from jewelerp.auth.models import ExternalIdentity, IdentityProvider
from jewelerp.auth.oidc_routes import callback_url
from jewelerp.core.models import Store, User
from jewelerp.db import read_session, unit_of_work
from jewelerp.demo import DEMO_PASSWORD
from modules.portal.models import PortalAccount, PortalIdentity
from tests.e2e.conftest import DEMO_LOGINS, sign_in
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def google(oidc_provider: TestProvider, base_url: str, monkeypatch: pytest.MonkeyPatch) -> TestProvider:
    """The Google preset pointed at the test provider, which accepts the harness backend's callback."""
    monkeypatch.setenv("JEWELERP_OAUTH_GOOGLE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("JEWELERP_OAUTH_GOOGLE_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("JEWELERP_OAUTH_GOOGLE_METADATA_URL", oidc_provider.metadata_url)
    oidc_provider.register_client(callback_url(base_url, "google"))
    yield oidc_provider
    with unit_of_work() as session:  # no linked account is left for another test
        for row in session.exec(select(ExternalIdentity)):
            session.delete(row)


def _shots(page: Page, name: str) -> None:
    """With ``JEWELERP_SHOTS`` set, save the page as a desktop and a phone show it."""
    folder = os.environ.get("JEWELERP_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)
        page.screenshot(path=f"{folder}/{name}-{size}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def _consent(page: Page, provider: TestProvider, account: str) -> None:
    """At the provider's consent page, sign in as ``account``."""
    page.wait_for_url(re.compile(re.escape(provider.issuer) + "/authorize"))
    page.get_by_role("button", name=f"Sign in as {account}").click()


def _sign_out(page: Page, base_url: str) -> None:
    page.get_by_role("button", name="User menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))


def test_the_admin_signs_in_with_the_google_account_of_their_verified_address(page, base_url, google):
    google.add_user("g-admin", DEMO_LOGINS["admin"])
    page.goto(f"{base_url}/login")
    button = page.get_by_role("button", name="Sign in with Google")
    expect(button).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Microsoft|LinkedIn|Facebook"))).to_have_count(0)
    _shots(page, "login-providers")
    button.click()
    _consent(page, google, "g-admin")
    page.wait_for_url(f"{base_url}/")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    page.get_by_role("button", name="User menu").click()
    expect(page.get_by_text(DEMO_LOGINS["admin"])).to_be_visible()


def test_a_user_links_google_signs_in_with_it_and_unlinks_it(page, base_url, google, login_as):
    google.add_user("g-sales", "sales.at.home@gmail.com")  # not the user's address: only a link lets it in
    login_as("sales")
    page.goto(f"{base_url}/account/profile")
    expect(page.get_by_text("No account of another provider is linked.")).to_be_visible()
    page.get_by_role("button", name="Link Google", exact=True).click()
    _consent(page, google, "g-sales")
    page.wait_for_url(re.compile(r"/account/profile/?\?linked=google"))
    expect(page.get_by_role("status")).to_have_text(
        "Your Google account is linked. You can sign in with it from now on."
    )
    expect(page.get_by_text("Google · sales.at.home@gmail.com")).to_be_visible()
    expect(page.get_by_role("button", name="Link Google", exact=True)).to_have_count(0)
    _shots(page, "profile-linked")

    _sign_out(page, base_url)
    page.get_by_role("button", name="Sign in with Google").click()
    _consent(page, google, "g-sales")
    page.wait_for_url(f"{base_url}/")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()

    page.goto(f"{base_url}/account/profile")
    expect(page.get_by_text(re.compile(r"last used \d\d \w{3} \d{4}"))).to_be_visible()
    page.get_by_role("button", name="Unlink Google sales.at.home@gmail.com").click()
    expect(page.get_by_role("status")).to_have_text("Your Google account is unlinked. It can no longer sign you in.")
    expect(page.get_by_role("button", name="Link Google", exact=True)).to_be_visible()
    with read_session() as session:
        assert session.exec(select(ExternalIdentity)).all() == []


def test_an_unknown_google_account_is_refused_and_the_password_still_works(page, base_url, google):
    google.add_user("g-stranger", "stranger@gmail.com")
    page.goto(f"{base_url}/login?next=/account/profile")
    page.get_by_role("button", name="Sign in with Google").click()
    _consent(page, google, "g-stranger")
    page.wait_for_url(re.compile(r"/login/?\?error=not_linked&provider=google"))
    expect(page.get_by_role("alert")).to_have_text(
        "This Google account is not linked to a JewelERP user. "
        "Sign in with your password and link it under Your account."
    )
    _shots(page, "login-refused")
    page.get_by_label("Email").fill(DEMO_LOGINS["manager"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base_url}/")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    with read_session() as session:
        assert session.exec(select(User).where(User.email == "stranger@gmail.com")).first() is None


def test_the_admin_sets_up_a_provider_and_its_button_appears(page, base_url, login_as, monkeypatch):
    monkeypatch.setenv("JEWELERP_OAUTH_GOOGLE_CLIENT_ID", "google-app-from-the-environment")
    login_as("admin")
    page.get_by_role("link", name="Sign-in providers").click()
    page.wait_for_url(f"{base_url}/admin/sign-in")
    expect(page.get_by_label("Redirect URI", exact=True).first).to_have_value(callback_url(base_url, "google"))
    expect(page.get_by_text("JEWELERP_OAUTH_GOOGLE_CLIENT_ID is set on the server")).to_be_visible()
    expect(page.get_by_label("Redirect URI", exact=True).nth(1)).to_have_value(
        re.compile(r"/api/auth/microsoft/callback$")
    )
    try:
        page.get_by_label("Enabled").nth(1).click()  # Microsoft's card
        page.get_by_label("Client ID").nth(1).fill("ms app")
        page.get_by_label("Tenant", exact=True).fill("zaveri.in")
        page.get_by_role("button", name="Save Microsoft").click()
        expect(page.locator("#microsoft_client_id-error")).to_contain_text("not valid")
        page.get_by_label("Client ID").nth(1).fill("ms-app-1")
        page.get_by_label("Client secret").nth(1).fill("ms-secret-1")
        page.get_by_role("button", name="Save Microsoft").click()
        expect(page.get_by_role("status")).to_have_text("Microsoft sign-in settings saved.")
        expect(page.get_by_text("saved", exact=True)).to_have_count(1)
        expect(page.get_by_label("Client secret").nth(1)).to_have_value("")
        with read_session() as session:
            row = session.get(IdentityProvider, "microsoft")
            assert (row.enabled, row.client_id, row.tenant) == (True, "ms-app-1", "zaveri.in")
            assert row.client_secret and "ms-secret-1" not in row.client_secret
        _shots(page, "admin-sign-in")
        _sign_out(page, base_url)
        expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible()
        sign_in(page, base_url, DEMO_LOGINS["admin"], DEMO_PASSWORD)  # the password form is unchanged
        page.wait_for_url(f"{base_url}/")
    finally:
        with unit_of_work() as session:
            row = session.get(IdentityProvider, "microsoft")
            if row is not None:
                session.delete(row)


def test_a_customer_signs_in_to_the_portal_with_the_google_account_of_their_address(page, base_url, google):
    with read_session() as session:
        store = session.exec(select(Store).where(Store.code == "MUM")).one()
        stmt = select(PortalAccount).where(PortalAccount.store_id == store.id).order_by(PortalAccount.id)
        account = session.exec(stmt).first()
    google.add_user("g-customer", account.email, name="Google Name")
    try:
        page.goto(f"{base_url}/portal/sign-in")
        page.get_by_label("Store").select_option(label=store.name)
        _shots(page, "portal-sign-in-providers")
        page.get_by_role("button", name="Sign in with Google").click()
        _consent(page, google, "g-customer")
        page.wait_for_url(re.compile(r"/portal/?$"))
        expect(page.get_by_text(account.name).first).to_be_visible()
        page.goto(f"{base_url}/portal/consent")
        expect(page.get_by_role("heading", name="Sign-in accounts")).to_be_visible()
        expect(page.get_by_text(account.email).first).to_be_visible()
        _shots(page, "portal-sign-in-accounts")
        page.get_by_role("button", name="Unlink Google").click()
        expect(page.get_by_role("status")).to_have_text("Your Google account is unlinked.")
        expect(page.get_by_role("button", name="Link Google")).to_be_visible()
    finally:
        with unit_of_work() as session:
            for row in session.exec(select(PortalIdentity)):
                session.delete(row)
