"""After-commit event handlers: an outbox of deliveries, run once the emitter's change has committed.

:func:`queue_delivery` writes one ``core_event_delivery`` row per after-commit handler in the emitter's
unit of work (an emitter that rolls back leaves none) and asks :func:`jewelerp.db.on_commit` to run it
as soon as that work commits, in the same process. Each delivery runs in its own unit of work as the
emitter's user in the emitter's store; the claim that marks it done is part of that unit of work, so
the handler's writes and "done" commit together (exactly once, even if the process dies just after).
A failure rolls back only the handler's work, is logged, and is retried by the ``core.event_deliveries``
job after 1, 2, 4 ... minutes (at most :data:`LONGEST_WAIT`); after :data:`MAX_ATTEMPTS` tries the
delivery is ``failed`` and the store's admins get a notification.

A module's deliveries in one store run in the order of their events: one waits while an earlier one of
the same module and store is still pending (so "cancelled" never overtakes the "issued" it undoes).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import exists, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import build_actor, system_actor
from jewelerp.core.models import EventDelivery
from jewelerp.db import on_commit, read_session, unit_of_work, utcnow
from jewelerp.notifications.staff import notify_staff
from jewelerp.registry import EventHandler, call

log = logging.getLogger(__name__)
PENDING, DONE, FAILED = "pending", "done", "failed"
NOT_TAKEN, RETRYING = "not taken", "retrying"
MAX_ATTEMPTS = 8
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
INLINE_GRACE = timedelta(minutes=2)  # the job leaves a fresh delivery this long to the emitter's process
ERROR_MAX = 1000
BATCH = 100


def queue_delivery(
    session: Session, actor: Actor, module: str, handler: EventHandler, payload: dict[str, Any]
) -> EventDelivery:
    """Record that ``module``'s after-commit ``handler`` owes a reaction to this event, in the emitter's
    transaction, and run it once that transaction commits. The payload must be JSON (TypeError otherwise)."""
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"event {handler.record} {handler.event}: the payload for module '{module}' (after commit) "
            f"must be JSON: {exc}"
        ) from None
    delivery = EventDelivery(
        record=handler.record,
        event=handler.event,
        payload=payload,
        module=module,
        handler=handler.handler,
        store_id=actor.store_id,
        user_id=actor.user_id,
        next_attempt_at=utcnow() + INLINE_GRACE,
    )
    session.add(delivery)
    session.flush()
    on_commit(session, partial(run_delivery, delivery.id, due_only=False))
    return delivery


def restate_pending(
    session: Session, record: str, event: str, restate: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> int:
    """Rewrite the payloads of the pending deliveries of ``(record, event)``: ``restate(payload)`` gives the new
    payload, or None to leave it. For an emitter that re-dates, in the same transaction, what it just emitted
    about (a demo's history made today and moved to its days); returns how many changed."""
    changed = 0
    pending = select(EventDelivery).where(
        EventDelivery.record == record, EventDelivery.event == event, EventDelivery.status == PENDING
    )
    for delivery in session.exec(pending):
        payload = restate(dict(delivery.payload))
        if payload is not None:
            delivery.payload = payload  # a new dict: the JSON column sees the change
            session.add(delivery)
            changed += 1
    session.flush()
    return changed


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 2, 4 ... minutes, at most an hour."""
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def run_delivery(delivery_id: int, now: datetime | None = None, *, due_only: bool = True) -> str:
    """Run one pending delivery if it can be claimed; returns ``done``, ``retrying``, ``failed`` or ``not taken``.

    ``due_only`` leaves it alone until its next try is due (the job); the emitter's own run passes False.
    Opens its own transactions: never call it inside a unit of work.
    """
    now = now or utcnow()
    try:
        with unit_of_work() as session:
            if not _claim(session, delivery_id, now, due_only):
                return NOT_TAKEN
            delivery = session.get(EventDelivery, delivery_id)
            actor = _actor_for(session, delivery)
            session.info["actor"] = actor
            if delivery.module in actor.enabled_modules:
                call(delivery.handler)(session, actor, delivery.payload)
            else:
                delivery.last_error = f"skipped: {delivery.module} is no longer enabled in this store"
                session.add(delivery)
        return DONE
    except Exception as exc:  # only the handler's work rolled back; the delivery is retried
        return _record_failure(delivery_id, now, exc)


def _claim(session: Session, delivery_id: int, now: datetime, due_only: bool) -> bool:
    """Mark the delivery done in this (still open) transaction, if it is pending, due and first in line."""
    earlier = aliased(EventDelivery)
    first_in_line = ~exists().where(
        earlier.store_id == EventDelivery.store_id,
        earlier.module == EventDelivery.module,
        earlier.status == PENDING,
        earlier.id < EventDelivery.id,
    )
    stmt = update(EventDelivery).where(EventDelivery.id == delivery_id, EventDelivery.status == PENDING, first_in_line)
    if due_only:
        stmt = stmt.where(EventDelivery.next_attempt_at <= now)
    values = {"status": DONE, "done_at": utcnow(), "attempts": EventDelivery.attempts + 1}
    return session.execute(stmt.values(**values).execution_options(synchronize_session=False)).rowcount == 1


def _actor_for(session: Session, delivery: EventDelivery) -> Actor:
    """The emitter's actor, rebuilt: its user in its store (with today's grants), or the system."""
    if delivery.user_id is None:
        return system_actor(session, delivery.store_id)
    return build_actor(session, delivery.user_id, delivery.store_id)


def _record_failure(delivery_id: int, now: datetime, exc: Exception) -> str:
    """Count the failed try and schedule the next one, or give up and tell the store's admins."""
    error = (f"{type(exc).__name__}: {exc}")[:ERROR_MAX]
    with unit_of_work() as session:
        delivery = session.get(EventDelivery, delivery_id, with_for_update=True)
        if delivery is None or delivery.status != PENDING:
            return NOT_TAKEN  # another worker ran it meanwhile
        delivery.attempts += 1
        delivery.last_error = error
        session.add(delivery)
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = FAILED
            log.error("%s failed for good after %s tries: %s", _describe(delivery), delivery.attempts, error)
            _tell_admins(session, delivery)
            return FAILED
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        log.warning(
            "%s failed (try %s), tried again after %s: %s",
            _describe(delivery),
            delivery.attempts,
            delivery.next_attempt_at,
            error,
        )
        return RETRYING


