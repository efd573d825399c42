"""List specs for the platform's own pages: staff and audit log."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import AuditLog, Role, Store, User, UserStoreRole
from jewelerp.db import utcnow
from jewelerp.registry import get_registry
from jewelerp.ui.table_query import STORE_SCOPE, Filter, TableQuery, TableSpec, store_scoped


def _staff_base(_actor: Actor, q: TableQuery) -> Select:
    roles = (
        select(func.aggregate_strings(Store.code + ": " + Role.code, ", "))
        .select_from(UserStoreRole)
        .join(Store, Store.id == UserStoreRole.store_id)
        .join(Role, Role.id == UserStoreRole.role_id)
        .where(UserStoreRole.user_id == User.id)
        .scalar_subquery()
    )
    stmt = select(User.id, User.name, User.email, User.phone, User.active, roles.label("roles"))
    if q.filters.get("active"):
        stmt = stmt.where(User.active.is_(q.filters["active"] == "yes"))
    if q.filters.get("role"):
        stmt = stmt.where(
            exists()
            .where(UserStoreRole.user_id == User.id, UserStoreRole.role_id == Role.id)
            .where(Role.code == q.filters["role"])
        )
    return stmt


def _role_options(_session: Session, _actor: Actor) -> list[tuple[str, str]]:
    """Every role to filter by: the platform's and those modules add."""
    return [(role.name, role.label) for role in get_registry().roles()]


def _staff_row(r: Any, _actor: Actor) -> dict[str, str]:
    return {
        "id": str(r.id),
        "name": r.name,
        "email": r.email,
        "phone": r.phone,
        "roles": r.roles or "no store access",
        "active": "Active" if r.active else "Inactive",
    }


STAFF = TableSpec(
    name="staff",
    title="Staff",
    permission="core.users.view",
    columns=(
        Column("name", "Name"),
        Column("email", "Email"),
        Column("phone", "Phone", False),
        Column("roles", "Roles by store", False),
        Column("active", "Status"),
    ),
    base=_staff_base,
    row=_staff_row,
    sort_columns={"name": User.name, "email": User.email, "active": User.active},
    default_sort="name",
    filters=(
        Filter("role", "Roles", options_loader=_role_options),
        Filter("active", "Statuses", (("yes", "Active"), ("no", "Inactive"))),
    ),
    search_columns=(User.name, User.email, User.phone),
)


PERIODS = {"1": 1, "7": 7, "30": 30}
CREATE_NOISE = {"id", "created_at"}  # obvious on a new record: the row already says when and which


def _audit_base(actor: Actor, q: TableQuery) -> Select:
    stmt = select(AuditLog, Store.code, Store.time_zone).join(Store, Store.id == AuditLog.store_id, isouter=True)
    # chain-wide reading is for those who manage stores; everyone else sees the current store
    stmt = store_scoped(stmt, AuditLog.store_id, actor, q, chain_permission="core.stores.manage")
    if q.filters.get("action"):
        stmt = stmt.where(AuditLog.action == q.filters["action"])
    if q.filters.get("period") in PERIODS:
        stmt = stmt.where(AuditLog.at >= utcnow() - timedelta(days=PERIODS[q.filters["period"]]))
    return stmt


def _describe(changes: str) -> str:
    parts = []
    for key, (before, after) in sorted(json.loads(changes).items()):
        if before is None:
            if after not in (None, "") and key not in CREATE_NOISE:
                parts.append(f"{key}: {after}")
        elif after is None:
            parts.append(f"{key}: {before} (removed)")
        else:
            parts.append(f"{key}: {before} → {after}")
    return "; ".join(parts)


def _audit_row(r: Any, _actor: Actor) -> dict[str, Any]:
    entry, code, tz = r
    local = entry.at.astimezone(ZoneInfo(tz or "Asia/Kolkata"))
    return {
        "id": str(entry.id),
        "at": local,
        "user": entry.user_name,
        "store": code or "-",
        "record": f"{entry.record_type} #{entry.record_id}",
        "action": entry.action,
        "changes": _describe(entry.changes),
    }


AUDIT = TableSpec(
    name="audit-log",
    title="Audit log",
    permission="core.audit.view",
    columns=(
        Column("at", "When", kind=Kind.DATETIME, shown=lambda moment: f"{moment:%d %b %Y %H:%M:%S}"),
        Column("user", "Who"),
        Column("store", "Store", False),
        Column("record", "Record"),
        Column("action", "Action"),
        Column("changes", "Changes", False, wrap=True),
    ),
    base=_audit_base,
    row=_audit_row,
    sort_columns={
        "at": AuditLog.id,
        "user": AuditLog.user_name,
        "record": AuditLog.record_type,
        "action": AuditLog.action,
    },
    default_sort="at",
    newest_first=True,
    filters=(
        Filter(
            "action",
            "Actions",
            (("create", "Created"), ("update", "Edited"), ("delete", "Deleted"), ("view", "Viewed")),
        ),
        Filter(
            "period",
            "Period",
            (("1", "Last 24 hours"), ("7", "Last 7 days"), ("30", "Last 30 days")),
            all_label="Any time",
        ),
        STORE_SCOPE,
    ),
    search_columns=(AuditLog.user_name, AuditLog.record_type, AuditLog.record_id, AuditLog.changes),
)
