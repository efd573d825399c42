"""The audit log: every create, edit and delete of a business record, field by field.

A SQLAlchemy ``after_flush`` hook writes one ``core_audit_log`` row per changed
record in the same transaction, so a rolled-back change leaves no audit row
either. Tables opt out with ``__audit__ = False``; columns listed in
``__audit_masked__`` are recorded as changed without their values.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import AuditLog
from jewelerp.db import unit_of_work, utcnow

MASK = "••••"


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (int, float, bool, str)):
        return value
    return str(value)


def _audited(obj: Any) -> bool:
    return hasattr(obj, "__tablename__") and getattr(type(obj), "__audit__", True)


def _record_id(obj: Any) -> str:
    identity = inspect(obj).identity
    if identity:
        return "/".join(str(part) for part in identity)
    return "/".join(str(getattr(obj, c.key)) for c in inspect(type(obj)).primary_key)


def _changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    masked = set(getattr(obj, "__audit_masked__", ()))  # read on the row: a row may decide (secret settings)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if action == "update":
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before == after:
                continue
        elif action == "create":
            before, after = None, getattr(obj, key)
        else:
            before, after = getattr(obj, key), None
        if key in masked:
            changes[key] = [MASK if before else None, MASK if after else None]
        else:
            changes[key] = [_json_value(before), _json_value(after)]
    return changes


def _write_rows(session: Session, _context: Any) -> None:
    actor = session.info.get("actor")
    rows = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not _audited(obj):
                continue
            changes = _changes(obj, action)
            if not changes:
                continue
            rows.append(
                {
                    "at": utcnow(),
                    "user_id": actor.user_id if actor else None,
                    "user_name": actor.user_name if actor else "system",
                    "store_id": getattr(obj, "store_id", None) or (actor.store_id if actor else None),
                    "record_type": obj.__tablename__,
                    "record_id": _record_id(obj),
                    "action": action,
                    "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True),
                }
            )
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


def record_view(session: Session, actor: Actor, record_type: str, record_id: str) -> None:
    """Log that ``actor`` opened a record's private details (the caller's transaction commits it)."""
    session.add(
        AuditLog(
            user_id=actor.user_id,
            user_name=actor.user_name,
            store_id=actor.store_id,
            record_type=record_type,
            record_id=record_id,
            action="view",
            changes="{}",
        )
    )


def record_refusal(
    kind: str,
    client_ip: str,
    detail: dict[str, Any] | None = None,
    *,
    user_id: int | None = None,
    user_name: str = "anonymous",
    store_id: int | None = None,
) -> None:
    """Log a refused request (a failed sign-in, a denied upload ...) with the client's IP.

    Written in its own short transaction, because the refused request itself writes
    nothing. ``kind`` names what was refused (``"login"``, ``"upload"``); ``detail`` must
    hold no secret (no password, PIN, token or hash).
    """
    changes = {
        "client_ip": [None, client_ip or "unknown"],
        **{k: [None, _json_value(v)] for k, v in (detail or {}).items()},
    }
    with unit_of_work() as session:
        session.add(
            AuditLog(
                user_id=user_id,
                user_name=user_name,
                store_id=store_id,
                record_type="security",
                record_id=kind[:80],
                action="refused",
                changes=json.dumps(changes, ensure_ascii=False, sort_keys=True),
            )
        )


def install() -> None:
    """Register the audit hook on every session (idempotent)."""
    if not event.contains(Session, "after_flush", _write_rows):
        event.listen(Session, "after_flush", _write_rows)


install()
