"""Sales by branch, salesperson, category and metal against the same dates a year earlier, and the margin of
pieces sold (only with the cost permission): figures worked out by hand from silver at ₹153/g, no making."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jewelerp.core.roles import set_grant
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied
from jewelerp.reports import ReportRequest, write_report
from jewelerp.validation import years_after
from modules.billing.invoices import cancel_invoice
from modules.billing.rates import set_rate
from modules.billing.sales_compare import compare_sales, comparison_table, margin, margin_table
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.billing.test_reports import _sell

NOV_1, NOV_3 = date(2026, 11, 1), date(2026, 11, 3)


def _noon(year: int, day: int) -> datetime:
    return datetime(year, 11, day, 6, 30, tzinfo=UTC)  # 12:00 IST


def _silver(world, grams: str, cost: str = "", store: int | None = None) -> int:
    """A silver 925 chain of ``grams`` (no making, no wastage): ``grams`` × ₹153 taxable."""
    manager = world.actor("manager", store)
    with unit_of_work(manager) as session:
        silver = session.scalars(select(Metal.id).where(Metal.metal == "silver", Metal.fineness == 925)).one()
        chain = session.scalars(select(Category.id).where(Category.code == "CHAIN")).one()
        return receive_piece(session, manager, PieceInput(str(chain), str(silver), grams, cost_price=cost)).id


@pytest.fixture
def sales(world) -> None:
    """Mumbai, 1–3 Nov 2026: Sales sells a 10 g chain (₹1,530, cost ₹1,200), polishing (₹800) and a 2 g chain
    (₹306, no cost recorded); Manager a 20 g chain (₹3,060, cost ₹2,500); a 4 g chain sold and cancelled.
    2 Nov 2025: Sales sold a 5 g chain (₹765). Delhi, 2 Nov 2026: polishing ₹1,000."""
    manager, delhi = world.actor("manager"), world.actor("manager", world.dl)
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        silver = session.scalars(select(Metal.id).where(Metal.metal == "silver", Metal.fineness == 925)).one()
        set_rate(session, manager, silver, "153")
    with unit_of_work(delhi) as session:
        set_rate(session, delhi, silver, "153")
    seller = world.actor("sales")
    _sell(seller, _noon(2026, 1), pieces=[_silver(world, "10", "1200")], services=[("Polishing", "800")])
    _sell(seller, _noon(2026, 3), pieces=[_silver(world, "2")])
    _sell(manager, _noon(2026, 2), pieces=[_silver(world, "20", "2500")])
    cancelled = _sell(seller, _noon(2026, 2), pieces=[_silver(world, "4", "100")])
    with unit_of_work(manager) as session:
        cancel_invoice(session, manager, cancelled, "Returned")
    _sell(seller, _noon(2025, 2), pieces=[_silver(world, "5", "600")])
    _sell(delhi, _noon(2026, 2), services=[("Polishing", "1000")])


def _request(group: str, every_store: bool = False, category: str = "") -> ReportRequest:
    return ReportRequest(NOV_1, NOV_3, every_store, {"group": group, "category": category})


def _compare(world, dimension: str, **kwargs) -> list[tuple]:
    with read_session() as session:
        rows = compare_sales(session, world.actor("manager"), _request(dimension, **kwargs))
    return [(r.group, r.this_period, r.last_year, r.change) for r in rows]


def test_a_year_earlier_is_the_same_dates_and_29_february_falls_back():
    assert years_after(date(2026, 11, 3), -1) == date(2025, 11, 3)
    assert years_after(date(2028, 2, 29), -1) == date(2027, 2, 28)


def test_sales_by_branch_salesperson_category_and_metal_against_a_year_earlier(world, sales):
    # 1,530 + 800 + 306 + 3,060 = 5,696 against 765; the cancelled ₹612 is left out
    assert _compare(world, "branch") == [("MUM", D("5696.00"), D("765.00"), D("4931.00"))]
    assert _compare(world, "salesperson") == [
        ("Manager", D("3060.00"), D("0.00"), D("3060.00")),
        ("Sales", D("2636.00"), D("765.00"), D("1871.00")),
    ]
    assert _compare(world, "category") == [
        ("Silver", D("4896.00"), D("765.00"), D("4131.00")),
        ("Services", D("800.00"), D("0.00"), D("800.00")),
    ]
    assert _compare(world, "metal") == [
        ("Silver 925", D("4896.00"), D("765.00"), D("4131.00")),
        ("Services", D("800.00"), D("0.00"), D("800.00")),
    ]
    assert _compare(world, "branch", category="services") == [("MUM", D("800.00"), D("0.00"), D("800.00"))]
    assert _compare(world, "branch", every_store=True) == [
        ("MUM", D("5696.00"), D("765.00"), D("4931.00")),
        ("DEL", D("1000.00"), D("0.00"), D("1000.00")),
    ]


def test_the_comparison_table_shows_the_change_in_percent(world, sales):
    request = ReportRequest(NOV_1, NOV_3, False, {"group": "salesperson", "category": ""})
    with read_session() as session:
        table = comparison_table(session, world.actor("manager"), request)
    # 1,871 / 765 = 244.575…% → +244.6%; nothing a year earlier → "—"; total 4,931 / 765 = 644.575…% → +644.6%
    assert [(r["group"], r["change_pct"]) for r in table.rows] == [("Manager", "—"), ("Sales", "+244.6%")]
    assert table.footer[0]["change_pct"] == "+644.6%" and table.footer[0]["this_period"] == D("5696.00")
    assert table.columns[0].label == "Salesperson"
    assert "01 Nov 2025 to 03 Nov 2025" in table.notes[0]


def test_margin_is_sale_less_recorded_cost_and_names_what_has_no_cost(world, sales, tmp_path):
    with read_session() as session:
        result = margin(session, world.actor("manager"), _request("salesperson"))
        table = margin_table(session, world.actor("manager"), ReportRequest(NOV_1, NOV_3, False, {"group": "branch"}))
    # Manager: 3,060 − 2,500 = 560; Sales: 1,530 − 1,200 = 330 (the 2 g chain has no cost, the polishing is a service)
    assert [(r.group, r.pieces, r.sale, r.cost, r.margin) for r in result.rows] == [
        ("Manager", 1, D("3060.00"), D("2500.00"), D("560.00")),
        ("Sales", 1, D("1530.00"), D("1200.00"), D("330.00")),
    ]
    assert (result.uncosted, result.uncosted_sale) == (1, D("306.00"))
    # 890 / 4,590 = 19.389…% → 19.4%
    assert table.rows == [
        {"group": "MUM", "pieces": 2, "sale": D("4590.00"), "cost": D("3700.00"), "margin": D("890.00")}
        | {"margin_pct": "19.4%"}
    ]
    assert "Left out: 1 piece sold without a recorded cost (sales ₹306.00)." in table.notes
    path = tmp_path / table.filename
    write_report(path, table)
    cells = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    assert cells[1] == ["Branch", "Pieces", "Sale (₹)", "Cost (₹)", "Margin (₹)", "Margin %"]
    assert cells[2][:2] == ["MUM", 2] and D(str(cells[2][4])) == D("890.00")


def test_margin_needs_the_cost_permission_besides_the_reports(world, sales):
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        set_grant(session, admin, "manager", "stock.cost.view", False)
    manager = world.actor("manager")
    with read_session() as session:
        assert compare_sales(session, manager, _request("branch"))  # the comparison shows no cost
        with pytest.raises(PermissionDenied):
            margin(session, manager, _request("branch"))
        with pytest.raises(PermissionDenied):
            compare_sales(session, world.actor("sales"), _request("branch"))
