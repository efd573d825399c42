"""Sign-in with limits per address and account, server-side sessions, store switching and passwords.

Password checks (argon2, ~130 ms) never run inside a write transaction: a sign-in reads
the account in a read session, verifies, then records the try and opens the session in
a short write transaction. :func:`login` blocks, so handlers call it in a worker thread;
at most :data:`MAX_CONCURRENT_CHECKS` run at once and further tries are refused at once.

Limits, all over the last :data:`LOCK_WINDOW` and counting only real password checks
(tries refused by a lock are not counted, so hammering a lock neither extends nor spreads it):

* per address and account (:data:`PAIR_LIMIT` failures since that pair's last success):
  the guesser at one address is stopped on that account;
* per address (:data:`ADDRESS_LIMIT` failures over all accounts): spraying a few passwords
  over many accounts from one address is stopped;
* per account (:data:`ACCOUNT_LIMIT` failures from all addresses), a high ceiling that one
  address can never reach alone (its own limit stops it first); once reached by many
  addresses together, the account is closed only to addresses that have not signed in to it
  before (:data:`KNOWN_ADDRESS_FOR`), so its owner still signs in from their usual place.

The real user at another address is therefore never locked out by an attacker at one address.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, select

from jewelerp.auth import two_factor
from jewelerp.auth.actor import Actor
from jewelerp.auth.passwords import hash_password, password_problem, verify_password
from jewelerp.core.audit import record_event, record_refusal
from jewelerp.core.models import AuthSession, LoginAttempt, Role, RolePermission, Store, User
from jewelerp.core.module_states import enabled_modules
from jewelerp.core.roles import user_role_in_store
from jewelerp.core.settings import get_setting
from jewelerp.core.users import end_sessions, store_roles
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import AuthError, ValidationError
from jewelerp.registry import get_registry

SESSION_TTL = timedelta(hours=12)
TICKET_TTL = timedelta(seconds=60)
SEEN_EVERY = timedelta(minutes=1)
IDLE_SETTING = "core.session_idle_minutes"
IDLE_MINUTES = (5, 720)
LOCK_WINDOW = timedelta(minutes=15)
PAIR_LIMIT = 5
ADDRESS_LIMIT = 10
ACCOUNT_LIMIT = 50
KNOWN_ADDRESS_FOR = timedelta(days=30)
MAX_CONCURRENT_CHECKS = 4
UNKNOWN_ADDRESS = "unknown"
EMAIL_MAX = 254
WRONG_CREDENTIALS = "Wrong email or password."
LOCKED_OUT = "Too many failed sign-in attempts. Try again in 15 minutes."
BUSY = "Too many sign-ins at once, try again in a moment."
ENTER_BOTH = "Enter your email and password."
_checks = threading.BoundedSemaphore(MAX_CONCURRENT_CHECKS)


@dataclass(frozen=True)
class SessionInfo:
    """A live session: the user, their current store, whether its last use is due to be recorded, and whether the
    user must set up two-factor sign-in before anything else."""

    session_id: int
    user_id: int
    store_id: int
    seen_due: bool = False
    must_enrol: bool = False


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in: a one-time ticket to exchange for the session cookie, a challenge for the
    two-factor code, or the message to show.

    ``reason`` is what the security log records for a refusal (never shown, never a secret).
    """

    ticket: str | None = None
    error: str | None = None
    reason: str = ""
    challenge: str | None = None  # the password was right; the two-factor code is still due


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _failures(session: Session, since: datetime, *where: Any, kind: str = "password") -> int:
    return session.exec(
        select(func.count()).where(
            LoginAttempt.success.is_(False), LoginAttempt.at > since, LoginAttempt.kind == kind, *where
        )
    ).one()


def _last_success(session: Session, *where: Any) -> datetime | None:
    return session.exec(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.success, LoginAttempt.kind == "password", *where)
    ).one()


