"""Piece lines priced with their stones' values from stock, with the discount given and the line's
category kept for reports; the tag price counts the stones too."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from jewelerp.db import unit_of_work
from modules.billing.invoices import add_piece_line, create_draft
from modules.billing.pricing import Discount
from modules.billing.rates import set_rate
from modules.billing.tag_price import piece_price
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal
from modules.stock.pieces import PieceInput, StoneInput, receive_piece
from tests.modules.stock.huids import new_huid


@pytest.fixture
def ids(world) -> dict[str, int]:
    """Category RING and metals gold 22K, gold 18K, silver 925, with today's rates in Mumbai."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        metals = {f"{m.metal}{m.fineness}": m.id for m in session.scalars(select(Metal))}
        for key, rate in (("gold916", "12000"), ("gold750", "9800"), ("silver925", "150")):
            set_rate(session, manager, metals[key], rate)
        ring = session.scalars(select(Category.id).where(Category.code == "RING")).one()
    return metals | {"RING": ring}


def _piece(world, ids, metal: str, gross: str, **fields) -> int:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        huid = new_huid() if metal.startswith("gold") else ""
        data = PieceInput(str(ids["RING"]), str(ids[metal]), gross, huid=huid, **fields)
        return receive_piece(session, manager, data).id


def _diamond_ring(world, ids) -> int:
    """18K, 4.200 g gross with 0.172 g of stones (net 4.028 g), 5% wastage, making 14% of the metal value."""
    stones = [
        StoneInput("diamond", "12", "0.360", "F", "VS1", value="54000"),
        StoneInput("ruby", "1", "0.500", value="6500.50"),
    ]
    return _piece(
        world,
        ids,
        "gold750",
        "4.200",
        stone_weight="0.172",
        wastage_pct="5",
        making_rule="percent",
        making_value="14",
        stones=stones,
    )


def _bill(world, piece_id: int, **discounts):
    sales = world.actor("sales")
    with unit_of_work(sales) as session:
        invoice = create_draft(session, sales, customer_name="Ira Kapoor")
        return add_piece_line(session, sales, invoice.id, piece_id, **discounts)


def test_a_diamond_piece_is_priced_with_its_stones(world, ids):
    line = _bill(world, _diamond_ring(world, ids))
    rows = {row["key"]: D(row["amount"]) for row in json.loads(line.breakdown)}
    # metal 4.028 × 9,800 = 39,474.40; wastage 5% = 1,973.72; making 14% of 39,474.40 = 5,526.416 -> 5,526.42;
    # stones 54,000 + 6,500.50 = 60,500.50; hallmark 45 (18K is hallmarked).
    assert rows["metal"] == D("39474.40")
    assert rows["wastage"] == D("1973.72")
    assert rows["making"] == D("5526.42")
    assert rows["stones"] == D("60500.50")
    assert rows["hallmark"] == D("45.00")
    assert line.taxable == rows["taxable"] == D("107520.04")
    assert (line.cgst, line.sgst, line.amount) == (D("1612.80"), D("1612.80"), D("110745.64"))
    assert line.category == "diamond" and line.discount == D("0.00")


def test_the_tag_price_counts_the_stones(world, ids):
    ring = _diamond_ring(world, ids)
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        breakdown = piece_price(session, manager, ring)
    assert breakdown.amount("stones") == D("60500.50") and breakdown.taxable == D("107520.04")


def test_pieces_without_diamonds_take_their_metal_as_category(world, ids):
    band = _piece(world, ids, "gold916", "5.000", making_value="500")
    toe_ring = _piece(world, ids, "silver925", "6.000", stone_weight="0.100", stones=[StoneInput("cz", "8", "0.500")])
    assert _bill(world, band).category == "gold"
    line = _bill(world, toe_ring)
    assert line.category == "silver"
    assert {row["key"]: row["amount"] for row in json.loads(line.breakdown)}["stones"] == "0.00"


def test_the_line_keeps_the_rupees_of_discount_given(world, ids):
    # 5.000 g 22K at ₹12,000: metal 60,000; making 5 × 500 = 2,500; hallmark 45; before discount 62,545.
    band = _piece(world, ids, "gold916", "5.000", making_value="500")
    line = _bill(world, band, discount=Discount("percent", D("10")))
    assert line.discount == D("6254.50")  # 10% of 62,545
    assert line.taxable == D("56290.50")
    other = _piece(world, ids, "gold916", "5.000", making_value="500")
    line = _bill(world, other, making_discount=Discount("percent", D("20")), discount=Discount("percent", D("10")))
    assert line.discount == D("500.00") + D("6204.50")  # 20% of 2,500 making, then 10% of 62,045
