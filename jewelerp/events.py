"""Platform events: modules react to each other's record events without imports.

A module declares ``EventHandler("billing.invoice", "issued", "modules.loyalty.handlers:earn")``;
the emitting module calls :func:`emit` inside its unit of work. Only modules enabled in the actor's
store hear it. An ``in_transaction`` handler (the default) runs at once in the emitter's transaction,
so its failure rolls the whole change back; an ``after_commit`` one is queued in that transaction and
runs after it commits, in its own unit of work, retried on failure
(:mod:`jewelerp.core.event_deliveries`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.event_deliveries import queue_delivery
from jewelerp.registry import EventHandler, Registry, call, get_registry


def emit(
    session: Session, actor: Actor, record: str, event: str, payload: dict[str, Any], registry: Registry | None = None
) -> int:
    """Run (or queue, for after commit) every enabled module's handler for ``(record, event)``; returns how many.

    An after-commit handler's payload is stored as JSON: give it text, numbers, booleans, None, lists and dicts.
    """
    registry = registry or get_registry()
    registry.check_emitted(record, event)
    handled = 0
    for module, handler in _listeners(registry, actor, record, event):
        if handler.phase == "after_commit":
            queue_delivery(session, actor, module, handler, payload)
        else:
            call(handler.handler)(session, actor, payload)
        handled += 1
    return handled


def _listeners(registry: Registry, actor: Actor, record: str, event: str) -> Iterator[tuple[str, EventHandler]]:
    """The handlers for ``(record, event)`` of the modules enabled in the actor's store, with their module."""
    for module in registry.modules:
        if module.name in actor.enabled_modules:
            for handler in module.events:
                if handler.record == record and handler.event == event:
                    yield module.name, handler
