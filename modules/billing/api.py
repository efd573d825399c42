"""What other modules (a pip-installed add-on among them) may use of billing: services and plain data.

Nothing here hands out a table row or a page. Every function takes ``(session, actor)`` and checks the
actor's permission like the page that does the same. Billing emits ``("billing.invoice", "issued")``,
``("billing.invoice", "cancelled", {"number"})`` and ``("billing.payment", "received")``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from modules.billing.invoices import (
    SaleSummary,
    add_piece_line,
    cancel_invoice,
    create_draft,
    issue_invoice,
    lines_of,
    sale_summary,
)
from modules.billing.rates import set_rate
from modules.stock.pieces import get_piece

__all__ = [
    "InvoicePieces",
    "SaleSummary",
    "add_piece_line",
    "cancel_invoice",
    "create_draft",
    "invoice_pieces",
    "issue_invoice",
    "sale_summary",
    "set_rate",
]


@dataclass(frozen=True)
class InvoicePieces:
    """An invoice of the actor's store by its number: its status and the SKUs of the pieces it sells."""

    number: str
    status: str  # draft | issued | cancelled
    skus: tuple[str, ...]


def invoice_pieces(session: Session, actor: Actor, number: str) -> InvoicePieces:
    """Invoice ``number`` of the actor's store with the SKUs on it; ``NotFound`` when the store has none."""
    summary = sale_summary(session, actor, number.strip())
    pieces = (line.piece_id for line in lines_of(session, actor, summary.invoice_id) if line.kind == "piece")
    return InvoicePieces(summary.number, summary.status, tuple(get_piece(session, actor, p).sku for p in pieces))
