"""Loyalty liability per branch and scheme (paid in, bonus accrued, grams at today's rate) and the points still
redeemable at the program's point value: figures worked out by hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied
from jewelerp.reports import ReportRequest, write_report
from modules.billing.rates import set_rate
from modules.clienteling.services import CustomerInput, create_customer
from modules.loyalty import points, schemes
from modules.loyalty.liability_report import liability_table, points_liabilities, scheme_liabilities
from modules.loyalty.models import PointEntry
from modules.loyalty.schemes import EnrolInput, TemplateInput
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Metal


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _customer(world, name: str, phone: str) -> int:
    return _do(world.actor("manager"), create_customer, CustomerInput(name=name, phone=phone)).id


def _enrol(world, template_id: int, customer_id: int) -> int:
    data = EnrolInput(
        str(template_id), str(customer_id), "Ravi Pillai", "Son", id_kind="aadhaar", id_number="2345 6789 0123"
    )
    return _do(world.actor("sales"), schemes.enrol, data).id


@pytest.fixture
def owed(world) -> None:
    """Mumbai: Swarna (₹5,000 a month, 11 months) with two instalments paid; Gold Saver (0.5 g of gold 22K a
    month) with one paid at ₹12,000/g, the rate since raised to ₹12,500; points: Meena 500, Ravi 300 less 100
    used, and 50 that expired yesterday."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        gold = session.scalars(select(Metal.id).where(Metal.metal == "gold", Metal.fineness == 916)).one()
        set_rate(session, manager, gold, "12000")
    swarna = _do(manager, schemes.save_template, TemplateInput(name="Swarna", instalment="5000", months="11")).id
    saver = TemplateInput(name="Gold Saver", unit="grams", instalment_grams="0.5", months="11", metal_id=str(gold))
    saver_id = _do(manager, schemes.save_template, saver).id
    meena, ravi = _customer(world, "Meena Pillai", "9820012345"), _customer(world, "Ravi Rao", "9820054321")
    first = _enrol(world, swarna, meena)
    for _ in range(2):
        _do(world.actor("sales"), schemes.pay_instalment, first, "cash", "")
    _do(world.actor("sales"), schemes.pay_instalment, _enrol(world, saver_id, ravi), "cash", "")
    with unit_of_work(manager) as session:
        set_rate(session, manager, gold, "12500")
    meena_member = _do(manager, points.enrol, meena).id
    ravi_member = _do(manager, points.enrol, ravi).id
    _do(manager, points.adjust, meena_member, "500", "Welcome bonus")
    _do(manager, points.adjust, ravi_member, "300", "Welcome bonus")
    _do(manager, points.adjust, ravi_member, "-100", "Used at the counter")
    expired = _do(manager, points.adjust, ravi_member, "50", "Festival bonus")
    with unit_of_work() as session:
        entry = session.get(PointEntry, expired.id)
        entry.expires_on = manager.today() - timedelta(days=1)
        session.add(entry)


def test_scheme_liability_per_scheme_by_hand(world, owed):
    with read_session() as session:
        rows = scheme_liabilities(session, world.actor("manager"))
    got = [(r.store, r.scheme, r.owed.schemes, r.owed.paid, r.owed.bonus, r.owed.grams, r.owed.total) for r in rows]
    assert got == [
        # 0.5 g × ₹12,000/g = ₹6,000 paid; bonus ₹6,000 ÷ 11 = ₹545.45
        ("MUM", "Gold Saver", 1, D("6000.00"), D("545.45"), D("0.500"), D("6545.45")),
        # ₹10,000 paid; bonus ₹10,000 ÷ 11 = ₹909.09
        ("MUM", "Swarna", 1, D("10000.00"), D("909.09"), D("0.000"), D("10909.09")),
    ]
    # today: 0.5 g × ₹12,500 = ₹6,250.00 plus the bonus ₹545.45
    assert rows[0].owed.at_today == D("6795.45") and rows[1].owed.at_today == D("10909.09")


def test_points_liability_counts_unexpired_points_left(world, owed):
    with read_session() as session:
        rows = points_liabilities(session, world.actor("manager"))
        delhi = points_liabilities(session, world.actor("manager", world.dl))
    # 500 + (300 − 100); the 50 expired yesterday; ₹1.00 a point
    assert [(r.store, r.points, r.value) for r in rows] == [("MUM", 700, D("700.00"))]
    assert delhi == []


def test_the_table_totals_and_exports(world, owed, tmp_path):
    today = world.actor("manager").today()
    with read_session() as session:
        table = liability_table(session, world.actor("manager"), ReportRequest(today, today))
    assert [(r["kind"], r["name"], r["owed"], r["at_today"]) for r in table.rows] == [
        ("Scheme", "Gold Saver", D("6545.45"), D("6795.45")),
        ("Scheme", "Swarna", D("10909.09"), D("10909.09")),
        ("Points", "Rewards", D("700.00"), D("700.00")),
    ]
    # 6,545.45 + 10,909.09 + 700 = 18,154.54; today 6,795.45 + 10,909.09 + 700 = 18,404.54
    assert table.footer[0]["owed"] == D("18154.54") and table.footer[0]["at_today"] == D("18404.54")
    assert dict(table.summary)["Scheme liability"] == D("17454.54")
    path = tmp_path / table.filename
    write_report(path, table)
    cells = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    assert cells[4][:3] == ["Points", "Rewards", 700] and D(str(cells[4][7])) == D("700.00")


@pytest.mark.parametrize("who", ["sales", "designer"])
def test_staff_without_the_report_permission_are_refused(world, owed, who):
    today = world.actor(who).today()
    with read_session() as session, pytest.raises(PermissionDenied):
        liability_table(session, world.actor(who), ReportRequest(today, today))
