"""Billing's demo data on top of stock's and clienteling's: a history of invoices priced at the rates of their
own days, with payments of every kind, dues in every ageing bucket, old gold, returns, estimates, bookings and
a draft waiting for approval; loading it again adds nothing."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from jewelerp.auth.service import system_actor
from jewelerp.db import read_session, unit_of_work
from modules.billing import demo
from modules.billing.models import (
    BillingMetalRate,
    Booking,
    BookingInstalment,
    CreditNote,
    Invoice,
    InvoiceLine,
    Payment,
)
from modules.billing.payments import AGEING, dues
from modules.billing.rates import rate_on, store_today
from modules.clienteling.demo import load as load_customers
from modules.clienteling.models import Customer
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
    today = store_today(manager)
    days = Counter(i.invoice_date for i in sold)
    assert len(days) >= 55 and min(days) <= today - timedelta(days=91)
    assert all(manager.local(i.issued_at).date() == i.invoice_date for i in sold)
    numbers = [i.number for i in sold]
    assert numbers == sorted(numbers) and [i.invoice_date for i in sold] == sorted(days.elements())
    assert {i.created_by for i in sold} == {"Sales", "Manager"}  # the store's own staff
    with read_session() as session:
        lines = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id.in_([i.id for i in sold]))).all()
        dates = {i.id: i.invoice_date for i in sold}
        for line in lines:
            if line.kind in ("piece", "old_gold"):
                assert line.rate == rate_on(session, mumbai, line.metal_id, dates[line.invoice_id]), line.description
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
    assert len(notes) == 2 and len(refunds) == 2
    for key, _label in AGEING:
        assert sum((row[key] for row in owed), Decimal(0)) > 0, key
    assert all(row["customer_id"] is not None for row in owed)  # walk-ins pay in full


def _check_today(world, mumbai: int) -> None:
    """Two quoted estimates, an open and a completed booking, a draft waiting for approval."""
    today = store_today(world.actor("manager"))
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


def test_the_demo_makes_a_sales_history_and_todays_business_once(world, tmp_path, monkeypatch):
    monkeypatch.setattr(stock_demo, "PER_STORE", 300)  # enough pieces, loaded quickly
    _load(world.mum, lambda s, a: stock_demo.load(s, a, tmp_path), load_customers, demo.load)
    _check_history(world, world.mum)
    _check_payments_and_dues(world)
    _check_today(world, world.mum)
    before = _counts()
    _load(world.mum, demo.load)
    assert _counts() == before
    assert before["BillingMetalRate"] == 7 * demo.RATE_DAYS
