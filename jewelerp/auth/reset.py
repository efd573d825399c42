"""Password reset by e-mail: ask for a link, then choose a new password from it.

Asking always gets the same answer (:data:`RESET_SENT`), whether or not an account uses the address, and
sends at most :data:`PER_EMAIL_LIMIT` links per address and :data:`PER_ADDRESS_LIMIT` asks per client address
per :data:`ASK_WINDOW` (every ask is a ``core_login_attempt`` of kind ``reset``). Choosing a new password from
the link ends every session of the user and is in the audit log.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from jewelerp.auth.email_links import mail_link, spend_link, usable_link
from jewelerp.auth.passwords import hash_password, password_problem
from jewelerp.core.audit import record_event
from jewelerp.core.models import LoginAttempt, User
from jewelerp.core.users import EMAIL_RE, end_sessions
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import AuthError, ValidationError

RESET_PATH = "/password/reset"
ASK_WINDOW = timedelta(hours=1)
PER_EMAIL_LIMIT = 3
PER_ADDRESS_LIMIT = 10
RESET_SENT = (
    "If an account uses that address, we have sent it a link to choose a new password. "
    "The link works for 30 minutes; check your spam folder if it does not arrive."
)
LINK_DEAD = "This link has expired or was already used. Ask for a new one."
SUBJECT = "Choose a new JewelERP password"
BODY = """Hello {name},

Someone (we hope you) asked to choose a new password for your JewelERP account.
Open this link within 30 minutes to choose it:

{link}

If you did not ask, ignore this mail: your password stays as it is.
"""


def _asks(session: Session, *where: object) -> int:
    since = utcnow() - ASK_WINDOW
    return session.exec(select(func.count()).where(LoginAttempt.kind == "reset", LoginAttempt.at > since, *where)).one()


def request_reset(email: str, client_ip: str, origin: str) -> str:
    """Send a reset link to ``email`` if an active account with a store uses it; the answer is the same either way.

    ``origin`` is the app's address as the browser reached it (the link starts with it). Blocking (it may talk
    to the mail server): call it from a worker thread. Raises ValidationError only for an address that is not one.
    """
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationError({"email": "Enter the e-mail address you sign in with."})
    with unit_of_work() as session:
        over_limit = (
            _asks(session, LoginAttempt.email == email) >= PER_EMAIL_LIMIT
            or _asks(session, LoginAttempt.client_ip == client_ip) >= PER_ADDRESS_LIMIT
        )
        session.add(LoginAttempt(email=email, client_ip=client_ip, kind="reset", at=utcnow()))
        user = session.exec(select(User).where(User.email == email, User.active)).first()
        if user is not None and not over_limit:
            mail_link(session, "reset", user, email, origin, RESET_PATH, SUBJECT, BODY)
    return RESET_SENT


def reset_link_works(token: str) -> bool:
    """Whether the reset link can still be used (the page shows the form, or says it expired)."""
    with read_session() as session:
        return usable_link(session, "reset", token) is not None


def complete_reset(token: str, new: str, confirm: str, client_ip: str) -> None:
    """Set the new password from a reset link: once, within its time; every session of the user ends.

    Blocking (argon2): call it from a worker thread. The link is checked before the password is hashed, so a
    dead link costs no hashing.
    """
    problem = password_problem(new)
    if problem:
        raise ValidationError({"new": problem})
    if new != confirm:
        raise ValidationError({"confirm": "The two passwords differ."})
    if not reset_link_works(token):
        raise AuthError(LINK_DEAD)
    new_hash = hash_password(new)
    with unit_of_work() as session:
        link = spend_link(session, "reset", token)
        user = session.get(User, link.user_id) if link else None
        if link is None or user is None or not user.active or link.email != user.email:
            raise AuthError(LINK_DEAD)  # a link sent to an address the account no longer uses is dead too
        user.password_hash = new_hash
        user.email_confirmed_at = utcnow()
        session.add(user)
        end_sessions(session, user.id)
        record_event(
            session, "password", "reset", client_ip, {"email": user.email}, user_id=user.id, user_name=user.name
        )
