"""In-app notifications for staff: created by any module, read by the person they are for.

A notice addressed to a role becomes one row per person holding that role in the
store, so each person reads (and clears) their own copy.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, func, update
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.models import User, UserStoreRole
from jewelerp.core.roles import role_by_code
from jewelerp.db import utcnow
from jewelerp.errors import NotFound, require_fields
from jewelerp.live import announce
from jewelerp.notifications.models import Notification

TITLE_MAX = 200
LINK_MAX = 300
PAGE_LIMIT = 50


def _check(title: str, link: str) -> tuple[str, str]:
    title, link = " ".join(title.split()), link.strip()
    errors = {}
    if not title:
        errors["title"] = "Give the notification a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters."
    if link and (not link.startswith("/") or link.startswith("//") or len(link) > LINK_MAX):
        errors["link"] = "A link must be a page of this app, like /repairs/jobs/12."
    require_fields(errors)
    return title, link


def _recipients(session: Session, store_id: int, user_ids: Iterable[int] | None, role: str | None) -> list[int]:
    if (user_ids is None) == (role is None):
        raise ValueError("notify_staff needs either user_ids or role, not both")
    stmt = (
        select(UserStoreRole.user_id)
        .join(User, User.id == UserStoreRole.user_id)
        .where(UserStoreRole.store_id == store_id, User.active)
    )
    if role is not None:
        stmt = stmt.where(UserStoreRole.role_id == role_by_code(session, role).id)
    else:
        stmt = stmt.where(UserStoreRole.user_id.in_(set(user_ids or ())))
    return sorted(set(session.exec(stmt)))


def notify_staff(
    session: Session,
    store_id: int,
    *,
    user_ids: Iterable[int] | None = None,
    role: str | None = None,
    title: str,
    body: str = "",
    link: str = "",
) -> list[Notification]:
    """Leave an in-app notice for some staff of a store, in the caller's transaction.

    Give ``user_ids`` or a ``role`` code (``"sales"``); only active people holding a
    role in the store receive it. ``link`` is a route of this app (``/repairs/jobs/12``).
    Returns the rows created (one per person). A bad title or link raises ValidationError.
    """
    title, link = _check(title, link)
    rows = [
        Notification(store_id=store_id, user_id=user_id, title=title, body=body.strip(), link=link)
        for user_id in _recipients(session, store_id, user_ids, role)
    ]
    session.add_all(rows)
    session.flush()
    for user_id in {row.user_id for row in rows}:
        announce(session, notifications_channel(user_id))
    return rows


def notifications_channel(user_id: int) -> str:
    """The live channel of a person's notices: the bell of each of their tabs listens on it."""
    return f"core.notifications:{user_id}"


def _mine(actor: Actor) -> ColumnElement[bool]:
    return (Notification.user_id == actor.user_id) & (Notification.store_id == actor.store_id)


def unread_count(session: Session, actor: Actor) -> int:
    """How many notices the actor has not read in the current store (one indexed count)."""
    if actor.user_id is None:
        return 0
    stmt = select(func.count()).select_from(Notification).where(_mine(actor), Notification.read_at.is_(None))
    return session.exec(stmt).one()


def notifications_for(
    session: Session, actor: Actor, *, unread_only: bool = False, limit: int = PAGE_LIMIT
) -> list[Notification]:
    """The actor's newest notices in the current store, unread ones only if asked."""
    if actor.user_id is None:
        return []
    stmt = select(Notification).where(_mine(actor))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.exec(stmt.order_by(Notification.id.desc()).limit(limit)))


def unread_for(session: Session, actor: Actor, limit: int = PAGE_LIMIT) -> list[Notification]:
    """The actor's unread notices in the current store, newest first."""
    return notifications_for(session, actor, unread_only=True, limit=limit)


def mark_read(session: Session, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's own notices read (reading it again changes nothing)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != actor.user_id or row.store_id != actor.store_id:
        raise NotFound("That notification is not yours or no longer exists.")
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)
        session.flush()
    return row


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every unread notice of the actor in the current store read; returns how many."""
    if actor.user_id is None:
        return 0
    result = session.execute(
        update(Notification).where(_mine(actor), Notification.read_at.is_(None)).values(read_at=utcnow())
    )
    return result.rowcount