def _lock_reason(session: Session, email: str, client_ip: str) -> str | None:
    """Why a sign-in to ``email`` from ``client_ip`` is refused before any password check, or None."""
    now = utcnow()
    since = now - LOCK_WINDOW
    if _failures(session, since, LoginAttempt.client_ip == client_ip) >= ADDRESS_LIMIT:
        return "too many failures from this address"
    pair = (LoginAttempt.email == email, LoginAttempt.client_ip == client_ip)
    last_ok = _last_success(session, *pair)
    if _failures(session, max(since, last_ok or since), *pair) >= PAIR_LIMIT:
        return "too many failures for this account from this address"
    if _failures(session, since, LoginAttempt.email == email) >= ACCOUNT_LIMIT and (
        last_ok is None or last_ok < now - KNOWN_ADDRESS_FOR
    ):
        return "too many failures for this account, from a new address"
    return None


def login(email: str, password: str, client_ip: str, user_agent: str = "") -> LoginResult:
    """Check the credentials and open a session waiting for its cookie (see :func:`begin_session`).

    Blocking: call it from a worker thread. Every password check is recorded with the
    address; every refusal but a busy one is logged with :func:`record_refusal` (a busy
    refusal writes nothing, so a flood cannot turn into writes). Messages never tell
    whether the email exists.
    """
    email = email.strip().lower()[:EMAIL_MAX]
    if not email or not password:
        return LoginResult(error=ENTER_BOTH)
    if not _checks.acquire(blocking=False):
        return LoginResult(error=BUSY)
    client_ip = client_ip or UNKNOWN_ADDRESS
    try:
        result = _login(email, password, client_ip, user_agent)
    finally:
        _checks.release()
    if result.reason:
        record_refusal("login", client_ip, {"email": email, "reason": result.reason})
    return result


def _login(email: str, password: str, client_ip: str, user_agent: str) -> LoginResult:
    with read_session() as session:
        locked = _lock_reason(session, email, client_ip)
        user = session.exec(select(User).where(User.email == email)).first()
        user_id, stored_hash = (user.id, user.password_hash) if user else (None, None)
    if locked:
        return LoginResult(error=LOCKED_OUT, reason=locked)
    ok = verify_password(stored_hash, password) and user_id is not None
    with unit_of_work() as session:
        session.add(LoginAttempt(email=email, client_ip=client_ip, success=ok, at=utcnow()))
        if ok:
            return _open_password_session(session, user_id, stored_hash, client_ip, user_agent)
        session.flush()
        locked = _lock_reason(session, email, client_ip)
    return LoginResult(error=LOCKED_OUT if locked else WRONG_CREDENTIALS, reason="wrong email or password")


def _open_password_session(
    session: Session, user_id: int, verified_hash: str, client_ip: str, user_agent: str
) -> LoginResult:
    user = session.get(User, user_id)
    if user is None or user.password_hash != verified_hash:
        return LoginResult(error=WRONG_CREDENTIALS, reason="password changed during the check")
    return open_session(session, user, "password", client_ip, user_agent)


def open_session(
    session: Session, user: User, method: str, client_ip: str, user_agent: str, *, second_factor: bool = False
) -> LoginResult:
    """Open a session, waiting for its cookie (:func:`begin_session`), for ``user`` whose identity ``method``
    (``password``, ``google`` ...) has just proved: refused when the account is disabled or has no store. A user
    with two-factor sign-in gets a challenge for their code instead, unless ``second_factor`` says it was given
    (:mod:`jewelerp.auth.second_step`).

    Runs in the caller's write transaction; records where the sign-in came from (sessions page, audit log).
    """
    if not user.active:
        return LoginResult(error="This account is disabled. Ask an admin to re-enable it.", reason="account disabled")
    stores = _user_store_ids(session, user.id)
    if not stores:
        return LoginResult(
            error="Your account has no store access yet. Ask an admin to give you a role.", reason="no store access"
        )
    if user.totp_enabled_at is not None and not second_factor:
        return LoginResult(challenge=two_factor.begin_challenge(session, user, method, client_ip, user_agent))
    ticket = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AuthSession(
            ticket_hash=_hash_token(ticket),
            ticket_expires_at=now + TICKET_TTL,
            user_id=user.id,
            store_id=stores[0],
            expires_at=now + SESSION_TTL,
            method=method[:20],
            client_ip=client_ip[:45],
            user_agent=user_agent[:300],
            second_factor=second_factor,
            must_enrol=user.totp_enabled_at is None and two_factor.is_required(session, user.id or 0),
        )
    )
    detail = {"method": method, "two_factor": second_factor}
    record_event(session, "login", "sign_in", client_ip, detail, user_id=user.id, user_name=user.name)
    return LoginResult(ticket=ticket)


