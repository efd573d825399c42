"""Signing in through Google, Microsoft, LinkedIn or Facebook: accounts to users, linking, provider settings.

Every flow runs for real: our routes (through a TestClient keeping the browser's cookies) against the test
provider in tests/oidc_provider.py, pointed at by the presets' ``JEWELERP_OAUTH_<NAME>_METADATA_URL``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from joserfc import jwt
from sqlalchemy import func
from sqlmodel import select

from jewelerp.auth import service as auth
from jewelerp.auth.models import ExternalIdentity, IdentityProvider, OAuthFlow
from jewelerp.auth.oidc import MESSAGES, ONLY_WAY_IN, linked_accounts, refusal_message, unlink_account
from jewelerp.auth.providers import provider_config, provider_settings, save_provider, sign_in_providers
from jewelerp.auth.session_cookie import SESSION_COOKIE
from jewelerp.core.models import AuditLog, AuthSession, User
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from jewelerp.keys import decrypt_secret
from jewelerp.testing import PASSWORD, run_as
from tests.oidc_provider import CLIENT_SECRET, FRONTEND, Browser, TestProvider, configure

OFFICE = "198.51.100.20"


def _link(user_id: int, subject: str, provider: str = "google") -> None:
    with unit_of_work() as session:
        session.add(ExternalIdentity(user_id=user_id, provider=provider, subject=subject))


def _refusal(response: httpx.Response, page: str = "/login") -> str:
    """The refusal code of a response that sent the browser back to ``page``."""
    assert response.status_code == 303, response.text
    url = urlsplit(response.headers["location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{FRONTEND}{page}"
    return dict(parse_qsl(url.query))["error"]


def _count(model: type) -> int:
    with read_session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _events(action: str, kind: str = "oauth") -> list[dict]:
    with read_session() as session:
        rows = session.exec(
            select(AuditLog).where(
                AuditLog.record_type == "security", AuditLog.record_id == kind, AuditLog.action == action
            )
        ).all()
    return [{"user_id": row.user_id, **{k: v[1] for k, v in json.loads(row.changes).items()}} for row in rows]


def _password_session(browser: Browser, email: str) -> str:
    """Sign ``browser`` in with a password (its session cookie set); the token."""
    token = auth.begin_session(auth.login(email, PASSWORD, OFFICE).ticket)
    browser.client.cookies.set(SESSION_COOKIE, token)
    return token


def test_a_linked_account_signs_in_and_the_session_cookie_is_set_in_the_same_answer(world, google):
    _link(world.users["sales"], google.add_user("g-sales", "someone.else@gmail.com"))
    browser = Browser(google)
    started = browser.start(next="/stock/pieces?tab=2")
    assert started.status_code == 302 and "code_challenge=" in started.headers["location"]
    assert "HttpOnly" in started.headers["set-cookie"] and "Path=/api/auth/" in started.headers["set-cookie"]

    response = browser.callback(browser.consent(started, "g-sales"))

    assert response.status_code == 303
    assert response.headers["location"] == f"{FRONTEND}/stock/pieces?tab=2"
    info = auth.authenticate(response.cookies[SESSION_COOKIE])
    assert info is not None and info.user_id == world.users["sales"]
    with read_session() as session:
        assert session.exec(select(AuthSession.method)).all() == ["google"]
        link = session.exec(select(ExternalIdentity)).one()
        flow = session.exec(select(OAuthFlow)).one()
    assert link.last_used_at is not None and flow.used_at is not None
    signed_in = {"user_id": world.users["sales"], "client_ip": "testclient", "method": "google", "two_factor": False}
    assert _events("sign_in", kind="login") == [signed_in]


def test_a_google_account_with_a_verified_email_signs_in_as_the_user_with_that_email(world, google):
    response = Browser(google).sign_in(google.add_user("g-mgr", "Manager@test.in"))
    assert auth.authenticate(response.cookies[SESSION_COOKIE]).user_id == world.users["manager"]
    assert _count(ExternalIdentity) == 0  # matched, not linked


def test_an_email_google_has_not_verified_signs_in_as_nobody(world, google):
    response = Browser(google).sign_in(google.add_user("g-mgr", "manager@test.in", email_verified=False))
    assert _refusal(response) == "not_linked"
    assert refusal_message("not_linked", "google") == (
        "This Google account is not linked to a JewelERP user. "
        "Sign in with your password and link it under Your account."
    )
    assert _count(AuthSession) == 0


def test_only_google_matches_by_email(world, oidc_provider, monkeypatch):
    configure(monkeypatch, oidc_provider, "microsoft")
    response = Browser(oidc_provider).sign_in(oidc_provider.add_user("ms-1", "manager@test.in"), "microsoft")
    assert _refusal(response) == "not_linked"  # Microsoft's email claim is nobody's proof of the address


def test_an_unknown_account_is_refused_and_nothing_is_created(world, google):
    users, links = _count(User), _count(ExternalIdentity)
    response = Browser(google).sign_in(google.add_user("g-new", "stranger@gmail.com"))
    assert _refusal(response) == "not_linked"
    assert (_count(User), _count(ExternalIdentity), _count(AuthSession)) == (users, links, 0)
    assert SESSION_COOKIE not in response.cookies
    refusal = _events("refused")[0]
    assert refusal["provider"] == "google" and "linked" in refusal["reason"]


def _deactivate(user_id: int) -> None:
    with unit_of_work() as session:
        user = session.get(User, user_id)
        user.active = False
        session.add(user)


def test_a_disabled_user_cannot_sign_in_through_a_provider(world, google):
    _link(world.users["sales"], google.add_user("g-sales", "x@gmail.com"))
    google.add_user("g-mgr", "manager@test.in")
    _deactivate(world.users["sales"])
    _deactivate(world.users["manager"])
    assert _refusal(Browser(google).sign_in("g-sales")) == "disabled"
    assert _refusal(Browser(google).sign_in("g-mgr")) == "not_linked"
    assert _count(AuthSession) == 0


def test_a_user_links_an_account_then_signs_in_with_it_and_unlinks_it(world, google):
    browser = Browser(google)
    _password_session(browser, "designer@test.in")
    linked = browser.sign_in(google.add_user("g-designer", "designer.home@gmail.com"), purpose="link")
    assert linked.status_code == 303 and linked.headers["location"] == f"{FRONTEND}/account/profile?linked=google"
    assert SESSION_COOKIE not in linked.cookies  # linking opens no new session

    designer = world.actor("designer")
    with read_session() as session:
        accounts = linked_accounts(session, designer)
    assert [(a.provider, a.label, a.email) for a in accounts] == [("google", "Google", "designer.home@gmail.com")]
    assert _events("link")[0]["user_id"] == world.users["designer"]

    again = Browser(google).sign_in("g-designer")
    assert auth.authenticate(again.cookies[SESSION_COOKIE]).user_id == world.users["designer"]

    run_as(designer, unlink_account, accounts[0].id)
    assert _count(ExternalIdentity) == 0 and _events("unlink")[0]["provider"] == "google"
    with unit_of_work() as session:
        assert session.exec(select(AuditLog).where(AuditLog.record_type == "core_external_identity")).all()
    assert _refusal(Browser(google).sign_in("g-designer")) == "not_linked"


def test_the_last_way_in_of_a_user_without_a_password_cannot_be_unlinked(world):
    _link(world.users["sales"], "g-1")
    _link(world.users["sales"], "ms-1", "microsoft")
    sales = world.actor("sales")
    with unit_of_work() as session:
        user = session.get(User, world.users["sales"])
        user.password_hash = ""
        session.add(user)
        first, last = (a.id for a in linked_accounts(session, sales))
    run_as(sales, unlink_account, first)
    with pytest.raises(JewelError, match="only way to sign in"):
        run_as(sales, unlink_account, last)
    assert ONLY_WAY_IN.startswith("This is your only way")
    with pytest.raises(NotFound):  # someone else's link
        run_as(world.actor("manager"), unlink_account, last)


def test_linking_needs_a_live_session_in_this_browser(world, google):
    google.add_user("g-1", "a@gmail.com")
    assert _refusal(Browser(google).start(purpose="link"), "/account/profile") == "signed_out"

    browser = Browser(google)
    token = _password_session(browser, "designer@test.in")
    answer = browser.consent(browser.start(purpose="link"), "g-1")
    with unit_of_work() as session:
        auth.logout(session, token)  # signed out meanwhile (another tab)
    assert _refusal(browser.callback(answer), "/account/profile") == "signed_out"
    assert _count(ExternalIdentity) == 0


def test_an_account_linked_to_one_user_cannot_be_linked_to_another(world, google):
    _link(world.users["sales"], google.add_user("g-1", "a@gmail.com"))
    browser = Browser(google)
    _password_session(browser, "designer@test.in")
    assert _refusal(browser.sign_in("g-1", purpose="link"), "/account/profile") == "taken"
    with read_session() as session:
        assert session.exec(select(ExternalIdentity.user_id)).all() == [world.users["sales"]]


def test_the_sign_in_page_lists_only_providers_that_are_set_up(world, monkeypatch):
    admin = world.actor("admin")
    with read_session() as session:
        assert sign_in_providers(session) == []
    run_as(admin, save_provider, "microsoft", enabled=True, client_id="ms-app", client_secret="s1")
    run_as(admin, save_provider, "linkedin", enabled=False, client_id="li-app")
    monkeypatch.setenv("JEWELERP_OAUTH_FACEBOOK_CLIENT_ID", "fb-app")
    with read_session() as session:
        assert sign_in_providers(session) == [
            {"name": "microsoft", "label": "Microsoft"},
            {"name": "facebook", "label": "Facebook"},
        ]


def test_the_environment_wins_over_the_saved_settings(world, monkeypatch):
    admin = world.actor("admin")
    run_as(
        admin,
        save_provider,
        "microsoft",
        enabled=True,
        client_id="saved-app",
        client_secret="saved",
        tenant="zaveri.in",
    )
    with read_session() as session:
        saved = provider_config(session, "microsoft")
    assert (saved.client_id, saved.client_secret) == ("saved-app", "saved")
    assert saved.metadata_url == "https://login.microsoftonline.com/zaveri.in/v2.0/.well-known/openid-configuration"
    monkeypatch.setenv("JEWELERP_OAUTH_MICROSOFT_CLIENT_ID", "env-app")
    monkeypatch.setenv("JEWELERP_OAUTH_MICROSOFT_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("JEWELERP_OAUTH_MICROSOFT_METADATA_URL", "http://127.0.0.1:9/.well-known/openid-configuration")
    with read_session() as session:
        env = provider_config(session, "microsoft")
        shown = {s.code: s for s in provider_settings(session, admin)}
    assert (env.client_id, env.client_secret) == ("env-app", "env-secret")
    assert env.metadata_url == "http://127.0.0.1:9/.well-known/openid-configuration"
    assert shown["microsoft"].from_environment and shown["microsoft"].client_id == "saved-app"


def test_the_client_secret_is_stored_encrypted_and_never_given_back(world):
    admin = world.actor("admin")
    run_as(admin, save_provider, "google", enabled=True, client_id="g-app", client_secret="top-secret-1")
    run_as(admin, save_provider, "google", enabled=True, client_id="g-app-2")  # an empty secret keeps the saved one
    with read_session() as session:
        row = session.get(IdentityProvider, "google")
        shown = next(s for s in provider_settings(session, admin) if s.code == "google")
        audit = session.exec(select(AuditLog.changes).where(AuditLog.record_type == "core_identity_provider")).all()
    assert "top-secret-1" not in row.client_secret and decrypt_secret(row.client_secret) == "top-secret-1"
    assert shown.has_secret and shown.client_id == "g-app-2" and "top-secret" not in repr(shown)
    assert audit and all("top-secret" not in changes and row.client_secret not in changes for changes in audit)


def test_only_admins_change_providers_and_settings_are_checked(world):
    with pytest.raises(PermissionDenied):
        run_as(world.actor("manager"), save_provider, "google", enabled=True, client_id="x")
    admin = world.actor("admin")
    with pytest.raises(ValidationError) as refused:
        run_as(admin, save_provider, "microsoft", enabled=True, client_id="", tenant="../evil", allowed_tenants="x")
    assert set(refused.value.fields) == {"client_id", "tenant", "allowed_tenants"}
    with pytest.raises(NotFound):
        run_as(admin, save_provider, "myspace", enabled=True, client_id="x")


def test_refusal_codes_have_sentences_and_unknown_codes_show_nothing():
    assert refusal_message("provider_unavailable", "google") == (
        "Google did not answer properly just now. Sign in with your password or try again later."
    )
    assert refusal_message("<script>", "google") == "" and refusal_message("", "") == ""
    assert all(refusal_message(code, "bogus") for code in MESSAGES)


def test_a_provider_that_is_not_set_up_is_refused_at_the_start(world, oidc_provider):
    assert _refusal(Browser(oidc_provider).start("google")) == "not_configured"
    assert _refusal(Browser(oidc_provider).start("myspace")) == "not_configured"
    assert _count(OAuthFlow) == 0


def test_linkedin_signs_in_without_pkce_and_without_a_nonce_in_its_id_token(world, oidc_provider, monkeypatch):
    configure(monkeypatch, oidc_provider, "linkedin")
    _link(world.users["sales"], oidc_provider.add_user("li-1", "x@test.in"), "linkedin")
    browser = Browser(oidc_provider)
    started = browser.start("linkedin")
    assert "code_challenge" not in started.headers["location"]
    answer = browser.consent(started, "li-1")
    oidc_provider.forge["id_token"] = lambda claims: _without_nonce(oidc_provider, claims)
    response = browser.callback(answer, "linkedin")
    assert auth.authenticate(response.cookies[SESSION_COOKIE]).user_id == world.users["sales"]


def _without_nonce(provider: TestProvider, claims: dict) -> str:
    """The genuine ID token signed again without its nonce, as LinkedIn sends them."""
    kept = {k: v for k, v in claims.items() if k != "nonce"}
    return jwt.encode({"alg": "RS256", "kid": provider.key.kid}, kept, provider.key)


def test_facebook_asks_the_graph_who_signed_in_with_an_appsecret_proof(world, oidc_provider, monkeypatch):
    configure(monkeypatch, oidc_provider, "facebook")
    _link(world.users["manager"], oidc_provider.add_user("fb-1", "manager@test.in"), "facebook")
    response = Browser(oidc_provider).sign_in("fb-1", "facebook")
    assert auth.authenticate(response.cookies[SESSION_COOKIE]).user_id == world.users["manager"]
    (asked,) = oidc_provider.profile_requests
    access_token = next(iter(oidc_provider.tokens))
    expected = hmac.new(CLIENT_SECRET.encode(), access_token.encode(), hashlib.sha256).hexdigest()
    assert asked == {"fields": "id,name,email", "appsecret_proof": expected}


def test_facebook_never_matches_by_email(world, oidc_provider, monkeypatch):
    configure(monkeypatch, oidc_provider, "facebook")
    response = Browser(oidc_provider).sign_in(oidc_provider.add_user("fb-1", "manager@test.in"), "facebook")
    assert _refusal(response) == "not_linked"


def test_housekeeping_deletes_the_flows_that_expired_over_a_day_ago(world):
    from datetime import timedelta

    from jewelerp.core.housekeeping import purge_stale_records
    from jewelerp.db import utcnow

    now = utcnow()
    with unit_of_work() as session:
        for name, expired_at in (("old", now - timedelta(days=2)), ("recent", now - timedelta(hours=2)), ("live", now)):
            session.add(
                OAuthFlow(
                    provider="google",
                    purpose="sign_in",
                    state_hash=name,
                    browser_hash=name,
                    redirect_uri="http://testserver/api/auth/google/callback",
                    created_at=expired_at - timedelta(minutes=10),
                    expires_at=expired_at + timedelta(minutes=5) if name == "live" else expired_at,
                )
            )
    with unit_of_work() as session:
        purge_stale_records(session, None)
    with read_session() as session:
        assert sorted(session.exec(select(OAuthFlow.state_hash)).all()) == ["live", "recent"]
