"""The header search finds the store's invoices, estimates and bookings by number or its start."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jewelerp.db import unit_of_work
from jewelerp.search import global_search
from jewelerp.testing import run_as
from modules.billing.models import Booking, Invoice


@pytest.fixture
def documents(world) -> dict[str, int]:
    """Two issued invoices, a quoted estimate and an open booking at MUM; an invoice at DEL."""
    rows = {
        "MUM/2627/000123": Invoice(
            store_id=world.mum,
            number="MUM/2627/000123",
            status="issued",
            customer_name="Priya Shah",
            total=Decimal("84512.00"),
        ),
        "MUM/2627/000124": Invoice(store_id=world.mum, number="MUM/2627/000124", status="cancelled"),
        "MUM/E2627/00007": Invoice(
            store_id=world.mum,
            number="MUM/E2627/00007",
            kind="estimate",
            status="quoted",
            customer_name="Ira Rao",
            total=Decimal("15000.00"),
        ),
        "MUM/A2627/00002": Booking(store_id=world.mum, number="MUM/A2627/00002", customer_name="Kabir Das"),
        "DEL/2627/000123": Invoice(store_id=world.dl, number="DEL/2627/000123", status="issued"),
    }
    with unit_of_work() as session:
        session.add_all(rows.values())
        session.flush()
        return {number: row.id for number, row in rows.items()}


def _found(actor, typed: str) -> dict[str, list[tuple[str, str, str]]]:
    return {g.kind: [(h.title, h.detail, h.link) for h in g.hits] for g in run_as(actor, global_search, typed)}


def test_an_invoice_number_typed_in_lower_case_finds_the_invoice_and_opens_it(world, documents):
    assert _found(world.actor("sales"), "mum/2627/000123") == {
        "Invoices": [
            ("MUM/2627/000123", "Priya Shah · Issued · ₹84,512", f"/billing/invoices/{documents['MUM/2627/000123']}")
        ]
    }


def test_the_start_of_a_number_lists_the_invoices_it_begins(world, documents):
    found = _found(world.actor("sales"), "MUM/2627/00012")
    assert [title for title, _d, _l in found["Invoices"]] == ["MUM/2627/000123", "MUM/2627/000124"]
    assert found["Invoices"][1][1] == "Walk-in customer · Cancelled · ₹0"


def test_estimates_and_bookings_are_their_own_kinds(world, documents):
    estimate = documents["MUM/E2627/00007"]
    assert _found(world.actor("manager"), "MUM/E2627/00007") == {
        "Estimates": [("MUM/E2627/00007", "Ira Rao · Quoted · ₹15,000", f"/billing/invoices/{estimate}")]
    }
    booking = documents["MUM/A2627/00002"]
    assert _found(world.actor("manager"), "MUM/A2627") == {
        "Bookings": [("MUM/A2627/00002", "Kabir Das · Open", f"/billing/bookings/{booking}")]
    }
    found = _found(world.actor("manager"), "MUM/")  # every kind at once, each in its group
    assert list(found) == ["Invoices", "Estimates", "Bookings"]


def test_wildcards_typed_are_plain_characters(world, documents):
    manager = world.actor("manager")
    assert _found(manager, "MUM/%") == {}
    assert _found(manager, "MUM/2627/_00123") == {}
    assert _found(manager, "MUM_2627") == {}


def test_another_stores_documents_and_missing_rights_find_nothing(world, documents):
    assert _found(world.actor("manager"), "DEL/2627/000123") == {}
    assert [t for t, _d, _l in _found(world.actor("manager", world.dl), "DEL/2627")["Invoices"]] == ["DEL/2627/000123"]
    assert _found(world.actor("designer"), "MUM/2627/000123") == {}  # designers neither bill nor book
