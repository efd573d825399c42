"""Login with lockout, server-side sessions, store switching and password changes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.auth.passwords import hash_password, password_problem, verify_password
from jewelerp.core.models import AuthSession, LoginAttempt, Role, RolePermission, Store, User
from jewelerp.core.module_states import enabled_modules
from jewelerp.core.roles import user_role_in_store
from jewelerp.core.users import store_roles
from jewelerp.db import utcnow
from jewelerp.errors import AuthError, ValidationError
from jewelerp.registry import get_registry

SESSION_TTL = timedelta(hours=12)
LOCKOUT_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
WRONG_CREDENTIALS = "Wrong email or password."
LOCKED_OUT = "Too many failed sign-in attempts. Try again in 15 minutes."


@dataclass(frozen=True)
class SessionInfo:
    """A live session: the user and their current store."""

    session_id: int
    user_id: int
    store_id: int


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _recent_failures(session: Session, email: str) -> int:
    since = utcnow() - LOCKOUT_WINDOW
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.success)
    ).one()
    if last_success and last_success > since:
        since = last_success
    return session.exec(
        select(func.count()).where(
            LoginAttempt.email == email, LoginAttempt.at > since, LoginAttempt.success.is_(False)
        )
    ).one()


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login try: a token, or the message to show."""

    token: str | None = None
    error: str | None = None


def login(session: Session, email: str, password: str) -> LoginResult:
    """Check the credentials and open a session.

    Every try is recorded, failed ones too, so the caller commits in both cases.
    Failure messages never tell whether the email exists.
    """
    email = email.strip().lower()
    if not email or not password:
        return LoginResult(error="Enter your email and password.")
    if _recent_failures(session, email) >= MAX_FAILURES:
        session.add(LoginAttempt(email=email, success=False))
        return LoginResult(error=LOCKED_OUT)
    user = session.exec(select(User).where(User.email == email)).first()
    ok = verify_password(user.password_hash if user else None, password) and user is not None
    session.add(LoginAttempt(email=email, success=ok))
    session.flush()
    if not ok:
        locked = _recent_failures(session, email) >= MAX_FAILURES
        return LoginResult(error=LOCKED_OUT if locked else WRONG_CREDENTIALS)
    if not user.active:
        return LoginResult(error="This account is disabled. Ask an admin to re-enable it.")
    stores = _user_store_ids(session, user.id)
    if not stores:
        return LoginResult(error="Your account has no store access yet. Ask an admin to give you a role.")
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(
            token_hash=_hash_token(token), user_id=user.id, store_id=stores[0], expires_at=utcnow() + SESSION_TTL
        )
    )
    session.flush()
    return LoginResult(token=token)


def _user_store_ids(session: Session, user_id: int) -> list[int]:
    roles = store_roles(session, user_id)
    active = session.exec(select(Store.id).where(Store.active).order_by(Store.id)).all()
    return [sid for sid in active if sid in roles]


def _live(session: Session, token: str) -> AuthSession | None:
    if not token:
        return None
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _hash_token(token))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row


def resolve(session: Session, token: str) -> SessionInfo | None:
    """The live session for ``token``, or None when missing, expired, revoked or the user is inactive."""
    row = _live(session, token)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    stores = _user_store_ids(session, user.id)
    if not stores:
        return None
    store_id = row.store_id if row.store_id in stores else stores[0]
    return SessionInfo(row.id, user.id, store_id)


def logout(session: Session, token: str) -> None:
    """Revoke the session of ``token`` (no error if it is already gone)."""
    row = _live(session, token)
    if row is not None:
        row.revoked_at = utcnow()
        session.add(row)


def switch_store(session: Session, token: str, store_id: int) -> None:
    """Make ``store_id`` the session's current store, if the user has a role there."""
    row = _live(session, token)
    if row is None:
        raise AuthError("Your session has ended. Sign in again.")
    if store_id not in _user_store_ids(session, row.user_id):
        raise AuthError("You have no role in that store.")
    row.store_id = store_id
    session.add(row)


def change_password(
    session: Session, user_id: int, current: str, new: str, confirm: str, keep_session_id: int | None = None
) -> None:
    """Change one's own password; the user's other sessions are signed out."""
    user = session.get(User, user_id)
    errors: dict[str, str] = {}
    if user is None or not verify_password(user.password_hash, current):
        errors["current"] = "Your current password is not right."
    problem = password_problem(new)
    if problem:
        errors["new"] = problem
    elif new != confirm:
        errors["confirm"] = "The two new passwords differ."
    if errors:
        raise ValidationError(errors)
    user.password_hash = hash_password(new)
    session.add(user)
    now = utcnow()
    for other in session.exec(
        select(AuthSession).where(
            AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.id != keep_session_id
        )
    ):
        other.revoked_at = now
        session.add(other)


def build_actor(session: Session, user_id: int, store_id: int) -> Actor:
    """The actor for a user in a store: role permissions limited to enabled modules."""
    user = session.get(User, user_id)
    store = session.get(Store, store_id)
    role = user_role_in_store(session, user_id, store_id)
    if user is None or store is None or role is None:
        raise AuthError("You have no role in this store.")
    return _actor(session, user.id, user.name, store, role)


def system_actor(session: Session, store_id: int) -> Actor:
    """An actor with every permission in the store, for jobs, the CLI and demo data."""
    store = session.get(Store, store_id)
    if store is None:
        raise AuthError("Unknown store.")
    return _actor(session, None, "system", store, None)


def _actor(session: Session, user_id: int | None, name: str, store: Store, role: Role | None) -> Actor:
    registry = get_registry()
    modules = enabled_modules(session, store.id, registry)
    if role is None:
        granted = {p.name for _m, p in registry.permissions()}
    else:
        granted = set(session.exec(select(RolePermission.permission).where(RolePermission.role_id == role.id)))
    allowed = frozenset(p for p in granted if registry.module_of_permission(p) in modules)
    role_code = role.code if role else "system"
    return Actor(user_id, name, store.id, store.code, role_code, allowed, frozenset(modules), store.time_zone)
