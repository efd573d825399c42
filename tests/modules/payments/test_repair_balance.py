"""A repair job's balance paid online: the quote is what the job still owes; where billing takes the money for jobs
(the repairs × billing bridge) the paid webhook becomes billing receipts by the online method, once; where repairs
takes its own, the job's paid amount rises. A payment of more than is due takes nothing and is logged for refund."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest
from sqlmodel import select

from jewelerp.core.models import AuditLog
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, NotFound
from jewelerp.testing import run_as
from modules.billing.models import Invoice, Payment
from modules.payments.gateways import RazorpayGateway
from modules.payments.opening import create_order
from modules.payments.orders import receive_webhook
from modules.repairs.api import BALANCE_PURPOSE, balance_due, balance_quote, get_job
from modules.repairs.online import balance_paid
from tests.modules.payments.webhooks import IP, SECRET, event_body, gateway_id, hmac_hex, pay, set_webhook_secret
from tests.modules.portal.helpers import customer
from tests.modules.repairs.intake import intake, job


@pytest.fixture
def ring(world):
    """Asha's ring in for resizing: estimate ₹1,500 (GST included), nothing paid yet."""
    set_webhook_secret(world)
    asha = customer(world.actor("manager"), "Asha Rao", email="asha@example.com")
    return intake(world.actor("manager"), asha)


def _order(world, ring, gateway=None):
    manager = world.actor("manager")
    quote = run_as(manager, balance_quote, (ring.customer_id,), ring.id)
    extra = {"gateway": gateway} if gateway else {}
    order = create_order(
        manager,
        purpose=BALANCE_PURPOSE,
        reference=quote.number,
        amount=quote.balance,
        customer_id=quote.customer_id,
        description=quote.description,
        return_path="/portal/repairs",
        **extra,
    )
    return quote, order


def _receipts() -> list[Payment]:
    with read_session() as session:
        return list(session.exec(select(Payment).where(Payment.kind == "receipt").order_by(Payment.id)))


def _due(world, job_id: int) -> Decimal:
    manager = world.actor("manager")
    return run_as(manager, lambda s, a: balance_due(s, a, get_job(s, a, job_id)))


def test_the_quote_is_the_jobs_balance_and_only_for_its_customer(world, ring):
    quote, order = _order(world, ring)
    assert quote.balance == Decimal("1500.00") and order.amount == Decimal("1500.00")
    assert order.reference == ring.number and quote.description == f"Repair {ring.number}, balance"
    with pytest.raises(NotFound):
        run_as(world.actor("manager"), balance_quote, (ring.customer_id + 1000,), ring.id)


def test_a_paid_balance_becomes_one_billing_receipt_by_the_online_method(world, ring):
    _quote, order = _order(world, ring)
    assert pay(order.token, 150000, payment_id="pay_Ring000001").message == "paid"
    assert pay(order.token, 150000, payment_id="pay_Ring000001").message == "already paid"
    (receipt,) = _receipts()
    assert (receipt.method, receipt.amount, receipt.reference) == ("online", Decimal("1500.00"), "pay_Ring000001")
    with read_session() as session:
        invoice = session.get(Invoice, receipt.invoice_id)
    assert invoice.total == Decimal("1500.00") and invoice.paid == Decimal("1500.00")  # ₹1,271.19 + 18% GST
    assert _due(world, ring.id) == Decimal("0.00")
    with pytest.raises(JewelError, match="Nothing is due"):
        _order(world, ring)


def test_a_second_tabs_payment_takes_nothing_and_is_logged_for_refund(world, ring):
    _quote, first = _order(world, ring)
    seen = []
    mock = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json={"id": "order_Tab2"}))
    _quote, other = _order(world, ring, gateway=RazorpayGateway("https://gateway.test", "k", "s", mock))
    assert pay(first.token, 150000).message == "paid"
    body = event_body(gateway_id(other.token), 150000, "pay_Tab2000001")
    assert receive_webhook("razorpay", body, hmac_hex(SECRET, body), IP).message == "paid"
    assert len(_receipts()) == 1
    with read_session() as session:
        (logged,) = session.exec(select(AuditLog).where(AuditLog.action == "unapplied")).all()
    assert "₹1,500.00 is more than the ₹0.00 due" in json.loads(logged.changes)["reason"][1]


def test_where_repairs_takes_its_own_money_the_job_is_paid(world, ring):
    system = world.actor("admin")
    own = replace(system, enabled_modules=system.enabled_modules - {"repairs_billing"})
    payload = {
        "purpose": BALANCE_PURPOSE,
        "reference": ring.number,
        "customer_id": ring.customer_id,
        "amount": "600.00",
        "payment_id": "pay_Counter001",
    }
    with unit_of_work(own) as session:
        balance_paid(session, own, payload)
    assert job(ring.id).paid == Decimal("600.00") and _receipts() == []
    with unit_of_work(system) as session:  # where the bridge is on, repairs leaves the money to it
        balance_paid(session, system, payload)
    assert job(ring.id).paid == Decimal("600.00")
