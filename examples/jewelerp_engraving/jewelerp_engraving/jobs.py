"""The daily job ``engraving.due_today``: the store's managers and salespeople hear what is due today."""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.notifications import notify_staff
from jewelerp_engraving.services import due_on

NOTIFIED_ROLES = ("manager", "sales")
LISTED = 10


def due_today(session: Session, actor: Actor) -> int:
    """Notify the store's managers and salespeople of today's open requests; returns the notices left."""
    due = due_on(session, actor, actor.today())
    if not due:
        return 0
    pieces = [f"{r.sku} ({r.invoice_number})" for r in due[:LISTED]]
    more = f" and {len(due) - LISTED} more" if len(due) > LISTED else ""
    title = f"Engraving: {len(due)} piece(s) due today"
    body = f"Due today: {', '.join(pieces)}{more}"
    return sum(
        len(notify_staff(session, actor.store_id, role=role, title=title, body=body, link="/engraving"))
        for role in NOTIFIED_ROLES
    )
