"""Staff invitations: an admin invites someone by e-mail with a role per store; the invitee sets their name and
password from the mailed link and has those roles from then on.

The link works once, for :data:`INVITE_TTL`, until revoked; a newer invitation to the same address revokes the
older. Only the link's hash is kept. Inviting, accepting and revoking are in the audit log (the invitation row
itself is audited, and each step is a security event naming who did it).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import update
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.auth.email_links import send_mail
from jewelerp.auth.passwords import password_problem
from jewelerp.core.audit import current_client_ip, record_event
from jewelerp.core.models import Invitation, Store, User
from jewelerp.core.roles import role_by_code
from jewelerp.core.users import EMAIL_RE, UserInput, create_user
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields

INVITE_TTL = timedelta(days=7)
INVITE_PATH = "/invite"
LINK_DEAD = "This invitation has expired, was revoked or was already used. Ask the admin who invited you for a new one."
SUBJECT = "You are invited to JewelERP"
BODY = """Hello{name},

{inviter} invites you to JewelERP as {roles}.

Open this link within 7 days to choose your password and sign in:

{link}

If you did not expect this, ignore this mail.
"""


@dataclass(frozen=True)
class InvitationView:
    """An invitation as the invitee's page and the admin's list show it."""

    id: int
    email: str
    name: str
    roles: str  # "Sales at MUM, Manager at DEL"
    invited_by: str
    expires_at: datetime
    status: str  # pending | accepted | revoked | expired


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _roles_text(session: Session, roles: dict[str, str]) -> str:
    stores = {s.id: s.code for s in session.exec(select(Store))}
    return ", ".join(f"{role.title()} at {stores.get(int(sid), '?')}" for sid, role in sorted(roles.items()))


def _status(row: Invitation) -> str:
    if row.accepted_at:
        return "accepted"
    if row.revoked_at:
        return "revoked"
    return "expired" if row.expires_at <= utcnow() else "pending"


def _view(session: Session, row: Invitation) -> InvitationView:
    inviter = session.get(User, row.invited_by) if row.invited_by else None
    return InvitationView(
        row.id or 0,
        row.email,
        row.name,
        _roles_text(session, row.roles),
        inviter.name if inviter else "An admin",
        row.expires_at,
        _status(row),
    )


def _checked_roles(session: Session, roles: dict[int, str]) -> dict[str, str]:
    """The roles to give, as stored (store id as text -> role code); at least one, in active stores."""
    given = {store_id: role for store_id, role in roles.items() if role}
    if not given:
        raise ValidationError({"roles": "Give the person a role in at least one store."})
    for store_id, role in given.items():
        store = session.get(Store, store_id)
        if store is None or not store.active:
            raise NotFound("A store in the form no longer exists.")
        role_by_code(session, role)
    return {str(store_id): role.lower() for store_id, role in given.items()}


def invite(session: Session, actor: Actor, email: str, name: str, roles: dict[int, str], origin: str) -> InvitationView:
    """Invite ``email`` with ``roles`` (store id -> role code); the link is mailed through the actor's store once
    the transaction commits. An address with an account cannot be invited; an earlier invitation to it is revoked.
    """
    actor.require("core.users.manage")
    email, name = email.strip().lower(), " ".join(name.split())
    errors: dict[str, str] = {}
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = "Enter an e-mail address like name@example.com."
    elif session.exec(select(User.id).where(User.email == email)).first() is not None:
        errors["email"] = "Someone already has an account with this address."
    if len(name) > 120:
        errors["name"] = "Keep the name to 120 characters."
    require_fields(errors)
    stored_roles = _checked_roles(session, roles)
    now = utcnow()
    session.execute(
        update(Invitation)
        .where(Invitation.email == email, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    row = Invitation(
        email=email,
        name=name,
        roles=stored_roles,
        invited_by=actor.user_id,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + INVITE_TTL,
    )
    session.add(row)
    session.flush()
    roles_text = _roles_text(session, stored_roles)
    link = f"{origin.rstrip('/')}{INVITE_PATH}?{urlencode({'token': token})}"
    body = BODY.format(name=f" {name}" if name else "", inviter=actor.user_name, roles=roles_text, link=link)
    send_mail(session, actor.store_id, email, SUBJECT, body, "core.invitation")
    record_event(
        session,
        "invitation",
        "invite",
        current_client_ip(),
        {"email": email, "roles": roles_text},
        user_id=actor.user_id,
        user_name=actor.user_name,
        store_id=actor.store_id,
    )
    return _view(session, row)


def _live(session: Session, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    row = session.exec(select(Invitation).where(Invitation.token_hash == _hash(token))).first()
    return row if row is not None and _status(row) == "pending" else None


def invitation_for(session: Session, token: str) -> InvitationView | None:
    """The pending invitation of a link (for the invitee's page), None when the link no longer works."""
    row = _live(session, token)
    return _view(session, row) if row else None


def accept(session: Session, token: str, name: str, password: str, confirm: str, client_ip: str) -> User:
    """Create the invitee's account from the link: their name and password, the invitation's roles, the address
    confirmed (the link reached it). Once; refused when expired, revoked or used."""
    row = _live(session, token)
    if row is None:
        raise JewelError(LINK_DEAD)
    errors: dict[str, str] = {}
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    elif password != confirm:
        errors["confirm"] = "The two passwords differ."
    if not " ".join(name.split()):
        errors["name"] = "Enter your name."
    require_fields(errors)
    user = accept_invitation(session, row.id or 0, name, password, client_ip)
    if user is None:
        raise JewelError(LINK_DEAD)
    return user


def live_invitation_id(session: Session, token: str) -> int | None:
    """The id of the pending invitation of a link (None when the link no longer works)."""
    row = _live(session, token)
    return row.id if row else None


def accept_invitation(
    session: Session, invitation_id: int, name: str, password: str | None, client_ip: str
) -> User | None:
    """Spend a pending invitation (one conditional UPDATE) and create its account with its roles, the address
    confirmed; ``password`` None makes an account that signs in only with the provider account the caller links.
    None when the invitation is no longer pending."""
    row = session.get(Invitation, invitation_id)
    if row is None or _status(row) != "pending":
        return None
    spent = session.execute(
        update(Invitation)
        .where(Invitation.id == row.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(accepted_at=utcnow())
    )
    if spent.rowcount != 1:
        return None
    codes = {str(s.id): s.code for s in session.exec(select(Store))}
    roles = {codes[sid]: role for sid, role in row.roles.items() if sid in codes}
    person = UserInput(" ".join(name.split())[:120] or row.name or row.email.split("@")[0], row.email)
    user = create_user(session, None, person, password, roles)
    user.email_confirmed_at = utcnow()
    session.add(user)
    session.execute(update(Invitation).where(Invitation.id == row.id).values(accepted_user_id=user.id))
    record_event(session, "invitation", "accept", client_ip, {"email": row.email}, user_id=user.id, user_name=user.name)
    return user


def revoke(session: Session, actor: Actor, invitation_id: int) -> None:
    """Revoke a pending invitation: its link stops working."""
    actor.require("core.users.manage")
    row = session.get(Invitation, invitation_id)
    if row is None or _status(row) != "pending":
        raise NotFound("That invitation is no longer pending.")
    row.revoked_at = utcnow()
    session.add(row)
    record_event(
        session,
        "invitation",
        "revoke",
        current_client_ip(),
        {"email": row.email},
        user_id=actor.user_id,
        user_name=actor.user_name,
        store_id=actor.store_id,
    )


def invitations(session: Session, actor: Actor, limit: int = 50) -> list[InvitationView]:
    """The latest invitations, newest first, for the staff page."""
    actor.require("core.users.manage")
    rows = session.exec(select(Invitation).order_by(Invitation.id.desc()).limit(limit)).all()
    return [_view(session, row) for row in rows]
