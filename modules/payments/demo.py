"""Demo stores pay through the test gateway (no money moves), so the portal's "Pay" buttons work in the demo."""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting, set_setting

GATEWAY = "payments.gateway"


def load(session: Session, actor: Actor) -> None:
    """Choose the test gateway for the store unless a gateway is chosen already (idempotent)."""
    if not str(get_setting(session, actor.store_id, GATEWAY)).strip():
        set_setting(session, actor, actor.store_id, GATEWAY, "test")
