"""The audit log: every create, edit and delete of a business record, field by field.

A SQLAlchemy ``after_flush`` hook writes one ``core_audit_log`` row per changed
record in the same transaction, so a rolled-back change leaves no audit row
either. Tables opt out with ``__audit__ = False``.

No secret or hash ever enters the log, safe by default: a column is recorded as
changed without its values when the model lists it in ``__audit_masked__`` *or*
when it holds text and its name looks secret (:func:`looks_secret`: ``pin_hash``,
``password_hash``, ``public_token``, ``otp``, ``api_key`` ...), so a model that
forgets to list a secret column still cannot leak it. Columns that only *name* a
secret without holding one stay visible: flags and times (``require_pin``,
``token_revoked_at`` are not text) and postal ``pin_code`` fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Column, LargeBinary, String, TypeDecorator, event, insert, inspect
from sqlalchemy.orm import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import AuditLog
from jewelerp.db import unit_of_work, utcnow

MASK = "••••"
SECRET_PARTS = ("hash", "password", "passwd", "secret", "token", "credential", "apikey", "api_key", "private_key")
SECRET_WORDS = frozenset({"pin", "otp", "salt", "cvv"})  # whole words of a snake_case name
NOT_SECRET = frozenset({"pin_code"})  # an Indian postal PIN code is an address, not a secret
_CLIENT_IP: ContextVar[str] = ContextVar("jewelerp_client_ip", default="")


def looks_secret(name: str) -> bool:
    """Whether a column (or refusal detail) named ``name`` may hold a secret: it contains ``hash``,
    ``password``, ``secret``, ``token`` ..., or has ``pin``, ``otp`` or ``salt`` as a word."""
    key = name.lower()
    if key in NOT_SECRET:
        return False
    return any(part in key for part in SECRET_PARTS) or not SECRET_WORDS.isdisjoint(key.split("_"))


def _holds_text(column: Column) -> bool:
    """Whether a column stores text or bytes (a flag, number or time holds no secret)."""
    kind = column.type
    while isinstance(kind, TypeDecorator):  # sqlmodel's AutoString, the money and weight types
        kind = kind.impl_instance
    return isinstance(kind, (String, LargeBinary))


@cache
def _secret_columns(model: type) -> frozenset[str]:
    """The text columns of ``model`` whose names look secret."""
    return frozenset(
        attr.key
        for attr in inspect(model).column_attrs
        if looks_secret(attr.key) and all(_holds_text(c) for c in attr.columns)
    )


def masked_columns(obj: Any) -> frozenset[str]:
    """The columns of ``obj`` the log records without values: its ``__audit_masked__`` (read on the row,
    so a row may decide, as secret settings do) and every text column whose name looks secret."""
    return frozenset(getattr(obj, "__audit_masked__", ())) | _secret_columns(type(obj))


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
    masked = masked_columns(obj)
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
    nothing. ``kind`` names what was refused (``"login"``, ``"upload"``); ``detail`` should
    hold no secret (no password, PIN, token or hash): a detail whose name looks secret is masked.
    """
    with unit_of_work() as session:
        record_event(
            session, kind, "refused", client_ip, detail, user_id=user_id, user_name=user_name, store_id=store_id
        )


def record_event(
    session: Session,
    kind: str,
    action: str,
    client_ip: str,
    detail: dict[str, Any] | None = None,
    *,
    user_id: int | None = None,
    user_name: str = "anonymous",
    store_id: int | None = None,
) -> None:
    """Log a security event in the caller's transaction: a sign-in, a lockout, two-factor switched on, a provider
    linked, a password reset (``kind`` what it concerns, ``action`` at most 10 characters: ``"sign_in"``).

    Shown in the audit log as a ``security`` record; ``detail`` is masked as in :func:`record_refusal`.
    """
    changes = {
        "client_ip": [None, client_ip or "unknown"],
        **{k: [None, MASK if looks_secret(k) else _json_value(v)] for k, v in (detail or {}).items()},
    }
    session.add(
        AuditLog(
            user_id=user_id,
            user_name=user_name,
            store_id=store_id,
            record_type="security",
            record_id=kind[:80],
            action=action[:10],
            changes=json.dumps(changes, ensure_ascii=False, sort_keys=True),
        )
    )


@contextmanager
def client_ip_scope(client_ip: str) -> Iterator[None]:
    """Name the client IP of the request a page handler is serving, for the services it calls: one that
    refuses deep inside another module's transaction (a wrong loyalty PIN at billing) records it from
    :func:`current_client_ip`."""
    token = _CLIENT_IP.set(client_ip)
    try:
        yield
    finally:
        _CLIENT_IP.reset(token)


def current_client_ip() -> str:
    """The client IP named by the enclosing :func:`client_ip_scope` ("" outside one)."""
    return _CLIENT_IP.get()


def install() -> None:
    """Register the audit hook on every session (idempotent)."""
    if not event.contains(Session, "after_flush", _write_rows):
        event.listen(Session, "after_flush", _write_rows)


install()
