"""Signing in through a provider cannot be forged: tampered ID tokens, replayed or stolen answers, a wrong PKCE
verifier, answers meant for another issuer, and a provider that is down or answers garbage are each refused
with their message, logged without any token, and open no session.

The provider is tests/oidc_provider.py, run for real; ``forge`` tampers with the next ID token it issues.
"""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from sqlalchemy import func, update
from sqlmodel import select

from jewelerp.auth import service as auth
from jewelerp.auth.models import ExternalIdentity, OAuthFlow
from jewelerp.auth.oidc import refusal_message
from jewelerp.auth.oidc_routes import FLOW_COOKIE
from jewelerp.auth.providers import save_provider
from jewelerp.auth.session_cookie import SESSION_COOKIE
from jewelerp.core.models import AuditLog, AuthSession
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.testing import PASSWORD, run_as
from tests.oidc_provider import CLIENT_ID, FRONTEND, Browser, TestProvider, configure

SUBJECT = "g-sales"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def google(world, oidc_provider: TestProvider, monkeypatch: pytest.MonkeyPatch) -> TestProvider:
    """The Google preset pointed at the test provider, with account ``g-sales`` linked to the sales user."""
    configure(monkeypatch, oidc_provider)
    oidc_provider.add_user(SUBJECT, "sales.home@gmail.com")
    with unit_of_work() as session:
        session.add(ExternalIdentity(user_id=world.users["sales"], provider="google", subject=SUBJECT))
    return oidc_provider


def _sessions() -> int:
    with read_session() as session:
        return session.exec(select(func.count()).select_from(AuthSession)).one()


def _refusal_rows() -> list[str]:
    with read_session() as session:
        return list(
            session.exec(
                select(AuditLog.changes).where(
                    AuditLog.record_type == "security", AuditLog.record_id == "oauth", AuditLog.action == "refused"
                )
            ).all()
        )


def assert_refused(
    response: httpx.Response, code: str, *secrets: str, page: str = "/login", sessions: int = 0
) -> dict[str, Any]:
    """``response`` sent the browser to ``page`` with refusal ``code``, no session was opened (there are still
    ``sessions``), and the refusal was logged without any of ``secrets`` (codes, states, tokens); the logged
    detail."""
    assert response.status_code == 303, response.text
    url = urlsplit(response.headers["location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{FRONTEND}{page}"
    assert dict(parse_qsl(url.query))["error"] == code and refusal_message(code, "google")
    assert SESSION_COOKIE not in response.cookies and _sessions() == sessions
    rows = _refusal_rows()
    assert rows, "the refusal was not logged"
    assert all(secret not in row for secret in secrets if secret for row in rows)
    detail = {k: v[1] for k, v in json.loads(rows[-1]).items()}
    assert detail["provider"] == "google" and detail["reason"]
    return detail


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _other_key(kid: str | None = None) -> RSAKey:
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=kid is None)
    return RSAKey.import_key({**key.as_dict(private=True), "kid": kid}) if kid else key


def _alg_none(claims: dict) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _hs256(claims: dict) -> str:
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(b"k" * 32))


def _without_nonce(provider: TestProvider) -> Callable[[dict], str]:
    return lambda claims: jwt.encode(
        {"alg": "RS256", "kid": provider.key.kid}, {k: v for k, v in claims.items() if k != "nonce"}, provider.key
    )


