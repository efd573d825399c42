"""Demo stores pay through the test gateway (no money moves), so the portal's "Pay" buttons work in the demo; the
payment orders page shows a week of orders in every state, one of them a second payment waiting for its refund.

The demo orders pay for instalments of an earlier year's scheme series (``S2526/09…``) that no other demo
creates, so they never stand in the way of a demo customer paying their own scheme."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting, set_setting
from jewelerp.db import utcnow
from modules.payments.models import PaymentOrder

GATEWAY = "payments.gateway"


@dataclass(frozen=True)
class _Demo:
    days_ago: int
    scheme: int
    seq: int
    customer: str
    amount: str
    status: str
    note: str = ""


ORDERS = (
    _Demo(6, 9001, 4, "Meera Iyer", "5000.00", "paid"),
    _Demo(5, 9002, 2, "Rohan Desai", "10000.00", "failed", "The payment gateway refused the order (HTTP 502)."),
    _Demo(5, 9002, 2, "Rohan Desai", "10000.00", "paid"),
    _Demo(3, 9003, 7, "Kavita Shah", "2500.00", "paid"),
    _Demo(3, 9003, 7, "Kavita Shah", "2500.00", "to_refund", "instalment 7 is already paid"),
    _Demo(2, 9004, 1, "Farah Khan", "125000.00", "paid"),
    _Demo(1, 9005, 3, "Arjun Nair", "7500.00", "to_refund", "instalment 3 is already paid"),
    _Demo(0, 9006, 5, "Sneha Kulkarni", "3000.00", "pending"),
)


def load(session: Session, actor: Actor) -> None:
    """Choose the test gateway for the store unless a gateway is chosen already, and add the demo orders once
    (idempotent: a store with payment orders gets none)."""
    if not str(get_setting(session, actor.store_id, GATEWAY)).strip():
        set_setting(session, actor, actor.store_id, GATEWAY, "test")
    if session.exec(select(PaymentOrder.id).where(PaymentOrder.store_id == actor.store_id)).first() is not None:
        return
    now = utcnow()
    for demo in ORDERS:
        opened = now - timedelta(days=demo.days_ago, hours=3)
        number = f"{actor.store_code}/S2526/{demo.scheme:05d}"
        paid = demo.status in ("paid", "to_refund")
        session.add(
            PaymentOrder(
                store_id=actor.store_id,
                token=secrets.token_urlsafe(32),
                purpose="loyalty.instalment",
                reference=f"{number}#{demo.seq}",
                description=f"Gold scheme {number}, instalment {demo.seq}",
                customer_id=0,
                customer_name=demo.customer,
                amount=Decimal(demo.amount),
                gateway="test",
                gateway_order_id=None if demo.status == "failed" else f"order_test_{secrets.token_hex(10)}",
                gateway_payment_id=f"pay_test_{secrets.token_hex(7)}" if paid else "",
                status=demo.status,
                note=demo.note,
                quoted_on=actor.local(opened).date(),
                return_path="/portal/schemes",
                created_at=opened,
                paid_at=opened + timedelta(minutes=2) if paid else None,
            )
        )
    session.flush()