def _describe(delivery: EventDelivery) -> str:
    """Names the delivery, its module and handler in a log line."""
    return f"event delivery {delivery.id} ({delivery.module} {delivery.handler} on {delivery.record} {delivery.event})"


def _tell_admins(session: Session, delivery: EventDelivery) -> None:
    notify_staff(
        session,
        delivery.store_id,
        role="admin",
        title=f"The {delivery.module} module could not react to {delivery.record} {delivery.event}",
        body=(
            f"Event delivery {delivery.id} gave up after {delivery.attempts} tries: {delivery.last_error}\n"
            f"Once the cause is fixed, run: jewelerp events retry {delivery.id}"
        ),
    )


def run_due_deliveries(now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Run the pending deliveries whose next try is due, oldest first; returns how many ended how."""
    now = now or utcnow()
    with read_session() as session:
        due = list(
            session.exec(
                select(EventDelivery.id)
                .where(EventDelivery.status == PENDING, EventDelivery.next_attempt_at <= now)
                .order_by(EventDelivery.id)
                .limit(limit)
            )
        )
    outcomes: dict[str, int] = {}
    for delivery_id in due:
        outcome = run_delivery(delivery_id, now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def deliver_due_events(_session: Session, _actor: Actor | None) -> None:
    """The ``core.event_deliveries`` job: retry due deliveries, each in its own unit of work.

    It leaves the job's session unused, so no transaction is open around the handlers.
    """
    outcomes = run_due_deliveries()
    if outcomes.keys() - {NOT_TAKEN}:
        log.info("event deliveries: %s", outcomes)


def retry_failed(delivery_ids: list[int] | None = None) -> int:
    """Give failed deliveries (all, or those of ``delivery_ids``) a fresh set of tries, due now."""
    stmt = update(EventDelivery).where(EventDelivery.status == FAILED)
    if delivery_ids:
        stmt = stmt.where(EventDelivery.id.in_(delivery_ids))
    with unit_of_work() as session:
        values = {"status": PENDING, "attempts": 0, "next_attempt_at": utcnow()}
        return session.execute(stmt.values(**values).execution_options(synchronize_session=False)).rowcount
