"""Billing test data shared by the accountant's exports (GSTR-1 and Tally): a month of hand-computed invoices."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from jewelerp.core.models import Store
from jewelerp.db import read_session, unit_of_work
from modules.billing.invoices import add_piece_line, add_service_line, cancel_invoice, create_draft, issue_invoice
from modules.billing.models import Invoice
from modules.billing.rates import set_rate
from modules.billing.supply import NO_RECIPIENT, Recipient
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.stock.huids import new_huid

MUMBAI_GSTIN = "27AAPFU0939F1ZV"
KARNATAKA_BUYER = Recipient("12 MG Road, Bengaluru", "29", "29AAPFU0939F1ZR")
# Unregistered buyers whose goods are delivered in another state: inter-state (IGST), B2C.
DELIVERED_TO_KARNATAKA = Recipient("", "", "", "4 Brigade Road, Bengaluru", "29")
DELIVERED_TO_GUJARAT = Recipient("", "", "", "9 CG Road, Ahmedabad", "24")


def at(day: int, hour: int = 6) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def gold(world) -> dict[str, int]:
    """Gold 22K at ₹12,000 a gram in Mumbai, the RING category, and the store's GSTIN."""
    return price_gold(world)


def price_gold(world) -> dict[str, int]:
    """Gold 22K at ₹12,000 a gram in Mumbai, the RING category, and the store's GSTIN."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        metal = session.scalars(select(Metal.id).where(Metal.metal == "gold", Metal.fineness == 916)).one()
        set_rate(session, manager, metal, "12000")
        ring = session.scalars(select(Category.id).where(Category.code == "RING")).one()
        session.get(Store, world.mum).gstin = MUMBAI_GSTIN
    return {"metal": metal, "ring": ring}


def sell(world, gold, grams: str, when: datetime, recipient=NO_RECIPIENT, service: tuple[str, str] | None = None):
    """A ring of ``grams`` (making 12% of the metal, hallmark ₹45), issued at ``when`` (UTC)."""
    manager = world.actor("manager")
    data = PieceInput(
        str(gold["ring"]), str(gold["metal"]), grams, making_rule="percent", making_value="12", huid=new_huid()
    )
    with unit_of_work(manager) as session:
        piece = receive_piece(session, manager, data).id
        invoice = create_draft(session, manager, recipient=recipient)
        add_piece_line(session, manager, invoice.id, piece)
        if service:
            add_service_line(session, manager, invoice.id, *service)
        issue_invoice(session, manager, invoice.id)
        invoice.issued_at = when
        session.add(invoice)
        return invoice.id


def cancel(world, invoice_id: int, when: datetime) -> str:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        note = cancel_invoice(session, manager, invoice_id, "Returned")
        note.created_at = when
        session.add(note)
        return note.number


def number(invoice_id: int) -> str:
    with read_session() as session:
        return session.get(Invoice, invoice_id).number


@pytest.fixture
def november(world, gold) -> dict[str, int | str]:
    """The month of :func:`sell_november`."""
    return sell_november(world, gold)


def sell_november(world, gold) -> dict[str, int | str]:
    """Five invoices and two credit notes in November 2026, one invoice in December.

    Each ring: metal = grams × 12,000; making 12% of it; hallmark 45; GST 3% (1.5% + 1.5% or 3% IGST).
    """
    ids: dict[str, int | str] = {
        # 2 g: 24,000 + 2,880 + 45 = 26,925; CGST = SGST = 403.88 (403.875 half up); engraving 250 + 22.50 + 22.50.
        "counter": sell(world, gold, "2.000", at(2), service=("Engraving", "250")),
        # 3 g: 36,000 + 4,320 + 45 = 40,365; IGST 1,210.95; total 41,575.95 → 41,576.
        "b2b": sell(world, gold, "3.000", at(3), KARNATAKA_BUYER),
        # 10 g: 1,20,000 + 14,400 + 45 = 1,34,445; IGST 4,033.35; total 1,38,478.35 → 1,38,478: above ₹1,00,000.
        "large": sell(world, gold, "10.000", at(4), DELIVERED_TO_KARNATAKA),
        # 5 g: 60,000 + 7,200 + 45 = 67,245; IGST 2,017.35; total 69,262.35 → 69,262: under the limit.
        "small_inter": sell(world, gold, "5.000", at(5), DELIVERED_TO_GUJARAT),
        # 1 g: 12,000 + 1,440 + 45 = 13,485; CGST = SGST = 202.28 (202.275 half up); cancelled on 20 Nov.
        "cancelled": sell(world, gold, "1.000", at(6)),
        "december": sell(world, gold, "1.000", datetime(2026, 11, 30, 18, 30, tzinfo=UTC)),  # 00:00 IST, 1 Dec
    }
    ids["note_b2c"] = cancel(world, ids["cancelled"], at(20))
    ids["note_b2b"] = cancel(world, ids["b2b"], at(21))
    return ids
