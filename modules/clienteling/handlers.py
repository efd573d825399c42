"""Reactions to other modules' events (declared in the manifest, never imported by them).

Billing emits ``("billing.invoice", "issued", {"customer_id", "number", "amount", "issued_at", "invoice_date"})``
and ``("billing.invoice", "cancelled", {"number"})``; ``amount`` is the value before tax as text, ``invoice_date``
the invoice's date (ISO; an event queued before billing sent it is dated by ``issued_at`` in the store's zone).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from modules.clienteling.segments import record_purchase, reverse_purchase


def invoice_issued(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """Count the sale towards the customer's segment."""
    if payload.get("customer_id"):
        issued = payload["issued_at"]
        at = issued if isinstance(issued, datetime) else datetime.fromisoformat(issued)
        dated = payload.get("invoice_date")
        sold_on = date.fromisoformat(dated) if dated else actor.local(at).date()
        amount = Decimal(payload["amount"])
        record_purchase(session, actor, int(payload["customer_id"]), payload["number"], amount, at, sold_on)


def invoice_cancelled(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """A credit note takes the sale back out of the segment figures."""
    reverse_purchase(session, actor, payload["number"])
