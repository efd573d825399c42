"""Security headers in the browser: the app's pages and a public certificate page carry them, and the
app still works under its Content-Security-Policy (sign-in over the websocket, no policy violation)."""

from __future__ import annotations

from sqlmodel import select

from jewelerp.db import read_session
from modules.stock.models import Piece

CSP_VIOLATION = "Content Security Policy"


def _backend_url() -> str:
    from reflex.config import get_config

    return get_config().api_url.rstrip("/")


def _assert_security_headers(headers: dict[str, str], where: str) -> str:
    policy = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy and "default-src" in policy, f"{where}: no CSP ({headers})"
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("referrer-policy") in ("same-origin", "strict-origin-when-cross-origin", "no-referrer"), where
    assert headers.get("x-content-type-options") == "nosniff", where
    return policy


def test_the_app_sends_its_security_headers_and_runs_under_its_policy(page, base_url, login_as):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if CSP_VIOLATION in msg.text else None)
    response = page.goto(f"{base_url}/login")
    assert response is not None and response.ok
    policy = _assert_security_headers(response.headers, "sign-in page")
    assert "connect-src" in policy and _backend_url().replace("http", "ws", 1) in policy
    login_as("manager")  # the websocket and every script of the app work under the policy
    assert not violations, f"the policy blocked part of the app: {violations}"


def test_a_public_certificate_page_sends_a_strict_policy(browser):
    with read_session() as session:
        token = session.exec(select(Piece.public_token).where(Piece.token_revoked_at.is_(None))).first()
    assert token, "the demo data has a piece with a public page"
    stranger = browser.new_context()  # a customer scanning the tag: no cookies
    try:
        response = stranger.new_page().goto(f"{_backend_url()}/c/{token}")
        assert response is not None and response.ok
        policy = _assert_security_headers(response.headers, "certificate page")
        assert "'unsafe-eval'" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    finally:
        stranger.close()
