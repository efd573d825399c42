"""A customer's consent changes over time, read back from the audit log, where every change of a profile's
``consent_<channel>`` and its time ``consent_<channel>_at`` is kept (by staff on the profile, by the customer on a
portal, by an import or a merge)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.models import AuditLog
from jewelerp.errors import NotFound
from modules.clienteling.models import Customer
from modules.clienteling.services import CHANNELS, get_customer

MOST = 20


@dataclass(frozen=True)
class ConsentChange:
    """One change of a customer's consent: the channel, whether it was given (or withdrawn) and when (UTC)."""

    customer_id: int
    channel: str
    given: bool
    at: datetime


def _utc(moment: datetime) -> datetime:
    """``moment`` as aware UTC (SQLite gives back naive UTC times)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _changes_of(row: AuditLog, given: dict[str, bool]) -> list[ConsentChange]:
    """The consent changes one audit row records; ``given`` holds each channel's value before it and is brought up
    to date. A change is a new time stamped on a channel, or its value turned (a profile made without consent is
    none)."""
    changes: dict[str, list[Any]] = json.loads(row.changes)
    found = []
    for channel in CHANNELS:
        before, after = changes.get(f"consent_{channel}", [None, None])
        stamped = changes.get(f"consent_{channel}_at", [None, None])[1]
        turned = before is not None and after is not None and before != after
        if after is not None:
            given[channel] = bool(after)
        if stamped is not None or turned:
            at = datetime.fromisoformat(stamped) if isinstance(stamped, str) else row.at
            found.append(ConsentChange(int(row.record_id), channel, given[channel], _utc(at)))
    return found


def consent_history(
    session: Session, actor: Actor, customer_ids: Collection[int], most: int = MOST
) -> list[ConsentChange]:
    """The latest ``most`` consent changes of the customers ``customer_ids`` of the actor's store, newest first;
    NotFound when one of them is not a customer of the store."""
    actor.require("clienteling.customer.view")
    ids = []
    for customer_id in customer_ids:
        customer = get_customer(session, actor, customer_id)
        if customer.store_id != actor.store_id:
            raise NotFound("That customer does not exist.")
        ids.append(str(customer.id))
    rows = session.exec(
        select(AuditLog)
        .where(
            AuditLog.record_type == Customer.__tablename__,
            AuditLog.record_id.in_(ids),
            AuditLog.changes.contains('"consent_', autoescape=True),
        )
        .order_by(AuditLog.id)
    )
    given: dict[str, dict[str, bool]] = {}
    found = [
        change
        for row in rows
        for change in _changes_of(row, given.setdefault(row.record_id, dict.fromkeys(CHANNELS, False)))
    ]
    newest_row_first = reversed(found)  # the sort keeps rows of one moment in that order
    return sorted(newest_row_first, key=lambda change: change.at, reverse=True)[:most]
