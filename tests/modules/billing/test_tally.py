"""Tally XML of a month: the envelope Tally imports, one voucher per invoice, credit note, receipt and refund,
each balancing, ledgers named in the store's settings (escaped), amounts equal to the invoices."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal as D

import pytest

from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied
from modules.billing.invoices import add_old_gold, add_service_line, create_draft, issue_invoice
from modules.billing.models import Invoice
from modules.billing.old_gold import OldGoldEntry
from modules.billing.payments import refund_cancelled, take_payment
from modules.billing.supply import Recipient
from modules.billing.tally import month_vouchers, tally_xml
from tests.modules.billing.conftest import at, cancel, number


def _pay(world, invoice_id: int, method: str, amount: str, on: date) -> None:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        payment = take_payment(
            session, manager, invoice_id, method, amount, {"upi": "412345678901", "card": "4821"}.get(method, "")
        )
        payment.on = on


def _refund(world, invoice_id: int, on: date) -> None:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        refund_cancelled(session, manager, invoice_id, "cash").on = on


@pytest.fixture
def paid(world, november):
    """Ledgers renamed (with characters XML must escape); the counter sale (₹28,028) paid ₹10,000 in cash on
    2 Nov and the rest by UPI on 3 Nov."""
    for key, value in (("sales", "Sales @ Jewellery & Co"), ("cash", "Cash <Counter 1>")):
        with unit_of_work() as session:
            set_setting(session, world.actor("manager"), world.mum, f"billing.tally_{key}_ledger", value)
    with read_session() as session:
        counter = session.get(Invoice, november["counter"])
    _pay(world, november["counter"], "cash", "10000", date(2026, 11, 2))
    _pay(world, november["counter"], "upi", str(counter.payable - D("10000")), date(2026, 11, 3))
    return november


def _root(world) -> tuple[ET.Element, list]:
    with read_session() as session:
        vouchers = month_vouchers(session, world.actor("manager"), 2026, 11)
    return ET.fromstring(tally_xml(vouchers)), vouchers


def _lines(voucher: ET.Element) -> dict[str, D]:
    return {e.findtext("LEDGERNAME"): D(e.findtext("AMOUNT")) for e in voucher.iter("ALLLEDGERENTRIES.LIST")}


def test_the_envelope_is_what_tally_imports(world, paid):
    root, _vouchers = _root(world)
    assert root.tag == "ENVELOPE" and root.findtext("HEADER/TALLYREQUEST") == "Import Data"
    assert root.findtext("BODY/IMPORTDATA/REQUESTDESC/REPORTNAME") == "Vouchers"
    messages = root.findall("BODY/IMPORTDATA/REQUESTDATA/TALLYMESSAGE")
    kinds = [m.find("VOUCHER").get("VCHTYPE") for m in messages]
    # 5 invoices of November (December's left out), 2 credit notes, 2 receipts.
    assert sorted(kinds) == ["Credit Note"] * 2 + ["Receipt"] * 2 + ["Sales"] * 5
    assert all(m.find("VOUCHER").get("ACTION") == "Create" for m in messages)


def test_every_voucher_balances_and_debits_are_negative(world, paid):
    root, vouchers = _root(world)
    for voucher in root.iter("VOUCHER"):
        lines = list(voucher.iter("ALLLEDGERENTRIES.LIST"))
        assert sum(D(e.findtext("AMOUNT")) for e in lines) == 0, voucher.findtext("VOUCHERNUMBER")
        for e in lines:
            assert (e.findtext("ISDEEMEDPOSITIVE") == "Yes") == (D(e.findtext("AMOUNT")) < 0)
    assert all(v.debits == v.credits > 0 for v in vouchers)


def test_sales_vouchers_carry_the_invoices_figures_on_the_ledgers_of_the_settings(world, paid):
    root, _vouchers = _root(world)
    with read_session() as session:
        counter = session.get(Invoice, paid["counter"])
        b2b = session.get(Invoice, paid["b2b"])
    by_number = {v.findtext("VOUCHERNUMBER"): v for v in root.iter("VOUCHER")}
    sale = by_number[counter.number]
    assert (sale.findtext("DATE"), sale.findtext("PARTYLEDGERNAME")) == ("20261102", "Customers")
    # 26,925 + 250 taxable; CGST = SGST = 403.88 + 22.50; total 28,027.76 → 28,028, round-off 0.24.
    assert _lines(sale) == {
        "Customers": D("-28028.00"),
        "Sales @ Jewellery & Co": D("27175.00"),
        "Output CGST": D("426.38"),
        "Output SGST": D("426.38"),
        "Round Off": D("0.24"),
    }
    assert counter.total == D("28028.00")
    interstate = by_number[b2b.number]
    assert _lines(interstate) == {
        "Customers": D("-41576.00"),
        "Sales @ Jewellery & Co": D("40365.00"),
        "Output IGST": D("1210.95"),
        "Round Off": D("0.05"),
    }
    note = next(
        v for v in root.iter("VOUCHER") if v.get("VCHTYPE") == "Credit Note" and b2b.number in v.findtext("NARRATION")
    )
    assert _lines(note) == {
        "Customers": D("41576.00"),
        "Sales @ Jewellery & Co": D("-40365.00"),
        "Output IGST": D("-1210.95"),
        "Round Off": D("-0.05"),
    }
    assert note.findtext("DATE") == "20261121"


def test_receipts_and_refunds_debit_and_credit_the_money_ledgers(world, paid):
    _pay(world, paid["large"], "card", "5000", date(2026, 11, 4))
    cancel(world, paid["large"], at(26))
    _refund(world, paid["large"], date(2026, 11, 27))
    root, _vouchers = _root(world)
    receipts = [v for v in root.iter("VOUCHER") if v.get("VCHTYPE") in ("Receipt", "Payment")]
    assert [(v.get("VCHTYPE"), v.findtext("DATE"), _lines(v)) for v in receipts] == [
        ("Receipt", "20261102", {"Cash <Counter 1>": D("-10000.00"), "Customers": D("10000.00")}),
        ("Receipt", "20261103", {"UPI Receipts": D("-18028.00"), "Customers": D("18028.00")}),
        ("Receipt", "20261104", {"Card Receipts": D("-5000.00"), "Customers": D("5000.00")}),
        ("Payment", "20261127", {"Customers": D("-5000.00"), "Cash <Counter 1>": D("5000.00")}),
    ]
    assert receipts[1].findtext("NARRATION") == f"Received for invoice {number(paid['counter'])} (ref. 412345678901)"


def test_the_file_escapes_ledger_names(world, paid):
    raw = tally_xml(_root(world)[1]).decode()
    assert "Sales @ Jewellery &amp; Co" in raw and "Cash &lt;Counter 1&gt;" in raw
    assert "Jewellery & Co" not in raw


def test_only_those_who_may_export_returns_get_the_vouchers(world, paid):
    with read_session() as session:
        for who in ("sales", "designer"):
            with pytest.raises(PermissionDenied):
                month_vouchers(session, world.actor(who), 2026, 11)


def test_a_sale_with_old_gold_in_exchange_balances_on_the_old_gold_ledger(world, november):
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        recipient = Recipient(address="12 Marine Drive, Mumbai")
        invoice = create_draft(session, manager, customer_name="Asha Rao", recipient=recipient)
        add_service_line(session, manager, invoice.id, "Remodelling", "30000")  # + CGST 2,700 + SGST 2,700
        # 2.000 g of 22K at ₹12,000 = 24,000, less 0.33% (79.20) = 23,920.80 credited after tax.
        add_old_gold(
            session, manager, invoice.id, OldGoldEntry("gold", "916", "2.000", "2.000", "0.33", "passport", "K1234567")
        )
        invoice = issue_invoice(session, manager, invoice.id)
        invoice.issued_at = at(28)
        number = invoice.number
    sale = next(v for v in _root(world)[0].iter("VOUCHER") if v.findtext("VOUCHERNUMBER") == number)
    # 35,400 − 23,920.80 = 11,479.20 → 11,479 to collect: the settlement's round-off −0.20 is a debit.
    assert _lines(sale) == {
        "Customers": D("-11479.00"),
        "Old Gold Purchase": D("-23920.80"),
        "Sales": D("30000.00"),
        "Output CGST": D("2700.00"),
        "Output SGST": D("2700.00"),
        "Round Off": D("-0.20"),
    }
    assert sum(_lines(sale).values()) == 0
