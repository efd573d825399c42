"""The dashboard's "My recent activity" card (FR-7): the signed-in user's own last changes, from the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import AuditLog
from jewelerp.core.module_states import enabled_modules
from jewelerp.dashboard import CardRow, CardValue, DashboardFilters

SHOWN = 8
SCANNED = 200  # the latest rows read to find SHOWN of modules still enabled in their branch
ACTIONS = {"create": "Created", "update": "Changed", "delete": "Deleted"}


def _module(record_type: str) -> str:
    return record_type.split("_", 1)[0]


def recent_activity_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue | None:
    """The user's last created, changed or deleted records in the dashboard's branches and period.

    A record of a module disabled in its branch is left out (its data is not shown while it is off).
    """
    if actor.user_id is None:
        return None
    start, end = filters.window(actor.time_zone)
    rows = session.execute(
        select(AuditLog.at, AuditLog.store_id, AuditLog.record_type, AuditLog.record_id, AuditLog.action)
        .where(
            AuditLog.user_id == actor.user_id,
            AuditLog.store_id.in_(filters.store_ids),
            AuditLog.action.in_(tuple(ACTIONS)),
            AuditLog.at >= start,
            AuditLog.at < end,
        )
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(SCANNED)
    ).all()
    enabled = {sid: enabled_modules(session, sid) for sid in filters.store_ids}
    shown = [row for row in rows if _module(row.record_type) in enabled[row.store_id]][:SHOWN]
    items = tuple(
        CardRow(
            f"{ACTIONS[row.action]} {row.record_type.replace('_', ' ')} {row.record_id}",
            f"{actor.local(row.at):%d %b %H:%M}",
        )
        for row in shown
    )
    caption = "your latest changes in this period" if shown else "nothing changed by you in this period"
    return CardValue(str(len(shown)), caption, rows=items)