def begin_session(ticket: str) -> str | None:
    """Exchange a sign-in ticket for the session token: once, within :data:`TICKET_TTL`.

    None when the ticket is unknown, used or expired. One conditional UPDATE, so two
    requests racing with one ticket cannot both get a token.
    """
    if not ticket:
        return None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with unit_of_work() as session:
        consumed = session.execute(
            update(AuthSession)
            .where(
                AuthSession.ticket_hash == _hash_token(ticket),
                AuthSession.ticket_expires_at > now,
                AuthSession.revoked_at.is_(None),
            )
            .values(token_hash=_hash_token(token), ticket_hash=None, ticket_expires_at=None, last_seen_at=now)
        )
    return token if consumed.rowcount == 1 else None


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


def idle_limit(session: Session, store_id: int) -> timedelta:
    """How long a session of the store may go unused: the store's setting, kept within :data:`IDLE_MINUTES`."""
    low, high = IDLE_MINUTES
    return timedelta(minutes=min(max(int(get_setting(session, store_id, IDLE_SETTING)), low), high))


def resolve(session: Session, token: str) -> SessionInfo | None:
    """The live session for ``token``, or None when missing, expired, revoked, idle too long or the user is inactive.

    Reads only (any session will do); ``seen_due`` tells the caller to record the use with :func:`mark_seen`.
    """
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
    idle = utcnow() - row.last_seen_at
    if idle > idle_limit(session, store_id):
        return None
    return SessionInfo(row.id, user.id, store_id, seen_due=idle >= SEEN_EVERY, must_enrol=row.must_enrol)


def mark_seen(session_id: int) -> None:
    """Record that the session is in use, at most once per :data:`SEEN_EVERY` (a conditional UPDATE in its own
    short transaction, so sessions do not turn every event into a write)."""
    now = utcnow()
    with unit_of_work() as session:
        session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.last_seen_at <= now - SEEN_EVERY)
            .values(last_seen_at=now)
        )


def authenticate(token: str) -> SessionInfo | None:
    """:func:`resolve` ``token`` and record its use when due: what every request of a signed-in page does.

    Call it outside any transaction (it may open a short write transaction of its own).
    """
    with read_session() as session:
        info = resolve(session, token)
    if info is not None and info.seen_due:
        mark_seen(info.session_id)
    return info


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


def change_password(user_id: int, current: str, new: str, confirm: str, keep_session_id: int | None = None) -> None:
    """Change one's own password; the user's other sessions are signed out.

    Blocking (two argon2 runs, outside the write transaction): call it from a worker thread.
    """
    with read_session() as session:
        user = session.get(User, user_id)
        old_hash = user.password_hash if user else None
    errors: dict[str, str] = {}
    if not verify_password(old_hash, current):
        errors["current"] = "Your current password is not right."
    problem = password_problem(new)
    if problem:
        errors["new"] = problem
    elif new != confirm:
        errors["confirm"] = "The two new passwords differ."
    if errors:
        raise ValidationError(errors)
    new_hash = hash_password(new)
    with unit_of_work() as session:
        user = session.get(User, user_id)
        if user is None or user.password_hash != old_hash:
            raise ValidationError({"current": "Your password was changed meanwhile. Sign in again."})
        user.password_hash = new_hash
        session.add(user)
        end_sessions(session, user_id, keep_session_id)


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
