"""Roles and their permissions: seeded from manifest defaults, then edited by an admin.

The roles are the registry's (:meth:`jewelerp.registry.Registry.roles`): the platform's four and those
modules add; the ``core_role`` table follows it.
"""

from __future__ import annotations

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.models import PermissionSeed, Role, RolePermission, UserStoreRole
from jewelerp.errors import JewelError
from jewelerp.registry import Registry, get_registry


def sync_roles_and_permissions(session: Session, registry: Registry | None = None) -> int:
    """Create the registry's roles (labels from the manifests) and grant default permissions once.

    A new permission is granted to admin and its default roles; a new role gets the permissions that name
    it as a default. A permission seen before keeps whatever an admin made of it for the roles that already
    existed. Returns how many permissions were seeded now.
    """
    registry = registry or get_registry()
    roles, created = _sync_roles(session, registry)
    seeded = set(session.exec(select(PermissionSeed.permission)))
    count = 0
    for _module, perm in registry.permissions():
        is_new = perm.name not in seeded
        for code in {"admin", *perm.default_roles} if is_new else created.intersection(perm.default_roles):
            if session.get(RolePermission, (roles[code].id, perm.name)) is None:
                session.add(RolePermission(role_id=roles[code].id, permission=perm.name))
        if is_new:
            session.add(PermissionSeed(permission=perm.name))
            count += 1
    session.flush()
    return count


def _sync_roles(session: Session, registry: Registry) -> tuple[dict[str, Role], set[str]]:
    """Add the registry's missing roles and refresh their labels; returns every role row by code, and the
    codes of the roles created now."""
    roles = {r.code: r for r in session.exec(select(Role))}
    created = set()
    for declared in registry.roles():
        role = roles.get(declared.name)
        if role is None:
            roles[declared.name] = role = Role(code=declared.name, name=declared.label)
            created.add(declared.name)
        elif role.name == declared.label:
            continue
        role.name = declared.label
        session.add(role)
    session.flush()
    return roles, created


def role_by_code(session: Session, code: str) -> Role:
    """The role with ``code``, one of the registry's (admin, manager, sales, designer, a module's)."""
    known = [role.name for role in get_registry().roles()]
    role = session.exec(select(Role).where(Role.code == code.lower())).first() if code.lower() in known else None
    if role is None:
        raise JewelError(f"Unknown role '{code}'; use one of {', '.join(known)}.")
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
