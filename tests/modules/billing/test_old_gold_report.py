"""Old gold bought in a period (buy-backs and exchanges) per metal and fineness, and where its metal went
(refiner, melted, returned, held): figures worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied
from jewelerp.reports import ReportRequest, write_report
from modules.billing.invoices import add_old_gold, add_service_line, cancel_invoice, create_draft, issue_invoice
from modules.billing.old_gold import OldGoldEntry, buy_old_gold
from modules.billing.old_gold_report import old_gold_bought, old_gold_table
from modules.billing.supply import Recipient
from modules.stock.masters import PartyInput, save_party
from modules.stock.old_gold import move_lot
from tests.modules.billing import test_old_gold
from tests.modules.billing.test_old_gold import ASHA

rates = test_old_gold.rates  # the day's gold rates (24K, 22K, 18K) in Mumbai, a fixture


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _exchange(world, net: str) -> int:
    """An invoice for Asha Rao taking ``net`` grams of 22K in exchange; returns the invoice id."""
    sales = world.actor("sales")
    invoice = _do(sales, create_draft, customer_name="Asha Rao", recipient=Recipient(address="12 Marine Drive"))
    _do(sales, add_service_line, invoice.id, "Remodelling", "50000")
    _do(sales, add_old_gold, invoice.id, OldGoldEntry("gold", "916", net, net, "0", "passport", "K1234567"))
    _do(sales, issue_invoice, invoice.id)
    return invoice.id


@pytest.fixture
def bought(world, rates) -> None:
    """Today in Mumbai (22K ₹12,000/g, 18K ₹8,024.69/g): a buy-back of 10 g of 22K less 3% (₹1,16,400.00), of
    which 4.250 g went to a refiner and 1 g was melted; a buy-back of 5 g of 18K (₹40,123.45); an exchange of
    2 g of 22K (₹24,000.00); an exchange of 1 g whose invoice was cancelled."""
    manager = world.actor("manager")
    first = _do(manager, buy_old_gold, ASHA, "bank", "UTR 4411")
    eighteen = replace(ASHA, fineness="750", gross_weight="5.000", net_weight="5.000", deduction_pct="0")
    _do(manager, buy_old_gold, eighteen, "upi", "412345678901")
    _exchange(world, "2.000")
    cancelled = _exchange(world, "1.000")
    _do(manager, cancel_invoice, cancelled, "Returned")
    refiner = _do(manager, save_party, PartyInput("refiner", "Shree Refinery")).id
    _do(manager, move_lot, first.lot_id, "refiner", "4.250", party_id=refiner, reference="Challan 17")
    _do(manager, move_lot, first.lot_id, "melt", "1", reason="Bar for the karigar")


def _request(world, **choices) -> ReportRequest:
    today = world.actor("manager").today()
    return ReportRequest(today, today, False, choices)


def test_old_gold_bought_and_its_disposition_by_hand(world, bought):
    with read_session() as session:
        rows, cancelled = old_gold_bought(session, world.actor("manager"), _request(world))
        buybacks, _ = old_gold_bought(session, world.actor("manager"), _request(world, kind="buyback"))
    got = [(r.metal, r.vouchers, r.net_weight, r.amount, r.gone) for r in rows]
    assert got == [
        # 10 g + 2 g; ₹1,16,400.00 + ₹24,000.00; held: 10 − 4.250 − 1 = 4.750 plus the exchange's 2 g
        (
            "Gold 916",
            2,
            D("12.000"),
            D("140400.00"),
            {"sent": D("4.250"), "melted": D("1.000"), "returned": D("0.000"), "on_hand": D("6.750")},
        ),
        (
            "Gold 750",
            1,
            D("5.000"),
            D("40123.45"),
            {"sent": D("0.000"), "melted": D("0.000"), "returned": D("0.000"), "on_hand": D("5.000")},
        ),
    ]
    assert cancelled == 1
    assert [(r.metal, r.vouchers, r.amount, r.gone["on_hand"]) for r in buybacks] == [
        ("Gold 916", 1, D("116400.00"), D("4.750")),
        ("Gold 750", 1, D("40123.45"), D("5.000")),
    ]


def test_the_table_totals_charts_and_exports(world, bought, tmp_path):
    with read_session() as session:
        table = old_gold_table(session, world.actor("manager"), _request(world))
    assert table.footer == [
        {"metal": "Total", "vouchers": 3, "net_weight": D("17.000"), "amount": D("180523.45")}
        | {"sent": D("4.250"), "melted": D("1.000"), "returned": D("0.000"), "on_hand": D("11.750")}
    ]
    assert table.chart_rows[0] == {"disposition": "Sent to refiner", "grams": D("4.250")}
    assert "1 voucher of the period cancelled since" in table.notes[1]
    path = tmp_path / table.filename
    write_report(path, table)
    cells = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    assert cells[1][:4] == ["Metal and fineness", "Vouchers", "Net weight bought (g)", "Amount (₹)"]
    assert cells[2][:2] == ["Gold 916", 2] and D(str(cells[2][3])) == D("140400.00")


@pytest.mark.parametrize("who", ["sales", "designer"])
def test_staff_without_the_report_permission_are_refused(world, bought, who):
    with read_session() as session, pytest.raises(PermissionDenied):
        old_gold_table(session, world.actor(who), _request(world))
