"""Test helpers: a Razorpay-style webhook body for an order, signed with the store's webhook secret."""

from __future__ import annotations

import hashlib
import hmac
import json

from sqlmodel import select

from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work
from modules.payments.models import PaymentOrder
from modules.payments.orders import receive_webhook

SECRET = "whsec_test_2f9c1d"
IP = "203.0.113.9"


def use_test_gateway(world) -> None:
    """Both stores take payments through the test gateway (none is chosen by default)."""
    admin = world.actor("admin")
    for store in (world.mum, world.dl):
        with unit_of_work(admin) as session:
            set_setting(session, admin, store, "payments.gateway", "test")


def set_webhook_secret(world, secret: str = SECRET) -> None:
    """Give MUM's gateway webhook the secret ``secret``."""
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        set_setting(session, admin, world.mum, "payments.webhook_secret", secret)


def event_body(gateway_order_id: str, paise: int, payment_id: str, event: str = "payment.captured") -> bytes:
    """The JSON a gateway posts when a payment of ``paise`` on ``gateway_order_id`` is captured (or fails)."""
    payment = {"id": payment_id, "entity": "payment", "amount": paise, "currency": "INR", "order_id": gateway_order_id}
    return json.dumps({"entity": "event", "event": event, "payload": {"payment": {"entity": payment}}}).encode()


def hmac_hex(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of ``body`` under ``secret``, in hex (computed here, not with the module's own helper)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def gateway_id(token: str) -> str:
    """The gateway's order id of our order ``token``."""
    with read_session() as session:
        return session.exec(select(PaymentOrder).where(PaymentOrder.token == token)).one().gateway_order_id


def pay(token: str, paise: int, payment_id: str = "pay_Q1w2e3r4t5", secret: str = SECRET):
    """Deliver a correctly signed "captured" webhook for the order ``token``; returns the route's result."""
    body = event_body(gateway_id(token), paise, payment_id)
    return receive_webhook("test", body, hmac_hex(secret, body), IP)