# what a forgery does to the next ID token, and what the log says about its refusal
FORGERIES: dict[str, tuple[Callable[[TestProvider], dict[str, Any]], str]] = {
    "signed with another key": (lambda p: {"key": _other_key()}, "invalid_key_id"),
    "signed with another key under our key's id": (lambda p: {"key": _other_key(p.key.kid)}, "bad_signature"),
    "expired": (lambda p: {"claims": {"exp": int(time.time()) - 600, "iat": int(time.time()) - 1200}}, "expired"),
    "for another audience": (lambda p: {"claims": {"aud": ["someone-else"], "azp": CLIENT_ID}}, "claim: 'aud'"),
    "from another issuer": (lambda p: {"claims": {"iss": "https://accounts.evil.example"}}, "claim: 'iss'"),
    "with another nonce": (lambda p: {"claims": {"nonce": "not-the-nonce"}}, "Invalid claim: 'nonce'"),
    "without its nonce": (lambda p: {"id_token": _without_nonce(p)}, "Missing claim: 'nonce'"),
    "unsigned (alg none)": (lambda p: {"id_token": _alg_none}, "'none' is not allowed"),
    "signed with HS256": (lambda p: {"id_token": _hs256}, "'HS256' is not allowed"),
    "garbage": (lambda p: {"id_token": lambda c: "garbage.x.y"}, "decode_error"),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_id_token_is_refused(google, forgery):
    forge, why = FORGERIES[forgery]
    browser = Browser(google)
    answer = browser.consent(browser.start(), SUBJECT)
    google.forge.update(forge(google))
    detail = assert_refused(browser.callback(answer), "id_token_invalid", answer["code"], answer["state"])
    assert detail["reason"].startswith("ID token refused") and why in detail["reason"]


def test_the_genuine_id_token_passes_the_same_checks(google):
    assert Browser(google).sign_in(SUBJECT).status_code == 303 and _sessions() == 1


def test_a_replayed_answer_is_refused_before_the_provider_is_asked(google):
    browser = Browser(google)
    answer = browser.consent(browser.start(), SUBJECT)
    flow_cookie = browser.client.cookies[FLOW_COOKIE]
    assert SESSION_COOKIE in browser.callback(answer).cookies
    google.broken["/token"] = "500"  # had the provider been asked again, the refusal would say it is unavailable
    replay = Browser(google)
    replay.client.cookies.set(FLOW_COOKIE, flow_cookie)
    assert_refused(replay.callback(answer), "expired", answer["code"], flow_cookie, sessions=1)


def test_an_answer_brought_to_another_browser_is_refused_and_stays_good_for_its_own(google):
    victim, attacker = Browser(google), Browser(google)
    answer = attacker.consent(attacker.start(), SUBJECT)
    victim.start()
    assert_refused(victim.callback(answer), "expired", answer["code"], answer["state"])
    no_cookie = Browser(google)
    assert_refused(no_cookie.callback(answer), "expired")
    assert SESSION_COOKIE in attacker.callback(answer).cookies  # a wrong browser's try did not spend it


def test_an_answer_after_ten_minutes_is_refused(google):
    browser = Browser(google)
    answer = browser.consent(browser.start(), SUBJECT)
    with unit_of_work() as session:
        session.execute(update(OAuthFlow).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert_refused(browser.callback(answer), "expired", answer["code"])


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(google):
    browser = Browser(google)
    answer = browser.consent(browser.start(), SUBJECT)
    with unit_of_work() as session:
        session.execute(update(OAuthFlow).values(code_verifier="x" * 50))
    detail = assert_refused(browser.callback(answer), "provider_refused", answer["code"], "x" * 50)
    assert detail["reason"] == "the provider refused: invalid_grant"


def test_an_answer_naming_another_issuer_is_refused(google):
    google.answer_iss = "https://accounts.evil.example"
    browser = Browser(google)
    answer = browser.consent(browser.start(), SUBJECT)
    assert_refused(browser.callback(answer), "id_token_invalid", answer["code"])


def test_an_answer_naming_its_own_issuer_is_accepted(google):
    google.answer_iss = google.issuer
    assert SESSION_COOKIE in Browser(google).sign_in(SUBJECT).cookies


def test_an_answer_naming_no_issuer_is_refused_when_the_provider_says_it_names_one(google):
    google.metadata["authorization_response_iss_parameter_supported"] = True
    assert_refused(Browser(google).sign_in(SUBJECT), "id_token_invalid")


def test_a_person_who_denies_consent_is_told_it_was_cancelled(google):
    browser = Browser(google)
    answer = browser.consent(browser.start(), "")
    assert answer["error"] == "access_denied"
    assert_refused(browser.callback(answer), "cancelled")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_provider_that_is_down_is_refused_at_the_start(world, oidc_provider, monkeypatch):
    configure(monkeypatch, oidc_provider, metadata_url=f"http://127.0.0.1:{_closed_port()}/.well-known/x")
    detail = assert_refused(Browser(oidc_provider).start(), "provider_unavailable")
    assert detail["reason"] == "the provider did not answer properly (ConnectError)"


@pytest.mark.parametrize(
    ("path", "how"),
    [
        ("/.well-known/openid-configuration", "500"),
        ("/.well-known/openid-configuration", "html"),
        ("/token", "500"),
        ("/token", "html"),
        ("/jwks", "500"),
        ("/jwks", "html"),
    ],
)
def test_a_provider_answering_errors_or_garbage_is_refused(google, path, how):
    browser = Browser(google)
    if path.startswith("/.well-known"):
        google.broken[path] = how
        assert_refused(browser.start(), "provider_unavailable")
        return
    answer = browser.consent(browser.start(), SUBJECT)
    google.broken[path] = how
    detail = assert_refused(browser.callback(answer), "provider_unavailable", answer["code"])
    assert "(" in detail["reason"] and "<html>" not in detail["reason"]


def test_after_signing_in_the_browser_goes_only_to_a_page_of_this_app(google):
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        response = Browser(google).sign_in(SUBJECT, next=target)
        assert response.headers["location"] == f"{FRONTEND}/"


def test_linking_cannot_be_started_from_another_site(google):
    browser = Browser(google)
    browser.client.cookies.set(SESSION_COOKIE, auth.begin_session(auth.login("sales@test.in", PASSWORD, "").ticket))
    cross_site = {"Sec-Fetch-Site": "cross-site"}
    response = browser.client.get("/api/auth/google/start", params={"purpose": "link"}, headers=cross_site)
    assert_refused(response, "signed_out", page="/account/profile", sessions=1)


@pytest.fixture
def microsoft(world, oidc_provider: TestProvider, monkeypatch: pytest.MonkeyPatch) -> TestProvider:
    """The Microsoft preset at the test provider, which names its issuer as Microsoft's shared tenants do."""
    configure(monkeypatch, oidc_provider, "microsoft")
    oidc_provider.metadata["issuer"] = f"{oidc_provider.issuer}/{{tenantid}}/v2.0"
    oidc_provider.add_user("ms-1", "sales@test.in")
    with unit_of_work() as session:
        session.add(ExternalIdentity(user_id=world.users["sales"], provider="microsoft", subject="ms-1"))
    return oidc_provider


def _microsoft_sign_in(provider: TestProvider, iss_tenant: str, tid: str) -> httpx.Response:
    browser = Browser(provider)
    answer = browser.consent(browser.start("microsoft"), "ms-1")
    provider.forge["claims"] = {"iss": f"{provider.issuer}/{iss_tenant}/v2.0", "tid": tid}
    return browser.callback(answer, "microsoft")


def test_microsoft_tokens_must_come_from_the_tenant_they_name(microsoft):
    assert SESSION_COOKIE in _microsoft_sign_in(microsoft, TENANT, TENANT).cookies
    refused = _microsoft_sign_in(microsoft, OTHER_TENANT, TENANT)
    assert refused.status_code == 303 and "error=id_token_invalid" in refused.headers["location"]


def test_microsoft_lets_in_only_the_allowed_tenants(world, microsoft):
    run_as(world.actor("admin"), save_provider, "microsoft", enabled=True, client_id="x", allowed_tenants=TENANT)
    refused = _microsoft_sign_in(microsoft, OTHER_TENANT, OTHER_TENANT)
    assert refused.status_code == 303 and "error=id_token_invalid" in refused.headers["location"]
    assert SESSION_COOKIE in _microsoft_sign_in(microsoft, TENANT, TENANT).cookies


def test_linkedin_still_checks_a_nonce_when_its_token_carries_one(world, oidc_provider, monkeypatch):
    configure(monkeypatch, oidc_provider, "linkedin")
    oidc_provider.add_user("li-1", "x@test.in")
    with unit_of_work() as session:
        session.add(ExternalIdentity(user_id=world.users["sales"], provider="linkedin", subject="li-1"))
    browser = Browser(oidc_provider)
    answer = browser.consent(browser.start("linkedin"), "li-1")
    oidc_provider.forge["claims"] = {"nonce": "not-the-nonce"}
    response = browser.callback(answer, "linkedin")
    assert response.status_code == 303 and "error=id_token_invalid" in response.headers["location"]
    assert _sessions() == 0
