"""Test helpers: payment orders in each state, opened through a gateway and moved by signed webhooks."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import update

from jewelerp.db import read_session, unit_of_work
from modules.payments.gateways import webhook_secret
from modules.payments.models import PaymentOrder
from modules.payments.opening import create_order
from modules.payments.orders import paid_payload
from modules.payments.unapplied import report_unapplied
from tests.modules.payments.webhooks import pay


def open_order(actor, reference: str, amount: str, customer: str = "Asha Rao", gateway=None):
    """A pending order for ``reference`` (through the store's test gateway unless ``gateway``)."""
    return create_order(
        actor,
        purpose="tests.thing",
        reference=reference,
        amount=Decimal(amount),
        customer_id=7,
        customer_name=customer,
        description=f"Repair {reference}, balance",
        return_path="/portal/repairs",
        gateway=gateway,
    )


def paid_twice(actor, reference: str, amount: str, payment_id: str = "pay_Second00001") -> int:
    """An order paid for something already paid: the owner reported it unapplied, so it needs a refund."""
    order = open_order(actor, reference, amount)
    with read_session() as session:
        secret = webhook_secret(session, actor.store_id, "test")
    assert pay(order.token, int(Decimal(amount) * 100), payment_id=payment_id, secret=secret).message == "paid"
    with unit_of_work(actor) as session:
        row = session.get(PaymentOrder, order.id)
        report_unapplied(session, actor, paid_payload(row), f"{reference} is already paid", "/repairs/jobs")
    return order.id


def opened_at(order_id: int, moment: datetime) -> None:
    """Move the order's opening time (tests of the date range)."""
    with unit_of_work() as session:
        session.execute(update(PaymentOrder).where(PaymentOrder.id == order_id).values(created_at=moment))
