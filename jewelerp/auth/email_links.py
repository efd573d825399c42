"""Single-use links sent by e-mail (a password reset, an address to confirm, later an invitation).

Only a link's SHA-256 is stored (``core_email_token``); it works for :data:`LINK_TTL`, once, and a newer link of
the same purpose for the same user revokes the older ones. The mail goes through the outbox of the user's first
store (its SMTP settings) and is handed to the mail server right after the commit, so nobody waits for the
outbox job; when that fails the job tries again.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from functools import partial
from urllib.parse import urlencode

from sqlalchemy import update
from sqlmodel import Session, select

from jewelerp.core.models import EmailToken, Store, User, UserStoreRole
from jewelerp.db import on_commit, utcnow
from jewelerp.notifications.outbox import deliver_due, queue_message

log = logging.getLogger(__name__)
LINK_TTL = timedelta(minutes=30)
PURPOSES = ("reset", "confirm")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(session: Session, purpose: str, user_id: int, email: str) -> str:
    """A new link token for ``user_id`` at ``email``; earlier unused ones of the same purpose stop working."""
    now = utcnow()
    session.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user_id,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
            EmailToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        EmailToken(
            purpose=purpose,
            user_id=user_id,
            email=email,
            token_hash=_hash(token),
            created_at=now,
            expires_at=now + LINK_TTL,
        )
    )
    return token


def usable_link(session: Session, purpose: str, token: str) -> EmailToken | None:
    """The link's row while it still works (unused, not revoked, not expired), else None. Reads only."""
    if not token or len(token) > 100:
        return None
    row = session.exec(select(EmailToken).where(EmailToken.token_hash == _hash(token))).first()
    if row is None or row.purpose != purpose or row.used_at or row.revoked_at or row.expires_at <= utcnow():
        return None
    return row


def spend_link(session: Session, purpose: str, token: str) -> EmailToken | None:
    """Use the link up, once: one conditional UPDATE, so two clicks racing cannot both succeed. None when it no
    longer works."""
    row = usable_link(session, purpose, token)
    if row is None:
        return None
    spent = session.execute(
        update(EmailToken)
        .where(EmailToken.id == row.id, EmailToken.used_at.is_(None), EmailToken.revoked_at.is_(None))
        .values(used_at=utcnow())
    )
    return row if spent.rowcount == 1 else None


def link_url(origin: str, path: str, token: str) -> str:
    """The link as the mail shows it: ``origin`` (the app as the browser reached it) + ``path?token=...``."""
    return f"{origin.rstrip('/')}{path}?{urlencode({'token': token})}"


def mail_store_id(session: Session, user_id: int) -> int | None:
    """The store whose mail server sends the user's mail: their first active store (None: they have none)."""
    return session.exec(
        select(Store.id)
        .join(UserStoreRole, UserStoreRole.store_id == Store.id)
        .where(UserStoreRole.user_id == user_id, Store.active)
        .order_by(Store.id)
    ).first()


def mail_link(
    session: Session, purpose: str, user: User, email: str, origin: str, path: str, subject: str, body: str
) -> bool:
    """Issue a ``purpose`` link for ``user`` and mail it to ``email``, sent once the caller's transaction commits.

    ``body`` is a template with ``{name}``, ``{email}`` and ``{link}`` (``origin`` + ``path?token=...``). False (and
    nothing queued) when the user has no active store whose mail server could send it.
    """
    store_id = mail_store_id(session, user.id or 0)
    if store_id is None:
        return False
    token = issue_link(session, purpose, user.id or 0, email)
    text = body.format(name=user.name, email=email, link=link_url(origin, path, token))
    send_mail(session, store_id, email, subject, text, f"core.{purpose}")
    return True


def send_mail(session: Session, store_id: int, email: str, subject: str, body: str, source: str) -> None:
    """Queue a mail in the caller's transaction and hand it to the store's mail server right after the commit
    (nobody waits for the outbox job; when the server fails, the job retries it)."""
    message = queue_message(session, store_id, "email", email, subject, body, source)
    on_commit(session, partial(_deliver, message.id or 0))


def _deliver(message_id: int) -> None:
    report = deliver_due(message_ids=[message_id])
    if report.errors:
        log.warning("mail %s not sent yet (the outbox job will retry): %s", message_id, report.errors[message_id])
