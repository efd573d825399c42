"""Platform events: modules react to each other's record events without imports.

A module declares ``EventHandler("billing.invoice", "issued", "modules.loyalty.handlers:earn")``;
the emitting module calls :func:`emit` inside its unit of work, so a failing
handler rolls the whole change back. Only modules enabled in the actor's store hear it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.registry import Registry, call, get_registry


def emit(
    session: Session, actor: Actor, record: str, event: str, payload: dict[str, Any], registry: Registry | None = None
) -> int:
    """Call every enabled module's handler for ``(record, event)``; returns how many ran."""
    registry = registry or get_registry()
    ran = 0
    for module in registry.modules:
        if module.name not in actor.enabled_modules:
            continue
        for handler in module.events:
            if handler.record == record and handler.event == event:
                call(handler.handler)(session, actor, payload)
                ran += 1
    return ran
