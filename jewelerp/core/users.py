"""Staff accounts and their roles per store."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.auth.passwords import hash_password, password_problem
from jewelerp.core.models import AuthSession, Role, User, UserStoreRole
from jewelerp.core.roles import role_by_code
from jewelerp.core.stores import get_store_by_code
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, require_fields

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


@dataclass
class UserInput:
    """What an admin types into the staff form."""

    name: str
    email: str
    phone: str = ""
    active: bool = True


def _check(session: Session, data: UserInput, user_id: int | None) -> UserInput:
    data = UserInput(data.name.strip(), data.email.strip().lower(), data.phone.strip(), data.active)
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = "Enter the person's name."
    if not EMAIL_RE.match(data.email):
        errors["email"] = "Enter an email address like name@example.com."
    else:
        clash = session.exec(select(User).where(User.email == data.email)).first()
        if clash and clash.id != user_id:
            errors["email"] = "Another account already uses this email."
    if data.phone and not PHONE_RE.match(data.phone):
        errors["phone"] = "Phone may hold digits, spaces, + and - only."
    require_fields(errors)
    return data


def create_user(
    session: Session, actor: Actor | None, data: UserInput, password: str | None, roles: dict[str, str]
) -> User:
    """Create an account with ``roles`` mapping store code to role code; ``password`` None makes an account with no
    password (it signs in only with a linked provider account)."""
    if actor is not None:
        actor.require("core.users.manage")
    data = _check(session, data, None)
    problem = password_problem(password) if password is not None else None
    require_fields({"password": problem} if problem else {})
    user = User(**vars(data), password_hash=hash_password(password) if password is not None else "")
    session.add(user)
    session.flush()
    for store_code, role_code in roles.items():
        set_store_role(session, actor, user.id, get_store_by_code(session, store_code).id, role_code)
    return user


def update_user(session: Session, actor: Actor, user_id: int, data: UserInput) -> User:
    """Edit name, email, phone and whether the account is active (deactivating ends every session of theirs)."""
    actor.require("core.users.manage")
    user = _user(session, user_id)
    data = _check(session, data, user_id)
    if user.id == actor.user_id and not data.active:
        raise JewelError("You cannot deactivate your own account.")
    deactivated = user.active and not data.active
    for key, value in vars(data).items():
        setattr(user, key, value)
    session.add(user)
    session.flush()
    if deactivated:  # their open browsers land on the sign-in page at their next event
        end_sessions(session, user_id)
    return user


def set_store_role(session: Session, actor: Actor | None, user_id: int, store_id: int, role_code: str | None) -> None:
    """Give the user ``role_code`` in the store, or remove access when it is None/empty."""
    if actor is not None:
        actor.require("core.users.manage")
    row = session.get(UserStoreRole, (user_id, store_id))
    if not role_code:
        if row is not None:
            session.delete(row)
    else:
        role = role_by_code(session, role_code)
        if row is None:
            row = UserStoreRole(user_id=user_id, store_id=store_id, role_id=role.id)
        row.role_id = role.id
        session.add(row)
    session.flush()


def reset_password(session: Session, actor: Actor | None, user_id: int, password: str) -> None:
    """Set a new password for someone (admin) after checking the policy; every session of theirs ends."""
    if actor is not None:
        actor.require("core.users.manage")
    problem = password_problem(password)
    require_fields({"password": problem} if problem else {})
    user = _user(session, user_id)
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    end_sessions(session, user_id)


def end_sessions(session: Session, user_id: int, keep_session_id: int | None = None) -> None:
    """Revoke every open session of the user, except ``keep_session_id`` (the one changing its own password)."""
    session.execute(
        update(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.id != (keep_session_id or 0),
        )
        .values(revoked_at=utcnow())
    )


def store_roles(session: Session, user_id: int) -> dict[int, str]:
    """Store id -> role code for the user."""
    rows = session.exec(
        select(UserStoreRole.store_id, Role.code)
        .join(Role, Role.id == UserStoreRole.role_id)
        .where(UserStoreRole.user_id == user_id)
    )
    return dict(rows.all())


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """One account, for someone who may edit accounts."""
    actor.require("core.users.manage")
    return _user(session, user_id)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That account no longer exists.")
    return user


def staff_options(session: Session, actor: Actor, permission: str) -> list[dict[str, str]]:
    """Active staff of the actor's store, for assignment drop-downs; the actor needs ``permission``
    (the caller's own view permission: the list shows names only)."""
    actor.require(permission)
    users = session.scalars(
        select(User)
        .join(UserStoreRole, UserStoreRole.user_id == User.id)
        .where(UserStoreRole.store_id == actor.store_id, User.active)
        .order_by(User.name)
    )
    return [{"value": str(u.id), "label": u.name} for u in users]
