"""The customers' own sessions, apart from staff sessions: a one-time ticket (made when a code is right) becomes
the token of the portal's cookie (:data:`PORTAL_COOKIE`), exchanged by a full page load of :data:`BEGIN_PATH` as
the staff sign-in does (see :mod:`jewelerp.auth.session_cookie`, whose cookie flags and origin helpers it uses).
Only SHA-256 digests of tickets and tokens are stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from reflex.config import get_config
from sqlalchemy import update
from sqlmodel import Session, select
from starlette.requests import Request, cookie_parser
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jewelerp.auth.session_cookie import browser_origin, cookie_flags, frontend_origin, request_client_ip
from jewelerp.core.audit import record_refusal
from jewelerp.db import read_session, unit_of_work, utcnow
from modules.portal.models import PortalSession

PORTAL_COOKIE = "jewelerp_portal"
BEGIN_PATH = "/api/portal/session/begin"
END_PATH = "/api/portal/session/end"
HOME = "/portal"
SIGN_IN = "/portal/sign-in"
SESSION_TTL = timedelta(hours=12)
IDLE_LIMIT = timedelta(hours=2)
TICKET_TTL = timedelta(seconds=60)
SEEN_EVERY = timedelta(minutes=1)


def digest(text: str) -> str:
    """The SHA-256 of a ticket, token or link, as stored."""
    return hashlib.sha256(text.encode()).hexdigest()


def portal_token(cookie_header: str) -> str:
    """The portal session token in a ``Cookie:`` header ("" when absent)."""
    return cookie_parser(cookie_header or "").get(PORTAL_COOKIE, "")


def open_session(session: Session, account_id: int, method: str, client_ip: str) -> str:
    """A new session of ``account_id`` waiting for its cookie; returns the one-time ticket (in the caller's
    transaction)."""
    ticket = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        PortalSession(
            account_id=account_id,
            ticket_hash=digest(ticket),
            ticket_expires_at=now + TICKET_TTL,
            expires_at=now + SESSION_TTL,
            method=method[:10],
            client_ip=client_ip[:45],
        )
    )
    return ticket


def begin_session(ticket: str) -> str | None:
    """Exchange a ticket for the session token, once and within :data:`TICKET_TTL` (one conditional UPDATE)."""
    if not ticket or len(ticket) > 100:
        return None
    token, now = secrets.token_urlsafe(32), utcnow()
    with unit_of_work() as session:
        done = session.execute(
            update(PortalSession)
            .where(
                PortalSession.ticket_hash == digest(ticket),
                PortalSession.ticket_expires_at > now,
                PortalSession.revoked_at.is_(None),
            )
            .values(token_hash=digest(token), ticket_hash=None, ticket_expires_at=None, last_seen_at=now)
        ).rowcount
    return token if done == 1 else None


def _live(session: Session, token: str) -> PortalSession | None:
    if not token or len(token) > 100:
        return None
    row = session.exec(select(PortalSession).where(PortalSession.token_hash == digest(token))).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now or now - row.last_seen_at > IDLE_LIMIT:
        return None
    return row


def account_of(token: str) -> int | None:
    """The account signed in with ``token``, or None (missing, expired, idle, signed out); records the use at most
    once a minute. Call it outside any transaction."""
    with read_session() as session:
        row = _live(session, token)
        if row is None:
            return None
        session_id, account_id, seen = row.id, row.account_id, row.last_seen_at
    now = utcnow()
    if now - seen >= SEEN_EVERY:
        with unit_of_work() as session:
            session.execute(update(PortalSession).where(PortalSession.id == session_id).values(last_seen_at=now))
    return account_id


def end_session(token: str) -> None:
    """Sign the browser holding ``token`` out (nothing when it is not signed in)."""
    with unit_of_work() as session:
        row = _live(session, token)
        if row is not None:
            row.revoked_at = utcnow()
            session.add(row)


def begin_url(page_origin: str, ticket: str) -> str:
    """Where the sign-in page sends the browser to exchange ``ticket`` for the portal cookie."""
    query = urlencode({"ticket": ticket})
    return f"{browser_origin(get_config().api_url, page_origin)}{BEGIN_PATH}?{query}"


def end_url(page_origin: str) -> str:
    """Where signing out sends the browser to clear the portal cookie."""
    return f"{browser_origin(get_config().api_url, page_origin)}{END_PATH}"


def begin(request: Request) -> Response:
    """Set the portal cookie for a fresh ticket and go to the portal's home; refused (and logged) otherwise."""
    token = None
    if request.headers.get("sec-fetch-site") != "cross-site":
        token = begin_session(request.query_params.get("ticket", ""))
    if token is None:
        record_refusal("portal", request_client_ip(request), {"reason": "unknown, used or expired sign-in ticket"})
        return HTMLResponse(
            f'<p>This sign-in has expired. <a href="{frontend_origin(request)}{SIGN_IN}">Sign in again</a>.</p>',
            status_code=400,
            headers={"Cache-Control": "no-store"},
        )
    response = RedirectResponse(
        f"{frontend_origin(request)}{HOME}", status_code=303, headers={"Cache-Control": "no-store"}
    )
    response.set_cookie(PORTAL_COOKIE, token, max_age=int(SESSION_TTL.total_seconds()), **cookie_flags(request))
    return response


def end(request: Request) -> Response:
    """Clear the cookie of a portal session that has ended and go to the portal's sign-in page."""
    if account_of(request.cookies.get(PORTAL_COOKIE, "")) is not None:
        return RedirectResponse(f"{frontend_origin(request)}{HOME}", status_code=303)
    response = RedirectResponse(
        f"{frontend_origin(request)}{SIGN_IN}", status_code=303, headers={"Cache-Control": "no-store"}
    )
    response.delete_cookie(PORTAL_COOKIE, **cookie_flags(request))
    return response
