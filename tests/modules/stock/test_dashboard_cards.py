"""Stock's dashboard cards: stock value by metal at today's rates, low stock, pieces in stock, per branch.

Gold 22K at ₹12,000/g and silver 925 at ₹153/g (billing's rates of today): 5.120 g of gold is ₹61,440.00,
50 g of silver ₹7,650.00."""

from __future__ import annotations

from decimal import Decimal as D

from jewelerp.dashboard import DashboardFilters
from jewelerp.db import read_session, unit_of_work
from modules.stock.cards import low_stock_card, on_hand_card, value_by_metal_card
from modules.stock.reorder import RuleInput, set_rule
from tests.modules.billing.test_reports import _piece, stock  # noqa: F401 (stock: a fixture)


def _cards(world, *stores: int):
    manager = world.actor("manager")
    today = manager.today()
    filters = DashboardFilters(today, today, stores)
    with read_session() as session:
        return [card(session, manager, filters) for card in (value_by_metal_card, low_stock_card, on_hand_card)]


def test_value_by_metal_low_stock_and_pieces_per_branch(world, stock):  # noqa: F811
    _piece(world, stock, "gold", "5.120")
    _piece(world, stock, "silver", "50.000")
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        set_rule(session, manager, RuleInput(str(stock["RING"]), "5"))
    value, low, pieces = _cards(world, world.mum)
    assert (value.value, value.caption) == ("₹69,090", "at today's rates")  # 61,440 + 7,650
    assert [(p.value) for p in value.chart.points] == [D("61440.00"), D("7650.00")]
    assert [r.value for r in value.rows] == ["₹61,440", "₹7,650"]
    assert (low.value, [r.value for r in low.rows]) == ("1", ["2 of 5"])  # two rings of the five kept
    assert low.rows[0].label.startswith("MUM · ")
    assert pieces.value == "2"
    value, low, pieces = _cards(world, world.dl)
    assert (value.value, value.chart, low.value, low.caption, pieces.value) == (
        "₹0",
        None,
        "0",
        "every reorder rule is met",
        "0",
    )
