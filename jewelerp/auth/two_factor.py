"""Two-factor sign-in with time-based codes (TOTP, RFC 6238, pyotp) and single-use recovery codes.

Setting it up: a new secret is shown as a QR code for the phone's authenticator app, and only the first right code
from it switches two-factor on (the secret is stored encrypted) and makes :data:`RECOVERY_CODES` recovery codes,
shown once and kept as hashes. Signing in: after the password (or a provider) a user with two-factor gets a
:class:`~jewelerp.core.models.SignInChallenge` instead of a session; the code answers it (see
:mod:`jewelerp.auth.second_step`). A code is accepted once: the time step it belongs to is recorded by one
conditional UPDATE, so replaying it (or an older one) fails. :data:`CODE_LIMIT` wrong codes within
:data:`~jewelerp.auth.service.LOCK_WINDOW` lock the second step, like the password lockout.

A store can require it of its admins and managers (``core.require_two_factor``); one who has not set it up is
sent to the set-up page at their next sign-in and can do nothing else until it is done.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import pyotp
from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.audit import current_client_ip, record_event
from jewelerp.core.models import AuthSession, LoginAttempt, RecoveryCode, SignInChallenge, Store, User
from jewelerp.core.settings import get_setting
from jewelerp.core.users import end_sessions, store_roles
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError
from jewelerp.keys import decrypt_secret, encrypt_secret
from jewelerp.qr import qr_png

ISSUER = "JewelERP"
REQUIRED_SETTING = "core.require_two_factor"
REQUIRED_ROLES = ("admin", "manager")
RECOVERY_CODES = 10
CHALLENGE_TTL = timedelta(minutes=5)
CODE_WINDOW = timedelta(minutes=15)
CODE_LIMIT = 5
CODE_RE = re.compile(r"^[0-9]{6}$")
WRONG_CODE = "That code is not right. Check the time on your phone and try the newest code."
USED_CODE = "That code was used already. Wait for the next one."
LOCKED = "Too many wrong codes. Try again in 15 minutes."
T = TypeVar("T")


def new_secret() -> str:
    """A fresh TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32()


def setup_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as a ``data:`` image (no file, no request)."""
    return "data:image/png;base64," + base64.b64encode(qr_png(uri, box_size=6)).decode("ascii")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _normal_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def _new_recovery_codes(session: Session, user_id: int) -> list[str]:
    """Replace the user's recovery codes with :data:`RECOVERY_CODES` new ones (returned once, stored hashed)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [base64.b32encode(secrets.token_bytes(10)).decode("ascii") for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user_id, code_hash=_hash(code)) for code in codes)
    return ["-".join(code[i : i + 4] for i in range(0, 16, 4)) for code in codes]


def _time_step(secret: str, code: str) -> int | None:
    """The time step a right code belongs to (this one or the one before or after), None for a wrong code."""
    if not CODE_RE.match(code):
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, valid_window=1)
    except pyotp.exceptions.OTPVerificationError:
        return None


