"""A sale to engrave on, for the service tests and the browser test: an issued invoice selling one ring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jewelerp.auth.actor import Actor
from jewelerp.db import unit_of_work
from modules.billing.api import add_piece_line, create_draft, issue_invoice, set_rate
from modules.stock.api import PieceInput, list_categories, list_metals, receive_piece


@dataclass(frozen=True)
class Sale:
    """An issued invoice selling one silver ring; ``today`` is the store's date."""

    number: str
    sku: str
    today: date


def sell_a_ring(manager: Actor) -> Sale:
    """The manager receives a silver ring, enters today's rate and sells the ring on an issued invoice
    (the store needs stock's and billing's install data)."""
    with unit_of_work(manager) as session:
        silver = next(m for m in list_metals(session, manager) if (m.metal, m.fineness) == ("silver", 925))
        ring = next(c for c in list_categories(session, manager) if c.code == "RING")
        set_rate(session, manager, silver.id, "95")
        piece = receive_piece(session, manager, PieceInput(str(ring.id), str(silver.id), "12.500"))
        invoice = create_draft(session, manager, customer_name="Ira Kapoor")
        add_piece_line(session, manager, invoice.id, piece.id)
        return Sale(issue_invoice(session, manager, invoice.id).number, piece.sku, manager.today())
