"""Stock ageing (pieces held today by days in stock and category, weight and value at today's rate) and dead
stock (pieces older than a threshold, the store's setting by default): figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied
from jewelerp.reports import ReportRequest, write_report
from modules.stock.ageing import ageing, ageing_table, dead_stock, dead_stock_table
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal
from modules.stock.pieces import PieceInput, receive_piece
from modules.stock.valuation import set_rate
from tests.modules.stock.huids import new_huid

IST = ZoneInfo("Asia/Kolkata")


@pytest.fixture
def shelf(world) -> dict[str, int]:
    """Mumbai holds gold 22K rings (rate ₹12,000/g today) received 0, 30, 31, 45 and 400 days ago, a silver chain
    (no rate) received 200 days ago; a consignment ring and a sold ring, both old, are not held; Delhi holds a
    ring received 100 days ago."""
    manager, delhi = world.actor("manager"), world.actor("manager", world.dl)
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        metals = {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))}
        categories = {c.code: c.id for c in session.scalars(select(Category))}
        set_rate(session, manager, metals[("gold", 916)], "12000")
        set_rate(session, delhi, metals[("gold", 916)], "12100")
    gold, silver = metals[("gold", 916)], metals[("silver", 925)]
    ring, chain = categories["RING"], categories["CHAIN"]
    today = manager.today()
    made = {
        "A": _piece(world, world.mum, ring, gold, "10", today),
        "G": _piece(world, world.mum, ring, gold, "1", today - timedelta(days=30)),
        "H": _piece(world, world.mum, ring, gold, "1", today - timedelta(days=31)),
        "B": _piece(world, world.mum, ring, gold, "5.5", today - timedelta(days=45)),
        "C": _piece(world, world.mum, ring, gold, "8", today - timedelta(days=400)),
        "D": _piece(world, world.mum, chain, silver, "20", today - timedelta(days=200)),
        "E": _piece(world, world.mum, ring, gold, "3", today - timedelta(days=500), consignment=True),
        "F": _piece(world, world.mum, ring, gold, "2", today - timedelta(days=400), status="sold"),
        "DEL": _piece(world, world.dl, ring, gold, "4", today - timedelta(days=100)),
    }
    return made | {"ring": ring, "chain": chain}


def _piece(world, store, category, metal, grams, received, consignment=False, status="") -> int:
    actor = world.actor("manager", store)
    with unit_of_work(actor) as session:
        hallmarked = session.get(Metal, metal).metal == "gold"
        data = PieceInput(str(category), str(metal), grams, huid=new_huid() if hallmarked else "")
        piece = receive_piece(session, actor, data)
        piece.consignment = consignment  # a vendor's piece (the vendor itself does not matter here)
        piece.created_at = datetime.combine(received, time(12), IST).astimezone(UTC)
        if status:
            piece.status = status
        session.add(piece)
        return piece.id


def _request(**choices) -> ReportRequest:
    every = choices.pop("every_store", False)
    today = datetime.now(IST).date()
    return ReportRequest(today, today, every, choices)


def test_ageing_buckets_weight_and_value_by_hand(world, shelf):
    with read_session() as session:
        rows = ageing(session, world.actor("manager"))
    got = [(r.store, r.bucket, r.category, r.pieces, r.net_weight, r.value, r.unrated) for r in rows]
    assert got == [
        # A 10 g + G 1 g (30 days: still the first bucket) = 11 g × ₹12,000
        ("MUM", "0–30 days", "Ring", 2, D("11.000"), D("132000.00"), None),
        # H 1 g (31 days) + B 5.5 g = 6.5 g × ₹12,000
        ("MUM", "31–90 days", "Ring", 2, D("6.500"), D("78000.00"), None),
        ("MUM", "181–365 days", "Chain", 1, D("20.000"), D("0.00"), {"Silver 925"}),
        ("MUM", "Over 365 days", "Ring", 1, D("8.000"), D("96000.00"), None),
    ]


def test_ageing_table_totals_chart_category_filter_and_every_store(world, shelf):
    manager = world.actor("manager")
    with read_session() as session:
        table = ageing_table(session, manager, _request())
        rings = ageing_table(session, manager, _request(category=str(shelf["ring"])))
        both = ageing_table(session, manager, _request(every_store=True))
    assert table.footer == [{"bucket": "Total", "pieces": 6, "net_weight": D("45.500"), "value": D("306000.00")}]
    assert table.notes == ("Not valued (no rate today): Silver 925.",)
    assert table.chart_rows == [
        {"bucket": "0–30 days", "value": D("132000.00")},
        {"bucket": "31–90 days", "value": D("78000.00")},
        {"bucket": "91–180 days", "value": D("0.00")},
        {"bucket": "181–365 days", "value": D("0.00")},
        {"bucket": "Over 365 days", "value": D("96000.00")},
    ]
    assert rings.footer[0]["pieces"] == 5 and rings.footer[0]["net_weight"] == D("25.500")
    assert "store" in [c.key for c in both.columns] and "store" not in [c.key for c in table.columns]
    # Delhi's ring: 4 g × Delhi's own ₹12,100 = ₹48,400, in the 91–180 bucket
    assert [r for r in both.rows if r["store"] == "DEL"] == [
        {
            "store": "DEL",
            "bucket": "91–180 days",
            "category": "Ring",
            "pieces": 1,
            "net_weight": D("4.000"),
            "value": D("48400.00"),
        }
    ]


def test_dead_stock_uses_the_store_setting_unless_a_threshold_is_typed(world, shelf):
    manager = world.actor("manager")
    today = manager.today()
    with read_session() as session:
        default = dead_stock_table(session, manager, _request())
        typed = dead_stock(session, manager, 100)
    assert [(r["sku"] != "", r["days"], r["net_weight"], r["value"]) for r in default.rows] == [
        (True, 400, D("8.000"), D("96000.00"))
    ]
    assert default.rows[0]["received"] == today - timedelta(days=400)
    assert default.notes == ("1 piece unsold for more than 365 days.",)
    assert [(p.days, p.metal, p.value) for p in typed] == [
        (400, "Gold 22K (916)", D("96000.00")),
        (200, "Silver 925", None),
    ]
    with unit_of_work(manager) as session:
        set_setting(session, manager, world.mum, "stock.dead_stock_days", "180")
    with read_session() as session:
        by_setting = dead_stock_table(session, manager, _request())
    assert [r["days"] for r in by_setting.rows] == [400, 200]
    assert by_setting.rows[1]["value"] == "No rate today"
    assert by_setting.footer == [{"sku": "Total", "net_weight": D("28.000"), "value": D("96000.00")}]


@pytest.mark.parametrize("who", ["sales", "designer"])
def test_staff_without_the_report_permission_are_refused(world, shelf, who):
    with read_session() as session:
        with pytest.raises(PermissionDenied):
            ageing_table(session, world.actor(who), _request())
        with pytest.raises(PermissionDenied):
            dead_stock_table(session, world.actor(who), _request())


def test_the_ageing_export_has_numbers_as_numbers(world, shelf, tmp_path):
    with read_session() as session:
        table = ageing_table(session, world.actor("manager"), _request())
    path = tmp_path / table.filename
    write_report(path, table)
    cells = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    assert cells[1] == ["Days in stock", "Category", "Pieces", "Net weight (g)", "Value today (₹)"]
    assert cells[2][:3] == ["0–30 days", "Ring", 2]
    assert D(str(cells[2][3])) == D("11.000") and D(str(cells[2][4])) == D("132000.00")
    assert cells[6][0] == "Total" and D(str(cells[6][4])) == D("306000.00")
