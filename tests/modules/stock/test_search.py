"""The header search finds pieces at the branch by SKU (or its start), HUID and certificate report number."""

from __future__ import annotations

from datetime import date

import pytest

from jewelerp.db import unit_of_work
from jewelerp.search import global_search
from jewelerp.testing import run_as
from modules.stock.models import Category, Certificate, Metal
from modules.stock.pieces import PieceInput, receive_piece


@pytest.fixture
def pieces(world) -> dict[str, int]:
    """Three gold rings received at MUM (SKUs MUM-000001..3, HUIDs AB12C1..3), one at DEL; ring 2 certified."""
    with unit_of_work() as session:
        ring = Category(code="RNG", name="Ring")
        gold = Metal(metal="gold", purity="22K", fineness=916, hallmarked=True)
        session.add_all([ring, gold])
        session.flush()
        masters = {"category_id": str(ring.id), "metal_id": str(gold.id), "gross_weight": "8.000"}
    ids = {}
    for store, huid, description in (
        (world.mum, "AB12C1", "Plain band"),
        (world.mum, "AB12C2", "Solitaire ring"),
        (world.mum, "AB12C3", ""),
        (world.dl, "DL34X9", "Delhi band"),
    ):
        actor = world.actor("manager", store)
        with unit_of_work(actor) as session:
            piece = receive_piece(session, actor, PieceInput(**masters, huid=huid, description=description))
            ids[piece.sku] = piece.id
    with unit_of_work() as session:
        session.add(
            Certificate(piece_id=ids["MUM-000002"], lab="GIA", report_number="2141438171", issued_on=date(2025, 1, 5))
        )
    return ids


def _pieces(actor, typed: str) -> list[tuple[str, str, str]]:
    groups = {g.kind: g.hits for g in run_as(actor, global_search, typed)}
    return [(h.title, h.detail, h.link) for h in groups.get("Pieces", [])]


def test_a_huid_in_any_case_finds_its_piece_and_opens_it(world, pieces):
    assert _pieces(world.actor("sales"), "ab12c2") == [
        ("MUM-000002", "Solitaire ring · HUID AB12C2 · In stock", f"/stock/pieces/{pieces['MUM-000002']}")
    ]


def test_a_sku_or_its_start_finds_pieces_in_sku_order(world, pieces):
    sales = world.actor("sales")
    assert [sku for sku, _d, _l in _pieces(sales, "MUM-000003")] == ["MUM-000003"]
    assert [sku for sku, _d, _l in _pieces(sales, "mum-0000")] == ["MUM-000001", "MUM-000002", "MUM-000003"]
    assert _pieces(sales, "UM-000003") == []  # the middle of a SKU is not its start


def test_a_certificate_report_number_finds_the_certified_piece(world, pieces):
    assert [sku for sku, _d, _l in _pieces(world.actor("designer"), "2141438171")] == ["MUM-000002"]
    assert [sku for sku, _d, _l in _pieces(world.actor("designer"), "21414 38171")] == ["MUM-000002"]
    assert _pieces(world.actor("designer"), "214143817") == []  # a report number is matched whole


def test_only_pieces_at_the_current_branch_are_found(world, pieces):
    assert _pieces(world.actor("manager"), "DL34X9") == []
    assert _pieces(world.actor("manager"), "DEL-000001") == []
    assert [sku for sku, _d, _l in _pieces(world.actor("manager", world.dl), "dl34x9")] == ["DEL-000001"]
