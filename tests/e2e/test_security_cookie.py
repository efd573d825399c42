"""Issue 12, finding 8: the session cookie is set by the server, HttpOnly and SameSite=Lax; sign-in and out work."""

from __future__ import annotations

import re

from jewelerp.auth.session_cookie import SESSION_COOKIE


def _session_cookie(page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == SESSION_COOKIE), None)


def test_the_session_cookie_is_httponly_lax_and_cleared_on_sign_out(login_as, base_url):
    page = login_as("sales")
    cookie = _session_cookie(page)
    assert cookie is not None
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False  # the harness serves plain http; https sets Secure (service test)
    assert SESSION_COOKIE not in page.evaluate("document.cookie")  # page scripts cannot read the token
    page.reload()
    page.get_by_role("heading", name="Home").wait_for()  # the new websocket carries the cookie
    page.get_by_role("button", name="User menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))
    assert _session_cookie(page) is None
    page.goto(f"{base_url}/")
    page.wait_for_url(re.compile(r"/login"))


def test_a_used_sign_in_link_opens_no_session(page, login_as):
    links: list[str] = []
    page.on("request", lambda request: links.append(request.url) if "/api/session/begin" in request.url else None)
    login_as("manager")
    assert len(links) == 1 and "ticket=" in links[0]
    page.context.clear_cookies()
    replay = page.goto(links[0])
    assert replay is not None and replay.status == 400
    assert _session_cookie(page) is None
