"""Billing's demo data on top of stock's and clienteling's: a history of invoices priced at the rates of their
own days, with payments of every kind, dues in every ageing bucket, old gold, returns, estimates, bookings and
a draft waiting for approval; loading it again adds nothing."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jewelerp.auth.service import system_actor
from jewelerp.db import read_session, unit_of_work
from jewelerp.gst import gstin_problem
from modules.billing import demo
from modules.billing.models import (
    BillingMetalRate,
    Booking,
    BookingInstalment,
    CreditNote,
    Invoice,
    InvoiceLine,
    OldGoldVoucher,
    Payment,
)
from modules.billing.old_gold import fineness_rate
from modules.billing.payments import AGEING, dues
from modules.billing.rates import rate_on
from modules.clienteling.demo import load as load_customers
from modules.clienteling.models import Customer, Purchase
from modules.stock import demo as stock_demo
from modules.stock.models import Piece

TABLES = (BillingMetalRate, Invoice, InvoiceLine, Payment, CreditNote, Booking, BookingInstalment)


def _load(store_id: int, *loaders) -> None:
    with unit_of_work() as session:
        actor = system_actor(session, store_id)
        session.info["actor"] = actor
        for loader in loaders:
            loader(session, actor)


def _counts() -> dict[str, int]:
    with read_session() as session:
        return {t.__name__: session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def _invoices(store_id: int) -> list[Invoice]:
    with read_session() as session:
        return list(session.scalars(select(Invoice).where(Invoice.store_id == store_id).order_by(Invoice.id)))


def _check_history(world, mumbai: int) -> None:
    """Invoices over the past months, each priced at the rates of its own day."""
    manager = world.actor("manager")
    sold = [i for i in _invoices(mumbai) if i.kind == "invoice" and i.status != "draft"]
    assert 150 <= len(sold) <= 260
    today = manager.today()
    days = Counter(i.invoice_date for i in sold)
    assert len(days) >= 55 and min(days) <= today - timedelta(days=91)
    assert all(manager.local(i.issued_at).date() == i.invoice_date for i in sold)
    numbers = [i.number for i in sold]
    assert numbers == sorted(numbers) and [i.invoice_date for i in sold] == sorted(days.elements())
    assert {i.created_by for i in sold} == {"Sales", "Manager"}  # the store's own staff
    with read_session() as session:
        lines = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id.in_([i.id for i in sold]))).all()
        dates = {i.id: i.invoice_date for i in sold}
        vouchers = {v.line_id: v for v in session.scalars(select(OldGoldVoucher))}
        for line in lines:
            if line.kind == "piece":
                assert line.rate == rate_on(session, mumbai, line.metal_id, dates[line.invoice_id]), line.description
            if line.kind == "old_gold":  # the day's rate at the tested fineness; the voucher numbered with the sale
                voucher = vouchers[line.id]
                day = dates[line.invoice_id]
                assert line.rate == fineness_rate(session, manager, "gold", voucher.fineness, day)[1]
                assert voucher.status in ("issued", "cancelled") and voucher.number in line.description
                assert manager.local(voucher.issued_at).date() == day
        pieces = [session.get(Piece, line.piece_id) for line in lines if line.kind == "piece"]
        customers = {c.id: c.name for c in session.scalars(select(Customer))}
    kinds = Counter(line.kind for line in lines)
    assert kinds["piece"] > 150 and kinds["service"] > 5 and kinds["old_gold"] > 5
    returned = {i.id for i in sold if i.status == "cancelled"}
    assert len(returned) == 2
    assert {p.status for p in pieces} == {"sold", "in_stock"}  # in stock again: the two returns
    named = [i for i in sold if i.customer_id is not None]
    assert all(i.customer_name == customers[i.customer_id] for i in named)
    assert len(named) < len(sold)  # and walk-ins
    assert any(i.igst > 0 for i in sold) and all(i.customer_pan for i in sold if i.total >= Decimal("200000"))
    _check_gst(sold, lines)


def _check_gst(sold: list[Invoice], lines: list[InvoiceLine]) -> None:
    """Visitors from another state pay CGST + SGST at the counter; registered buyers there have a valid GSTIN
    of their state, their goods sent there, IGST; every sale line names its tax class, HSN/SAC and rate."""
    visitors = [i for i in sold if i.customer_state_code not in ("", "27") and not i.customer_gstin]
    registered = [i for i in sold if i.customer_gstin]
    assert visitors and all(i.place_of_supply == "27" and i.igst == 0 and i.cgst > 0 for i in visitors)
    assert registered and all(gstin_problem(i.customer_gstin, i.customer_state_code) is None for i in registered)
    assert all(i.place_of_supply == i.ship_to_state_code != "27" and i.igst > 0 for i in registered)
    classes = Counter((line.tax_class, line.hsn_sac, line.tax_rate) for line in lines if line.kind != "old_gold")
    assert {("JEWELLERY", "7113", Decimal("3.00")), ("REPAIR", "9987", Decimal("18.00"))} <= set(classes)
    assert all(code and hsn and rate for code, hsn, rate in classes)


def _check_payments_and_dues(world) -> None:
    """Receipts of every method with valid references, in date order; dues in every ageing bucket."""
    manager = world.actor("manager")
    with read_session() as session:
        receipts = session.scalars(select(Payment).where(Payment.kind == "receipt").order_by(Payment.id)).all()
        refunds = session.scalars(select(Payment).where(Payment.kind == "refund")).all()
        notes = session.scalars(select(CreditNote)).all()
        owed = dues(session, manager)
    assert {p.method for p in receipts} == {"cash", "card", "upi", "bank"}
    patterns = {"cash": r"", "card": r"\d{4}", "upi": r"\d{12}", "bank": r"HDFCN\d{15}"}
    assert all(re.fullmatch(patterns[p.method], p.reference) for p in receipts)
    assert [p.on for p in receipts] == sorted(p.on for p in receipts)  # numbered in date order
    by_invoice = Counter((p.invoice_id, p.on) for p in receipts if p.invoice_id)
    assert any(n > 1 for n in by_invoice.values())  # split payments
    assert len({p.on for p in receipts}) > 55
    assert all(p.amount < Decimal("200000") for p in receipts if p.method == "cash")
    cash_days: Counter = Counter()
    for p in receipts:
        if p.method == "cash" and p.customer_id is not None:
            cash_days[(p.customer_id, p.on)] += p.amount
    assert max(cash_days.values()) < Decimal("200000")  # section 269ST(a): one person in a day
    assert len(notes) == 2 and len(refunds) == 2
    for key, _label in AGEING:
        assert sum((row[key] for row in owed), Decimal(0)) > 0, key
    assert all(row["customer_id"] is not None for row in owed)  # walk-ins pay in full


def _check_today(world, mumbai: int) -> None:
    """Two quoted estimates, an open and a completed booking, a draft waiting for approval."""
    today = world.actor("manager").today()
    documents = _invoices(mumbai)
    estimates = [i for i in documents if i.kind == "estimate"]
    assert [(e.status, e.valid_until) for e in estimates] == [("quoted", today + timedelta(days=7))] * 2
    waiting = [i for i in documents if i.status == "draft"]
    assert [(d.approval, d.created_by) for d in waiting] == [("pending", "Sales")]
    with read_session() as session:
        bookings = session.scalars(select(Booking).order_by(Booking.id)).all()
        plan = session.scalar(select(func.count()).where(BookingInstalment.booking_id == bookings[0].id))
        sold = session.get(Invoice, bookings[1].invoice_id)
    assert [(b.status, b.rate_locked) for b in bookings] == [("open", True), ("completed", False)]
    assert plan == 4 and bookings[0].customer_name  # the first advance and three monthly instalments
    assert (sold.status, sold.paid) == ("issued", sold.payable)


def _check_serials() -> None:
    """Every number the demo issued is a Rule 46(b) serial: at most 16 letters, digits and "/" (MUM/2627/000123)."""
    with read_session() as session:
        numbers = [
            *session.scalars(select(Invoice.number).where(Invoice.number.is_not(None))),
            *session.scalars(select(CreditNote.number)),
            *session.scalars(select(Booking.number)),
            *session.scalars(select(Payment.receipt_number).where(Payment.receipt_number.is_not(None))),
        ]
    assert numbers and all(re.fullmatch(r"[A-Z0-9/]{1,16}", n) for n in numbers), numbers


def _check_purchase_dates(mumbai: int) -> None:
    """Clienteling reports each customer's invoice on its own day, though the history was issued today."""
    with read_session() as session:
        invoices = session.execute(
            select(Invoice.number, Invoice.invoice_date, Invoice.issued_at).where(
                Invoice.store_id == mumbai, Invoice.customer_id.is_not(None), Invoice.number.is_not(None)
            )
        ).all()
        reported = {p.ref: (p.sold_on, p.at) for p in session.scalars(select(Purchase))}
    sold = {number: (on, at) for number, on, at in invoices if number in reported}
    assert len({on for on, _at in sold.values()}) > 30, "the history's invoices fall on many days"
    assert {number: reported[number] for number in sold} == sold


@pytest.mark.sqlite_only  # the whole demo
def test_the_demo_makes_a_sales_history_and_todays_business_once(world, install_data, tmp_path, monkeypatch):
    monkeypatch.setattr(stock_demo, "PER_STORE", 300)  # enough pieces, loaded quickly
    _load(world.mum, lambda s, a: stock_demo.load(s, a, tmp_path), load_customers, demo.load)
    _check_history(world, world.mum)
    _check_payments_and_dues(world)
    _check_today(world, world.mum)
    _check_serials()
    _check_purchase_dates(world.mum)
    before = _counts()
    _load(world.mum, demo.load)
    assert _counts() == before
    assert before["BillingMetalRate"] == 7 * demo.RATE_DAYS
