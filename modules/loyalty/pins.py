"""The member's redemption PIN and the one-time codes that change it: keyed hashes, checks and the lockout.

- **Hash**: HMAC-SHA256 over a random per-member salt and the PIN (or code), keyed with a sub-key of the
  server's secret key (:func:`jewelerp.keys.raw_key`, kept outside the database), stored as
  ``hmac1$<salt>$<digest>``. Not argon2: a PIN has at most a million values, so a slow hash stolen with
  the database falls in hours anyway, while a key the database does not hold makes a stolen hash useless.
  The check also takes microseconds, so it runs inside billing's payment transaction (which holds
  SQLite's write lock) and on the event loop without stalling other counters. PINs saved as argon2 before
  still verify and are re-hashed at their next right use.
- **Lockout**: :data:`MAX_TRIES` wrong PINs or codes in a row (at redemption or when changing the PIN)
  lock the member's redemption until a manager unlocks it (``loyalty.pin.reset``). There is no
  time-out: with one, a colleague could try 5 PINs every half hour and find a 4-digit PIN within weeks.
  A right PIN or code clears the count.
- A wrong try refuses the request, which rolls back and writes nothing; the count and an audit entry with
  the client's IP (:func:`jewelerp.core.audit.record_refusal`) are written after that rollback in their
  own short transaction, so the refusal cannot undo them. Messages never show a PIN or a code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import NoReturn

from sqlalchemy import event
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.passwords import verify_password
from jewelerp.core.audit import current_client_ip, record_refusal
from jewelerp.db import unit_of_work, utcnow
from jewelerp.errors import JewelError, ValidationError
from jewelerp.keys import SECRET, raw_key
from modules.loyalty.models import Member

MAX_TRIES = 5
CODE_DIGITS = 6
CODE_MINUTES = 10
CODE_TTL = timedelta(minutes=CODE_MINUTES)
SCHEME = "hmac1"
PURPOSE = b"jewelerp loyalty pin v1"
REFUSAL = "loyalty.pin"


def _digest(salt: str, secret: str) -> str:
    key = hmac.new(raw_key(SECRET), PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, f"{salt}:{secret}".encode(), hashlib.sha256).hexdigest()


def hash_secret(secret: str) -> str:
    """A keyed, salted hash of a PIN or one-time code, to store."""
    salt = secrets.token_hex(16)
    return f"{SCHEME}${salt}${_digest(salt, secret)}"


def _matches(stored: str, secret: str) -> bool:
    scheme, _, rest = stored.partition("$")
    if scheme == SCHEME:
        salt, _, digest = rest.partition("$")
        return hmac.compare_digest(digest, _digest(salt, secret))
    return stored.startswith("$argon2") and verify_password(stored, secret)


def is_locked(member: Member) -> bool:
    """Whether too many wrong PINs or codes locked the member's redemption."""
    return member.pin_locked_at is not None


def locked_message(member: Member) -> str:
    """What the counter is told while the member is locked (no PIN, no count of tries)."""
    return (
        f"Redemption for {member.customer_name} is locked after {MAX_TRIES} wrong PINs or codes: "
        "a manager can unlock it on the member page."
    )


def _count_failure(actor: Actor, member_id: int, check: str, client_ip: str) -> None:
    """One more wrong try for the member (locking at the limit) and the refusal in the audit log."""
    with unit_of_work(actor) as session:
        member = session.get(Member, member_id, with_for_update=True)
        member.pin_failures += 1
        if member.pin_failures >= MAX_TRIES and member.pin_locked_at is None:
            member.pin_locked_at = utcnow()
        session.add(member)
        tries, locked = member.pin_failures, is_locked(member)
    detail = {"member_id": member_id, "check": check, "tries": tries, "locked": locked}
    record_refusal(
        REFUSAL, client_ip, detail, user_id=actor.user_id, user_name=actor.user_name, store_id=actor.store_id
    )


def refuse(session: Session, actor: Actor, member: Member, check: str, error: JewelError) -> NoReturn:
    """Raise ``error`` and, once the caller's transaction has rolled back, count the try and audit it.

    ``check`` names what was tried (``"redeem"``, ``"change"``, ``"code"``) for the audit entry.
    """
    member_id, client_ip = member.id, current_client_ip()
    event.listen(session, "after_rollback", lambda _s: _count_failure(actor, member_id, check, client_ip), once=True)
    raise error


def verify(session: Session, actor: Actor, member: Member, secret: str, *, check: str, field: str) -> None:
    """Check a PIN against the member's: a locked member or a wrong PIN is refused (and counted); a right
    one clears the count of wrong tries (and upgrades an old argon2 hash)."""
    if is_locked(member):
        refuse(session, actor, member, check, JewelError(locked_message(member)))
    if not _matches(member.pin_hash, secret):
        refuse(session, actor, member, check, ValidationError({field: "That PIN is wrong: ask the customer again."}))
    if not member.pin_hash.startswith(SCHEME):
        member.pin_hash = hash_secret(secret)
    member.pin_failures = 0
    session.add(member)


def issue_code(member: Member) -> str:
    """A new one-time code for the member (replacing any earlier one), valid :data:`CODE_TTL`; only its hash
    is kept. The caller sends it to the customer."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    member.pin_code_hash = hash_secret(code)
    member.pin_code_expires_at = utcnow() + CODE_TTL
    return code


def use_code(session: Session, actor: Actor, member: Member, code: str) -> None:
    """Check the one-time code the customer received: refused (and counted) when wrong or while locked;
    refused without counting when none is waiting or it expired; a right one is used up."""
    if is_locked(member):
        refuse(session, actor, member, "code", JewelError(locked_message(member)))
    expires = member.pin_code_expires_at
    if not member.pin_code_hash or expires is None or expires < utcnow():
        raise ValidationError({"code": "No code is waiting for this member, or it expired: send a new one."})
    if not _matches(member.pin_code_hash, code.strip()):
        refuse(session, actor, member, "code", ValidationError({"code": "That code is wrong: check the message."}))
    member.pin_code_hash, member.pin_code_expires_at = "", None
    member.pin_failures = 0
    session.add(member)


def unlock(member: Member) -> None:
    """Clear the lock, the count of wrong tries and any waiting code (a manager's decision)."""
    member.pin_failures, member.pin_locked_at = 0, None
    member.pin_code_hash, member.pin_code_expires_at = "", None
