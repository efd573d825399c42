"""Confirming an e-mail address: a user's own address, or a new one they asked to move to.

A new address waits in ``core_user.pending_email`` until the link sent to it is opened; only then does the
account use it (and sign in with it). The link is single-use and works for 30 minutes (see
:mod:`jewelerp.auth.email_links`).
"""

from __future__ import annotations

from sqlmodel import Session, select

from jewelerp.auth.email_links import mail_link, spend_link
from jewelerp.auth.passwords import verify_password
from jewelerp.core.audit import record_event
from jewelerp.core.models import User
from jewelerp.core.users import EMAIL_RE
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import AuthError, JewelError, NotFound, ValidationError

CONFIRM_PATH = "/email/confirm"
SUBJECT = "Confirm your e-mail address for JewelERP"
BODY = """Hello {name},

Open this link within 30 minutes to confirm that {email} is your address for JewelERP:

{link}

If you did not ask for this, ignore this mail.
"""
LINK_DEAD = "This link has expired or was already used. Ask for a new one from your profile."
NO_STORE = "Your account has no store whose mail server could send the link. Ask an admin."
ADDRESS_TAKEN = "Another account already uses this e-mail address."


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound("That account no longer exists.")
    return user


def _address_taken(session: Session, email: str, user_id: int) -> bool:
    return session.exec(select(User.id).where(User.email == email, User.id != user_id)).first() is not None


def send_confirmation(user_id: int, origin: str) -> str:
    """Mail a confirmation link to the user's waiting new address, or else to their own; returns where it went."""
    with unit_of_work() as session:
        user = _user(session, user_id)
        email = user.pending_email or user.email
        if not user.pending_email and user.email_confirmed_at is not None:
            raise JewelError("Your address is already confirmed.")
        if not mail_link(session, "confirm", user, email, origin, CONFIRM_PATH, SUBJECT, BODY):
            raise JewelError(NO_STORE)
    return email


def change_email(user_id: int, new_email: str, password: str, origin: str) -> str:
    """Ask to move the account to ``new_email``: the current password proves it is the user; the new address waits
    until its link is opened. Blocking (argon2): call it from a worker thread. Returns the address the link went to.
    """
    email = new_email.strip().lower()
    with read_session() as session:
        user = _user(session, user_id)
        stored_hash, current = user.password_hash, user.email
        taken = _address_taken(session, email, user_id)
    errors: dict[str, str] = {}
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["new_email"] = "Enter an e-mail address like name@example.com."
    elif email == current:
        errors["new_email"] = "That is already your address."
    elif taken:
        errors["new_email"] = ADDRESS_TAKEN
    if not verify_password(stored_hash, password):
        errors["password"] = "Your current password is not right."
    if errors:
        raise ValidationError(errors)
    with unit_of_work() as session:
        user = _user(session, user_id)
        if user.password_hash != stored_hash:
            raise ValidationError({"password": "Your password was changed meanwhile. Sign in again."})
        user.pending_email = email
        session.add(user)
        if not mail_link(session, "confirm", user, email, origin, CONFIRM_PATH, SUBJECT, BODY):
            raise JewelError(NO_STORE)
    return email


def confirm_email(token: str, client_ip: str) -> str:
    """Use a confirmation link: the waiting new address becomes the account's, or its own address is confirmed.

    Returns the confirmed address; raises AuthError when the link no longer works (or its address is no longer
    the one waiting) and JewelError when another account took the address meanwhile (the link stays unused).
    """
    with unit_of_work() as session:
        link = spend_link(session, "confirm", token)
        user = session.get(User, link.user_id) if link else None
        if link is None or user is None or not user.active or link.email not in (user.pending_email, user.email):
            raise AuthError(LINK_DEAD)
        if link.email == user.pending_email:
            if _address_taken(session, link.email, user.id or 0):
                raise JewelError(ADDRESS_TAKEN)
            before, user.email, user.pending_email = user.email, link.email, ""
            record_event(
                session,
                "email",
                "changed",
                client_ip,
                {"from": before, "to": link.email},
                user_id=user.id,
                user_name=user.name,
            )
        user.email_confirmed_at = utcnow()
        session.add(user)
        return link.email
