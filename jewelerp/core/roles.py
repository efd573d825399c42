"""Roles and their permissions: seeded from manifest defaults, then edited by an admin."""

from __future__ import annotations

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.models import PermissionSeed, Role, RolePermission, UserStoreRole
from jewelerp.errors import JewelError
from jewelerp.registry import ROLES, Registry, get_registry

ROLE_NAMES = {"admin": "Admin", "manager": "Manager", "sales": "Sales", "designer": "Designer"}


def sync_roles_and_permissions(session: Session, registry: Registry | None = None) -> int:
    """Create the four roles and grant each new permission's defaults once.

    A permission seen before keeps whatever an admin made of it. Returns how many
    permissions were seeded now.
    """
    registry = registry or get_registry()
    roles = {r.code: r for r in session.exec(select(Role))}
    for code in ROLES:
        if code not in roles:
            roles[code] = Role(code=code, name=ROLE_NAMES[code])
            session.add(roles[code])
    session.flush()
    seeded = set(session.exec(select(PermissionSeed.permission)))
    count = 0
    for _module, perm in registry.permissions():
        if perm.name in seeded:
            continue
        for code in {"admin", *perm.default_roles}:
            if session.get(RolePermission, (roles[code].id, perm.name)) is None:
                session.add(RolePermission(role_id=roles[code].id, permission=perm.name))
        session.add(PermissionSeed(permission=perm.name))
        count += 1
    session.flush()
    return count


def role_by_code(session: Session, code: str) -> Role:
    """The role with ``code`` (admin, manager, sales, designer)."""
    role = session.exec(select(Role).where(Role.code == code.lower())).first()
    if role is None:
        raise JewelError(f"Unknown role '{code}'; use one of {', '.join(ROLES)}.")
    return role


def role_permissions(session: Session, role_id: int) -> set[str]:
    """Permission names granted to the role."""
    return set(session.exec(select(RolePermission.permission).where(RolePermission.role_id == role_id)))


def all_grants(session: Session) -> set[tuple[str, str]]:
    """Every (role code, permission) pair granted."""
    rows = session.exec(select(Role.code, RolePermission.permission).join(Role, Role.id == RolePermission.role_id))
    return {(code, perm) for code, perm in rows}


def set_grant(session: Session, actor: Actor, role_code: str, permission: str, granted: bool) -> None:
    """Grant or revoke one permission of a role (admin only; audited)."""
    actor.require("core.roles.manage")
    registry = get_registry()
    if permission not in {p.name for _m, p in registry.permissions()}:
        raise JewelError(f"Unknown permission '{permission}'.")
    role = role_by_code(session, role_code)
    if role.code == "admin" and permission == "core.roles.manage" and not granted:
        raise JewelError("Admins must keep the right to edit roles, or nobody could undo this.")
    row = session.get(RolePermission, (role.id, permission))
    if granted and row is None:
        session.add(RolePermission(role_id=role.id, permission=permission))
    elif not granted and row is not None:
        session.delete(row)
    session.flush()


def user_role_in_store(session: Session, user_id: int, store_id: int) -> Role | None:
    """The role a user holds in a store, if any."""
    return session.exec(
        select(Role)
        .join(UserStoreRole, UserStoreRole.role_id == Role.id)
        .where(UserStoreRole.user_id == user_id, UserStoreRole.store_id == store_id)
    ).first()
