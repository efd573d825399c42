"""The session cookie, set and cleared by the backend: HttpOnly, SameSite=Lax, Secure over HTTPS.

Sign-in runs over the websocket, where no response can set an HttpOnly cookie. So a
successful sign-in sends the browser (a full page load) to :data:`BEGIN_PATH` with a
one-time ticket; that route exchanges the ticket for the session token, sets the cookie and
sends the browser on to the page it asked for. The next page's websocket carries the cookie
in its handshake, and ``AppState`` reads it there (``router.headers.cookie``, which Reflex keeps
on the server and never sends to the page). The token never passes through page state.

Signing out revokes the session over the websocket, then visits :data:`END_PATH`, which clears
the cookie of a session that is no longer live. A live one is left alone, so a link from
another site cannot sign anyone out.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlencode, urlsplit

import reflex as rx
from reflex.config import get_config
from starlette.requests import Request, cookie_parser
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from jewelerp.auth.service import SESSION_TTL, begin_session, resolve
from jewelerp.core.audit import record_refusal
from jewelerp.db import read_session

SESSION_COOKIE = "jewelerp_session"
CHALLENGE_COOKIE = "jewelerp_sign_in_code"  # a provider's sign-in waiting for the two-factor code (HttpOnly)
CODE_PAGE = "/login/code"
BEGIN_PATH = "/api/session/begin"
END_PATH = "/api/session/end"
NEXT_MAX = 2000
# Reflex's SAME_DOMAIN_HOSTNAMES: a backend configured on one of these is reached on the page's own host.
LOCAL_HOSTS = frozenset({"localhost", "0.0.0.0", "::", "0:0:0:0:0:0:0:0"})


def token_from_cookie_header(header: str) -> str:
    """The session token in a ``Cookie:`` header ("" when absent)."""
    return cookie_parser(header or "").get(SESSION_COOKIE, "")


def safe_next(target: str) -> str:
    """``target`` when it is a path of this app (``/stock/piece/4?tab=1``), else ``/``: never another site."""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and len(target) <= NEXT_MAX
    ):
        return target
    return "/"


def browser_origin(configured: str, page_origin: str) -> str:
    """``configured`` (``api_url`` or ``deploy_url``, without a trailing slash) as a browser on ``page_origin``
    reaches it.

    Mirrors Reflex's ``getBackendURL``: a local host name stands for the page's own host,
    reached over HTTPS on the default port when the page is served over HTTPS.
    """
    url, page = urlsplit(configured), urlsplit(page_origin)
    path = url.path.rstrip("/")
    if url.hostname not in LOCAL_HOSTS or not page.hostname:
        return f"{url.scheme}://{url.netloc}{path}"
    host = f"[{page.hostname}]" if ":" in page.hostname else page.hostname
    if page.scheme == "https":
        return f"https://{host}{path}"
    return f"{url.scheme}://{host}" + (f":{url.port}" if url.port else "") + path


def begin_url(page_origin: str, ticket: str, next_path: str) -> str:
    """Where the sign-in page sends the browser to exchange ``ticket`` for the cookie."""
    query = urlencode({"ticket": ticket, "next": safe_next(next_path)})
    return f"{browser_origin(get_config().api_url, page_origin)}{BEGIN_PATH}?{query}"


def end_url(page_origin: str) -> str:
    """Where signing out sends the browser to clear the cookie."""
    return f"{browser_origin(get_config().api_url, page_origin)}{END_PATH}"


def load_page(url: str) -> rx.event.EventSpec:
    """Make the browser load ``url`` as a new page.

    ``rx.redirect`` routes a URL on the page's own origin inside the page, without asking the
    server; the cookie routes must be real requests, also where one origin serves both the pages
    and the backend (``--single-port``, or a reverse proxy).
    """
    return rx.call_script(f"window.location.assign({json.dumps(url)})")


def _https(request: Request) -> bool:
    return request.url.scheme == "https" or (get_config().deploy_url or "").startswith("https:")


def frontend_origin(request: Request) -> str:
    """The frontend's origin as the browser that sent ``request`` reaches it (where pages live)."""
    reached = f"{'https' if _https(request) else 'http'}://{request.url.netloc}"
    return browser_origin(get_config().deploy_url or reached, reached)


def request_client_ip(request: Request) -> str:
    """The address ``request`` came from ("" when unknown)."""
    return request.client.host if request.client else ""


def _sign_in_again(request: Request) -> Response:
    login = escape(f"{frontend_origin(request)}/login")
    return HTMLResponse(
        f'<p>This sign-in link has expired or was already used. <a href="{login}">Sign in again</a>.</p>',
        status_code=400,
        headers={"Cache-Control": "no-store"},
    )


def cookie_flags(request: Request) -> dict[str, object]:
    """The session cookie's flags: HttpOnly, SameSite=Lax, whole site, Secure over HTTPS."""
    return {"path": "/", "secure": _https(request), "httponly": True, "samesite": "lax"}


def begin(request: Request) -> Response:
    """Exchange the sign-in ticket for the session cookie and go on to the page asked for.

    Refused (and logged) when the ticket is unknown, used or expired, or when another site sent
    the browser here (``Sec-Fetch-Site: cross-site``), which would sign a visitor into someone else's account.
    """
    if request.headers.get("sec-fetch-site") == "cross-site":
        record_refusal("session", request_client_ip(request), {"reason": "sign-in link opened from another site"})
        return _sign_in_again(request)
    token = begin_session(request.query_params.get("ticket", ""))
    if token is None:
        record_refusal("session", request_client_ip(request), {"reason": "unknown, used or expired sign-in ticket"})
        return _sign_in_again(request)
    target = frontend_origin(request) + safe_next(request.query_params.get("next", "/"))
    response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_TTL.total_seconds()), **cookie_flags(request))
    return response


def end(request: Request) -> Response:
    """Clear the cookie of a session that has ended and go to the sign-in page (a live session goes home)."""
    with read_session() as session:
        live = resolve(session, request.cookies.get(SESSION_COOKIE, "")) is not None
    if live:
        return RedirectResponse(f"{frontend_origin(request)}/", status_code=303)
    response = RedirectResponse(
        f"{frontend_origin(request)}/login", status_code=303, headers={"Cache-Control": "no-store"}
    )
    response.delete_cookie(SESSION_COOKIE, **cookie_flags(request))
    return response


def routes() -> list[Route]:
    """The cookie routes, mounted beside the app through the core manifest's ``core.api_routes``."""
    return [Route(BEGIN_PATH, begin), Route(END_PATH, end)]