def _use_step(session: Session, user_id: int, step: int) -> bool:
    """Record ``step`` as the last one used; False when it (or a later one) was used already."""
    used = session.execute(
        update(User)
        .where(User.id == user_id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
    )
    return used.rowcount == 1


def check_code(session: Session, user: User, code: str) -> str | None:
    """Accept a code from the user's app or one of their recovery codes, once; None when it is accepted, else
    the message to show. Writes (the used step, the used recovery code) in the caller's transaction."""
    code = code.strip().replace(" ", "")
    if not user.totp_secret:
        return WRONG_CODE
    step = _time_step(decrypt_secret(user.totp_secret), code)
    if step is not None:
        return None if _use_step(session, user.id or 0, step) else USED_CODE
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(_normal_recovery(code)),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return None if used.rowcount == 1 else WRONG_CODE


def recovery_codes_left(session: Session, user_id: int) -> int:
    """How many unused recovery codes the user has."""
    return session.exec(
        select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    ).one()


def is_required(session: Session, user_id: int) -> bool:
    """Whether a store requires two-factor of this user: they are admin or manager of an active store whose
    ``core.require_two_factor`` is on."""
    roles = store_roles(session, user_id)
    stores = session.exec(select(Store.id).where(Store.active, Store.id.in_(list(roles)))).all()
    return any(roles[s] in REQUIRED_ROLES and get_setting(session, s, REQUIRED_SETTING) for s in stores)


def locked(session: Session, email: str) -> bool:
    """Whether the user's second step is locked: :data:`CODE_LIMIT` wrong codes within :data:`CODE_WINDOW`."""
    since = utcnow() - CODE_WINDOW
    wrong = session.exec(
        select(func.count()).where(
            LoginAttempt.kind == "code",
            LoginAttempt.email == email,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > since,
        )
    ).one()
    return wrong >= CODE_LIMIT


def begin_challenge(session: Session, user: User, method: str, client_ip: str, user_agent: str) -> str:
    """A sign-in waiting for its code (:data:`CHALLENGE_TTL`); returns its token, kept by the page."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        SignInChallenge(
            token_hash=_hash(token),
            user_id=user.id or 0,
            method=method[:20],
            client_ip=client_ip[:45],
            user_agent=user_agent[:300],
            created_at=now,
            expires_at=now + CHALLENGE_TTL,
        )
    )
    return token


def live_challenge(session: Session, token: str) -> SignInChallenge | None:
    """The unused, unexpired challenge of ``token`` (None otherwise)."""
    if not token or len(token) > 100:
        return None
    row = session.exec(select(SignInChallenge).where(SignInChallenge.token_hash == _hash(token))).first()
    return row if row is not None and row.used_at is None and row.expires_at > utcnow() else None


def spend_challenge(session: Session, challenge_id: int) -> bool:
    """Use the challenge up, once (one conditional UPDATE)."""
    spent = session.execute(
        update(SignInChallenge)
        .where(SignInChallenge.id == challenge_id, SignInChallenge.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return spent.rowcount == 1


def enable(session: Session, user_id: int, secret: str, code: str, client_ip: str) -> list[str]:
    """Switch two-factor on with ``secret`` once ``code`` from the app proves it was set up; returns the recovery
    codes (shown once). Sessions waiting for the user to set it up may go on."""
    user = session.get(User, user_id)
    if user is None:
        raise JewelError("That account no longer exists.")
    if user.totp_enabled_at is not None:
        raise JewelError("Two-factor sign-in is on already.")
    step = _time_step(secret, code.strip().replace(" ", ""))
    if step is None:
        raise ValidationError({"code": WRONG_CODE})
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = encrypt_secret(secret), utcnow(), step
    session.add(user)
    session.execute(update(AuthSession).where(AuthSession.user_id == user_id).values(must_enrol=False))
    record_event(session, "two_factor", "2fa_on", client_ip, {}, user_id=user_id, user_name=user.name)
    return _new_recovery_codes(session, user_id)


def wrong_code(email: str, client_ip: str) -> None:
    """Count a wrong code against the user (in its own transaction: the refused work wrote nothing); the one that
    locks the second step is in the audit log."""
    with unit_of_work() as session:
        session.add(LoginAttempt(email=email, client_ip=client_ip, kind="code", success=False, at=utcnow()))
        session.flush()
        if locked(session, email):
            record_event(session, "two_factor", "lockout", client_ip, {"email": email})


def _with_code(user_id: int, code: str, client_ip: str, act: Callable[[Session, User], T]) -> T:
    """Run ``act`` once a current code (or a recovery code) proves it is the user; a wrong one is counted."""
    with unit_of_work() as session:
        user = session.get(User, user_id)
        if user is None or user.totp_enabled_at is None:
            raise JewelError("Two-factor sign-in is off.")
        if locked(session, user.email):
            raise JewelError(LOCKED)
        problem = check_code(session, user, code)
        if problem is None:
            return act(session, user)
        email = user.email
    wrong_code(email, client_ip)
    raise ValidationError({"code": problem})


def disable(user_id: int, code: str, client_ip: str) -> None:
    """Switch two-factor off (a current code proves it is the user); refused where a store requires it."""
    with read_session() as session:
        if is_required(session, user_id):
            raise JewelError("Your store requires two-factor sign-in for your role: it cannot be switched off.")

    def switch_off(session: Session, user: User) -> None:
        user.totp_secret, user.totp_enabled_at, user.totp_last_step = "", None, None
        session.add(user)
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        record_event(session, "two_factor", "2fa_off", client_ip, {}, user_id=user_id, user_name=user.name)

    _with_code(user_id, code, client_ip, switch_off)


def replace_recovery_codes(user_id: int, code: str, client_ip: str) -> list[str]:
    """New recovery codes (the old ones stop working), once a current code proves it is the user."""

    def replace(session: Session, user: User) -> list[str]:
        record_event(session, "two_factor", "new_codes", client_ip, {}, user_id=user_id, user_name=user.name)
        return _new_recovery_codes(session, user_id)

    return _with_code(user_id, code, client_ip, replace)


def reset_for(session: Session, actor: Actor, user_id: int) -> None:
    """An admin switches someone's two-factor sign-in off (a lost phone and lost recovery codes); every session
    of theirs ends, and they may set it up again (a store requiring it sends them to do so)."""
    actor.require("core.users.manage")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That account no longer exists.")
    if user.totp_enabled_at is None:
        raise JewelError("Two-factor sign-in is already off for this account.")
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = "", None, None
    session.add(user)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    end_sessions(session, user_id)
    record_event(
        session,
        "two_factor",
        "2fa_reset",
        current_client_ip(),
        {"user": user.email},
        user_id=actor.user_id,
        user_name=actor.user_name,
        store_id=actor.store_id,
    )
