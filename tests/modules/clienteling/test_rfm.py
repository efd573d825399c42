"""Customer RFM: quintile scores of recency, frequency and spend among the customers who bought in the period,
their segments and lifetime value, worked out by hand for five customers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied
from jewelerp.reports import ReportRequest, write_report
from modules.clienteling.rfm import quintile_scores, rfm, rfm_table, segment_of
from modules.clienteling.segments import record_purchase, reverse_purchase
from tests.modules.clienteling.helpers import add_customer

JAN_1, DEC_31 = date(2026, 1, 1), date(2026, 12, 31)


def _bought(actor, customer_id: int, ref: str, day: str, amount: str) -> None:
    at = datetime.fromisoformat(f"{day}T06:30:00").replace(tzinfo=UTC)  # 12:00 IST
    with unit_of_work(actor) as session:
        record_purchase(session, actor, customer_id, ref, D(amount), at, date.fromisoformat(day))


@pytest.fixture
def buyers(world) -> dict[str, int]:
    """Five Mumbai customers' purchases of 2026 (one of 2025, one taken back) and one Delhi sale."""
    manager = world.actor("manager")
    ids = {
        name: add_customer(manager, name=name, phone=f"98200{n:05d}").id
        for n, name in enumerate(("Asha", "Bina", "Chitra", "Divya", "Esha", "Farah"))
    }
    for ref, name, day, amount in (
        ("A1", "Asha", "2026-12-20", "50000"),
        ("A2", "Asha", "2026-11-01", "30000"),
        ("A3", "Asha", "2026-06-01", "20000"),
        ("B1", "Bina", "2026-12-01", "5000"),
        ("B2", "Bina", "2026-12-05", "99999"),  # taken back below
        ("C1", "Chitra", "2026-03-01", "200000"),
        ("C2", "Chitra", "2026-02-01", "100000"),
        ("D1", "Divya", "2026-09-15", "10000"),
        ("D2", "Divya", "2026-08-01", "10000"),
        ("D3", "Divya", "2026-07-01", "10000"),
        ("D4", "Divya", "2026-05-01", "10000"),
        ("E1", "Esha", "2026-01-10", "1000"),
        ("E0", "Esha", "2025-06-01", "9000"),  # before the period: lifetime value only
        ("F0", "Farah", "2025-12-31", "7000"),  # only before the period: not in the report
    ):
        _bought(manager, ids[name], ref, day, amount)
    with unit_of_work(manager) as session:
        reverse_purchase(session, manager, "B2")
    _bought(world.actor("manager", world.dl), ids["Divya"], "DEL1", "2026-10-01", "70000")
    return ids


def test_quintile_scores_give_equal_figures_equal_scores():
    assert quintile_scores({1: 10, 2: 20, 3: 30, 4: 40, 5: 50}) == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}
    # two at the bottom: both 1; 1 + 5 × 2 ÷ 5 = 3; then 4 and 5
    assert quintile_scores({1: 1, 2: 1, 3: 2, 4: 3, 5: 4}) == {1: 1, 2: 1, 3: 3, 4: 4, 5: 5}
    assert quintile_scores({1: 5, 2: 9}) == {1: 1, 2: 3}  # 1 + 5 × 1 ÷ 2 = 3
    assert [segment_of(*s) for s in ((5, 4, 1), (2, 3, 1), (1, 1, 4), (3, 5, 3), (4, 1, 2), (1, 1, 1), (3, 3, 3))] == [
        "Champions",
        "At risk",
        "At risk",
        "Loyal",
        "Recent",
        "Lost",
        "Needs attention",
    ]


def test_rfm_scores_segments_and_lifetime_value_by_hand(world, buyers):
    with read_session() as session:
        rows = rfm(session, world.actor("manager"), JAN_1, DEC_31)
    got = [(c.name, c.recency_days, c.purchases, c.spend, c.code, c.segment, c.lifetime_value) for c in rows]
    # recency (days to 31 Dec): Asha 11, Bina 30, Divya 107, Chitra 305, Esha 355 → R 5, 4, 3, 2, 1
    # frequency: Divya 4, Asha 3, Chitra 2, Bina and Esha 1 → F 5, 4, 3, 1, 1
    # spend: Chitra 3,00,000, Asha 1,00,000, Divya 40,000, Bina 5,000, Esha 1,000 → M 5, 4, 3, 2, 1
    assert got == [
        ("Asha", 11, 3, D("100000.00"), "544", "Champions", D("100000.00")),
        ("Chitra", 305, 2, D("300000.00"), "235", "At risk", D("300000.00")),
        ("Divya", 107, 4, D("40000.00"), "353", "Loyal", D("40000.00")),
        ("Bina", 30, 1, D("5000.00"), "412", "Recent", D("5000.00")),
        ("Esha", 355, 1, D("1000.00"), "111", "Lost", D("10000.00")),  # with her ₹9,000 of 2025
    ]
    assert rows[0].last_purchase == date(2026, 12, 20)


def test_every_store_adds_the_other_branchs_purchases(world, buyers):
    with read_session() as session:
        rows = rfm(session, world.actor("manager"), JAN_1, DEC_31, every_store=True)
    divya = next(c for c in rows if c.name == "Divya")
    # Delhi's ₹70,000 on 1 Oct: 5 purchases, ₹1,10,000, last on 1 Oct (91 days)
    assert (divya.purchases, divya.spend, divya.recency_days, divya.lifetime_value) == (
        5,
        D("110000.00"),
        91,
        D("110000.00"),
    )


def test_the_table_filters_a_segment_and_charts_every_segment(world, buyers, tmp_path):
    manager = world.actor("manager")
    with read_session() as session:
        table = rfm_table(session, manager, ReportRequest(JAN_1, DEC_31))
        lost = rfm_table(session, manager, ReportRequest(JAN_1, DEC_31, False, {"segment": "Lost"}))
    assert table.footer == [
        {"customer_id": "Total", "purchases": 11, "spend": D("446000.00"), "lifetime_value": D("455000.00")}
    ]
    assert dict(table.summary)["Average lifetime value"] == D("91000.00")  # 4,55,000 ÷ 5
    assert [r["name"] for r in lost.rows] == ["Esha"]
    assert {r["segment"]: r["customers"] for r in lost.chart_rows} == {
        "Champions": 1,
        "At risk": 1,
        "Loyal": 1,
        "Recent": 1,
        "Lost": 1,
        "Needs attention": 0,
    }
    path = tmp_path / table.filename
    write_report(path, table)
    cells = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    assert cells[2][1:4] == ["Asha", "Champions", "544"]
    assert cells[2][4] == datetime(2026, 12, 20) and D(str(cells[2][8])) == D("100000.00")


@pytest.mark.parametrize("who", ["sales", "designer"])
def test_staff_without_the_report_permission_are_refused(world, buyers, who):
    with read_session() as session, pytest.raises(PermissionDenied):
        rfm(session, world.actor(who), JAN_1, DEC_31)
