"""Platform housekeeping jobs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import AuthSession, JobRun, LoginAttempt
from jewelerp.db import utcnow

KEEP_LOGIN_ATTEMPTS = timedelta(days=30)
KEEP_DEAD_SESSIONS = timedelta(days=7)
KEEP_JOB_RUNS = timedelta(days=90)


def purge_stale_records(session: Session, _actor: Actor | None) -> None:
    """Delete expired or revoked sessions, old login tries and old job runs."""
    now = utcnow()
    session.execute(
        delete(AuthSession).where(
            or_(AuthSession.expires_at < now - KEEP_DEAD_SESSIONS, AuthSession.revoked_at < now - KEEP_DEAD_SESSIONS)
        )
    )
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_LOGIN_ATTEMPTS))
    session.execute(delete(JobRun).where(JobRun.started_at < now - KEEP_JOB_RUNS))
