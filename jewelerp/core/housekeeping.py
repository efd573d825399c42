"""Platform housekeeping jobs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.models import OAuthFlow
from jewelerp.core.models import AuthSession, EmailToken, EventDelivery, JobRun, LoginAttempt, SignInChallenge
from jewelerp.db import utcnow
from jewelerp.notifications.models import Notification, OutboxAttachment, OutboxMessage

KEEP_LOGIN_ATTEMPTS = timedelta(days=30)
KEEP_DEAD_SESSIONS = timedelta(days=7)
KEEP_JOB_RUNS = timedelta(days=90)
KEEP_DONE_NOTICES = timedelta(days=90)  # read notifications and sent messages
KEEP_DONE_DELIVERIES = timedelta(days=14)  # after-commit event reactions that ran
KEEP_EXPIRED_LINKS = timedelta(days=1)  # provider sign-ins, sign-ins waiting for a code, e-mailed links


def purge_stale_records(session: Session, _actor: Actor | None) -> None:
    """Delete expired or revoked sessions, old login tries, old job runs, read notifications, sent messages,
    event deliveries done long ago (failed ones stay for an admin to retry), and provider sign-ins, sign-ins
    waiting for a two-factor code and e-mailed links that expired over a day ago."""
    now = utcnow()
    session.execute(
        delete(AuthSession).where(
            or_(AuthSession.expires_at < now - KEEP_DEAD_SESSIONS, AuthSession.revoked_at < now - KEEP_DEAD_SESSIONS)
        )
    )
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_LOGIN_ATTEMPTS))
    session.execute(delete(JobRun).where(JobRun.started_at < now - KEEP_JOB_RUNS))
    session.execute(delete(Notification).where(Notification.read_at < now - KEEP_DONE_NOTICES))
    old_sent = (OutboxMessage.status == "sent", OutboxMessage.sent_at < now - KEEP_DONE_NOTICES)
    session.execute(
        delete(OutboxAttachment).where(OutboxAttachment.message_id.in_(select(OutboxMessage.id).where(*old_sent)))
    )
    session.execute(delete(OutboxMessage).where(*old_sent))
    session.execute(
        delete(EventDelivery).where(EventDelivery.status == "done", EventDelivery.done_at < now - KEEP_DONE_DELIVERIES)
    )
    for table in (OAuthFlow, SignInChallenge, EmailToken):
        session.execute(delete(table).where(table.expires_at < now - KEEP_EXPIRED_LINKS))
