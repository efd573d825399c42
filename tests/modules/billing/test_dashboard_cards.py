"""Billing's dashboard cards against hand-computed sales: a service of ₹250 is ₹295.00 with 18% GST; a silver
925 piece of 50 g at ₹153/g with 12% making is ₹7,650 + ₹918 = ₹8,568 taxable and ₹8,825.04 with 3% GST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from jewelerp.dashboard import DashboardFilters
from jewelerp.db import read_session, unit_of_work, utcnow
from modules.billing.cards import (
    branches_card,
    dues_card,
    gold_rate_card,
    sales_period_card,
    sales_today_card,
    top_categories_card,
    top_salespeople_card,
)
from modules.billing.rates import set_rate
from tests.modules.billing.test_reports import _cancel, _piece, _sell, stock  # noqa: F401 (stock: a fixture)

NOV_1, NOV_3 = date(2026, 11, 1), date(2026, 11, 3)


def _ist(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """Noon (or ``hour``) in Mumbai as UTC (IST is UTC+5:30)."""
    return datetime(year, month, day, hour, 0, tzinfo=UTC) - timedelta(hours=5, minutes=30)


@pytest.fixture
def november(world, stock) -> None:  # noqa: F811
    """1 Nov: Sales engraves for ₹250 (₹295.00); 2 Nov: Manager sells 50 g of silver (₹8,825.04) and a ₹100
    service that is cancelled; 3 Nov in Delhi: a ₹1,000 polish (₹1,180.00); 2 Nov 2025: a ₹500 repair (₹590.00)."""
    sales, manager, delhi = world.actor("sales"), world.actor("manager"), world.actor("manager", world.dl)
    _sell(sales, _ist(2026, 11, 1), services=[("Engraving", "250")])
    _sell(manager, _ist(2026, 11, 2), pieces=[_piece(world, stock, "silver", "50.000")])
    _cancel(manager, _sell(manager, _ist(2026, 11, 2, 14), services=[("Cleaning", "100")]), _ist(2026, 11, 2, 15))
    _sell(delhi, _ist(2026, 11, 3), services=[("Polish", "1000")])
    _sell(sales, _ist(2025, 11, 2), services=[("Repair", "500")])


def _card(card, actor, filters: DashboardFilters):
    with read_session() as session:
        return card(session, actor, filters)


def _nov(world, *stores: int, category: str = "", salesperson: str = "") -> DashboardFilters:
    return DashboardFilters(NOV_1, NOV_3, stores or (world.mum,), category, salesperson)


def test_sales_of_the_period_against_last_year_with_a_line_per_day(world, november):
    shown = _card(sales_period_card, world.actor("manager"), _nov(world))
    assert shown.value == "₹9,120.04"  # 295.00 + 8,825.04; the cancelled service and Delhi left out
    assert shown.caption == "01 Nov – 03 Nov 2026; last year ₹590 (+1445.8%)"  # 8,530.04 / 590
    assert [(p.label, p.value) for p in shown.chart.points] == [
        ("01 Nov", D("295.00")),
        ("02 Nov", D("8825.04")),
        ("03 Nov", D("0")),
    ]
    assert shown.chart.kind == "line"


def test_category_and_salesperson_filters_narrow_the_sales(world, november):
    manager = world.actor("manager")
    assert _card(sales_period_card, manager, _nov(world, category="silver")).value == "₹8,825.04"
    assert _card(sales_period_card, manager, _nov(world, category="silver")).caption.endswith("last year ₹0")
    assert _card(sales_period_card, manager, _nov(world, category="services")).value == "₹295"
    assert _card(sales_period_card, manager, _nov(world, salesperson="sales")).value == "₹295"
    assert _card(sales_period_card, manager, _nov(world, salesperson="Nobody")).value == "₹0"


def test_branch_comparison_needs_several_branches(world, november):
    manager = world.actor("manager")
    assert _card(branches_card, manager, _nov(world)) is None
    shown = _card(branches_card, manager, _nov(world, world.mum, world.dl))
    assert shown.value == "MUM"
    assert [(r.label, r.value) for r in shown.rows] == [("DEL", "₹1,180"), ("MUM", "₹9,120.04")]
    assert shown.chart.kind == "bar"
    everywhere = _card(sales_period_card, manager, _nov(world, world.mum, world.dl))
    assert everywhere.value == "₹10,300.04"  # 9,120.04 + 1,180.00


def test_top_categories_and_salespeople(world, november):
    manager = world.actor("manager")
    categories = _card(top_categories_card, manager, _nov(world))
    assert [(r.label, r.value) for r in categories.rows] == [("Silver", "₹8,825.04"), ("Services", "₹295")]
    assert (categories.value, categories.caption) == ("Silver", "₹8,825.04 of ₹9,120.04")
    people = _card(top_salespeople_card, manager, _nov(world, world.mum, world.dl))
    assert [(r.label, r.value) for r in people.rows] == [("Manager", "₹10,005.04"), ("Sales", "₹295")]
    quiet = _card(top_categories_card, manager, DashboardFilters(date(2026, 1, 1), date(2026, 1, 31), (world.mum,)))
    assert (quiet.value, quiet.rows) == ("—", ())


def test_sales_today_against_the_same_date_last_year(world):
    sales = world.actor("sales")
    now = utcnow()
    _sell(sales, now, services=[("Polish", "1000")])  # ₹1,180.00
    _sell(sales, now.replace(year=now.year - 1), services=[("Polish", "200")])  # ₹236.00
    today = sales.today()
    shown = _card(sales_today_card, world.actor("manager"), DashboardFilters(today, today, (world.mum,)))
    assert (shown.value, shown.caption) == ("₹1,180", "last year ₹236 (+400.0%)")


def test_dues_by_age(world):
    sales = world.actor("sales")
    now = utcnow()
    _sell(sales, now - timedelta(days=5), services=[("Polish", "100")])  # ₹118.00, 0-30 days
    _sell(sales, now - timedelta(days=45), services=[("Polish", "200")])  # ₹236.00, 31-60 days
    _sell(sales, now - timedelta(days=100), services=[("Polish", "300")])  # ₹354.00, over 90 days
    _sell(world.actor("manager", world.dl), now, services=[("Polish", "1000")])  # Delhi
    today = sales.today()
    shown = _card(dues_card, world.actor("manager"), DashboardFilters(today, today, (world.mum,)))
    assert (shown.value, shown.caption) == ("₹708", "₹590 older than 30 days")
    assert [r.value for r in shown.rows] == ["₹118", "₹236", "₹0", "₹354"]
    both = _card(dues_card, world.actor("manager"), DashboardFilters(today, today, (world.mum, world.dl)))
    assert both.value == "₹1,888"  # + ₹1,180 in Delhi


def test_gold_rate_today_and_its_30_days(world, stock):  # noqa: F811
    manager = world.actor("manager")
    today = manager.today()
    with unit_of_work(manager) as session:
        set_rate(session, manager, stock["gold"], "11800", today - timedelta(days=10))
        set_rate(session, manager, stock["gold"], "11000", today - timedelta(days=40))  # before the 30 days
    shown = _card(gold_rate_card, manager, DashboardFilters(today, today, (world.mum,)))
    assert (shown.value, shown.caption) == ("₹12,000/g", "22K gold at MUM today")  # the fixture's rate
    assert [p.value for p in shown.chart.points] == [D("11800.00"), D("12000.00")]
    delhi = _card(gold_rate_card, manager, DashboardFilters(today, today, (world.dl,)))
    assert (delhi.value, delhi.caption, delhi.chart) == ("—", "no 22K gold rate entered today at DEL", None)
