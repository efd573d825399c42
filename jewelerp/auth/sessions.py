"""The sessions a user has open (device, address, last seen), and ending them: one, all, or all of someone else's
(an admin). Ending a session makes the next event from that browser land on the sign-in page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from jewelerp.auth.actor import Actor
from jewelerp.core.audit import record_event
from jewelerp.core.models import AuthSession, User
from jewelerp.core.users import end_sessions
from jewelerp.db import utcnow
from jewelerp.errors import NotFound

BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
METHODS = {"password": "Password"}


@dataclass(frozen=True)
class OpenSession:
    """One open session as the sessions page lists it."""

    id: int
    device: str
    client_ip: str
    method: str
    signed_in_at: datetime
    last_seen_at: datetime
    current: bool


def device_label(user_agent: str) -> str:
    """A short name for the browser and system a ``User-Agent`` describes: "Chrome on Android"."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if re.search(re.escape(mark), user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"


def _open(user_id: int) -> SelectOfScalar[AuthSession]:
    return select(AuthSession).where(
        AuthSession.user_id == user_id,
        AuthSession.token_hash.is_not(None),
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > utcnow(),
    )


def open_sessions(session: Session, user_id: int, current_session_id: int) -> list[OpenSession]:
    """The user's own open sessions, most recently used first."""
    rows = session.exec(_open(user_id).order_by(AuthSession.last_seen_at.desc(), AuthSession.id.desc())).all()
    return [
        OpenSession(
            row.id or 0,
            device_label(row.user_agent),
            row.client_ip or "unknown",
            METHODS.get(row.method, row.method.title()),
            row.created_at,
            row.last_seen_at,
            row.id == current_session_id,
        )
        for row in rows
    ]


def end_own_session(session: Session, user_id: int, session_id: int, client_ip: str) -> None:
    """Sign out one of the user's own sessions (another device's, or this one)."""
    ended = session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if ended.rowcount != 1:
        raise NotFound("That session has already ended.")
    record_event(session, "session", "sign_out", client_ip, {"session": session_id}, **_who(session, user_id))


def end_all_own_sessions(session: Session, user_id: int, client_ip: str) -> None:
    """Sign the user out everywhere, this browser included."""
    end_sessions(session, user_id)
    record_event(session, "session", "end_all", client_ip, {}, **_who(session, user_id))


def _who(session: Session, user_id: int) -> dict[str, object]:
    user = session.get(User, user_id)
    return {"user_id": user_id, "user_name": user.name if user else "anonymous"}


def end_user_sessions(session: Session, actor: Actor, user_id: int, client_ip: str) -> int:
    """An admin ends every open session of ``user_id``; returns how many were open."""
    actor.require("core.users.manage")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That account no longer exists.")
    count = len(session.exec(_open(user_id)).all())
    end_sessions(session, user_id)
    record_event(
        session,
        "session",
        "end_all",
        client_ip,
        {"user": user.email, "open": count},
        user_id=actor.user_id,
        user_name=actor.user_name,
        store_id=actor.store_id,
    )
    return count
