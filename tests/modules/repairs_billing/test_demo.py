"""The bridge's demo data: the delivered demo jobs repairs signed off with a balance are paid through billing
(cash, UPI or bank transfer with references, the PAN where needed); loading it again adds nothing."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from jewelerp.auth.service import system_actor
from jewelerp.db import read_session, unit_of_work
from modules.billing.models import Payment
from modules.billing.payments import balance
from modules.clienteling import demo as customers_demo
from modules.repairs import demo as repairs_demo
from modules.repairs.models import Job
from modules.repairs.payments import balance_due
from modules.repairs_billing import demo
from modules.repairs_billing.money import documents_of


def _load(store_id: int, *loaders) -> None:
    for load in loaders:
        with unit_of_work() as session:
            actor = system_actor(session, store_id)
            session.info["actor"] = actor
            load(session, actor)


def _receipts() -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(Payment))


def test_the_demos_delivered_jobs_are_paid_in_billing(world, tmp_path):
    _load(world.mum, customers_demo.load, lambda s, a: repairs_demo.load(s, a, tmp_path))
    manager = world.actor("manager")
    with read_session() as session:
        delivered = session.scalars(select(Job).where(Job.delivered_at.is_not(None))).all()
        assert any(balance_due(session, manager, j) > 0 for j in delivered)  # signed off at delivery
    _load(world.mum, demo.load)
    before = _receipts()
    _load(world.mum, demo.load)  # a second run adds nothing
    assert _receipts() == before
    with read_session() as session:
        invoices = [i for j in delivered for i in documents_of(session, j) if i.kind == "invoice"]
        assert all(balance_due(session, manager, j) == 0 for j in delivered)
        assert all(balance(i) == Decimal("0.00") for i in invoices)
        receipts = session.scalars(select(Payment).where(Payment.invoice_id.in_([i.id for i in invoices]))).all()
        big = [i for i in invoices if i.total >= Decimal("200000")]
    assert {r.method for r in receipts} >= {"cash", "upi"}
    assert all(r.reference for r in receipts if r.method != "cash")
    assert big and all(i.customer_pan for i in big)
