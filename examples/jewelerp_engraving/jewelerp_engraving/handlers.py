"""Engraving's event handlers: it listens to billing and emits nothing."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp_engraving.services import cancel_for_invoice


def invoice_cancelled(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """``("billing.invoice", "cancelled", {"number"})``, after billing committed: the invoice's open requests
    are cancelled (in this handler's own unit of work; run again, it finds nothing left to do)."""
    cancel_for_invoice(session, actor, str(payload["number"]))
