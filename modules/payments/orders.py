"""Payment orders: opened for an amount the server decided, paid once by the gateway's signed webhook.

- :func:`modules.payments.opening.create_order` opens an order (its gateway call runs with no transaction open).
- :func:`receive_webhook` reads the gateway's JSON, finds our order by the gateway's order id, checks the
  signature of the raw body with that store's webhook secret (constant-time), and marks the order paid
  (``payment.captured`` / ``order.paid``) or failed (``payment.failed``). Marking paid happens once, under a row
  lock: it emits ``("payments.order", "paid", {...})`` in the same transaction, so the owning module's receipt
  is written with it or not at all (an owner that cannot take the money marks it for refund in that same
  transaction: :mod:`modules.payments.unapplied`). A repeated webhook for a paid order (or one marked for refund,
  or refunded) changes nothing and answers 200; a bad signature, an unknown order or a wrong amount is refused
  (400) and logged with the caller's address.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import system_actor
from jewelerp.core.audit import record_refusal
from jewelerp.db import PAISA, read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, NotFound
from jewelerp.events import emit
from jewelerp.money import format_inr
from jewelerp.validation import MAX_AMOUNT
from modules.payments.gateways import KINDS, signature_ok, webhook_secret
from modules.payments.models import PaymentOrder

PAY = "payments.order.pay"
PURPOSE_RE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
PAID_EVENTS = ("payment.captured", "order.paid")
FAILED_EVENTS = ("payment.failed",)
MAX_BODY = 64 * 1024
PAID_STATUSES = ("paid", "to_refund", "refunded")  # the money came in: a later webhook changes nothing


@dataclass(frozen=True)
class OrderView:
    """An order as other modules read it."""

    id: int
    token: str
    purpose: str
    reference: str
    customer_id: int
    amount: Decimal
    description: str
    gateway: str
    status: str
    payment_id: str
    paid_at: datetime | None
    return_path: str


def order_view(order: PaymentOrder) -> OrderView:
    """The order as other modules read it."""
    return OrderView(
        order.id or 0,
        order.token,
        order.purpose,
        order.reference,
        order.customer_id,
        order.amount,
        order.description,
        order.gateway,
        order.status,
        order.gateway_payment_id,
        order.paid_at,
        order.return_path,
    )


def paise(amount: Decimal) -> int:
    """Rupees as the gateway's whole paise (the amount has at most 2 decimals)."""
    return int((amount * 100).to_integral_value())


def checked_amount(purpose: str, reference: str, amount: Decimal, return_path: str) -> Decimal:
    """The amount to the paisa; JewelError for what no module should ask (it is not a person's typing)."""
    if not PURPOSE_RE.match(purpose) or len(purpose) > 40 or not reference or len(reference) > 60:
        raise JewelError("A payment needs a purpose like loyalty.instalment and a reference of at most 60 characters.")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount != amount.quantize(PAISA):
        raise JewelError("A payment's amount is rupees with at most 2 decimals.")
    if not PAISA <= amount <= MAX_AMOUNT:
        raise JewelError(f"An online payment is more than ₹0 and at most {format_inr(MAX_AMOUNT)}.")
    if not return_path.startswith("/") or return_path.startswith("//") or len(return_path) > 200:
        raise JewelError("A payment returns to a page of this app.")
    return amount


def order_by_token(session: Session, token: str) -> PaymentOrder:
    """The order behind a checkout address; NotFound for an unknown token."""
    text = str(token)
    order = None
    if 20 <= len(text) <= 43:
        order = session.scalars(select(PaymentOrder).where(PaymentOrder.token == text)).first()
    if order is None:
        raise NotFound("Not found.")
    return order


def customer_order(session: Session, actor: Actor, token: str, customer_ids: tuple[int, ...]) -> OrderView:
    """One of ``customer_ids``' orders in the actor's store, by its token; NotFound for anyone else's."""
    actor.require(PAY)
    order = order_by_token(session, token)
    if order.store_id != actor.store_id or order.customer_id not in customer_ids:
        raise NotFound("Not found.")
    return order_view(order)


# ---------------------------------------------------------------------------- the webhook


@dataclass(frozen=True)
class WebhookResult:
    """What the webhook route answers: the HTTP status and a short text."""

    status: int
    message: str


@dataclass(frozen=True)
class _Event:
    kind: str
    gateway_order_id: str
    payment_id: str
    amount_paise: int | None


def _read_event(body: bytes) -> _Event | None:
    """The event name, the gateway's order id, the payment id and amount of a Razorpay-style body; None if
    it is not one."""
    try:
        data = json.loads(body)
        kind = str(data["event"])
        payload = data.get("payload") or {}
        payment = (payload.get("payment") or {}).get("entity") or {}
        order = (payload.get("order") or {}).get("entity") or {}
        order_id = str(payment.get("order_id") or order.get("id") or "")
        amount = payment.get("amount")
        return _Event(kind, order_id, str(payment.get("id") or "")[:60], int(amount) if amount is not None else None)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _refuse(client_ip: str, reason: str, gateway: str, store_id: int | None = None, order: str = "") -> WebhookResult:
    record_refusal(
        "payments.webhook",
        client_ip,
        {"reason": reason, "gateway": gateway[:20], "order": order[:60]},
        user_name=f"gateway: {gateway[:20]}",
        store_id=store_id,
    )
    return WebhookResult(400, reason)


def receive_webhook(gateway: str, body: bytes, signature: str, client_ip: str) -> WebhookResult:
    """Handle one webhook delivery (see the module docstring). Call it with no transaction open."""
    if gateway not in KINDS:
        return _refuse(client_ip, "unknown gateway", gateway)
    event = _read_event(body) if len(body) <= MAX_BODY else None
    if event is None or not event.gateway_order_id:
        return _refuse(client_ip, "not a payment event", gateway)
    with read_session() as session:
        order = session.scalars(
            select(PaymentOrder).where(
                PaymentOrder.gateway == gateway, PaymentOrder.gateway_order_id == event.gateway_order_id
            )
        ).first()
        secret = webhook_secret(session, order.store_id, gateway) if order else ""
    if order is None:
        return _refuse(client_ip, "unknown order", gateway, order=event.gateway_order_id)
    if not signature_ok(secret, body, signature):
        return _refuse(client_ip, "bad signature", gateway, order.store_id, event.gateway_order_id)
    if event.kind in PAID_EVENTS:
        if event.amount_paise is not None and event.amount_paise != paise(order.amount):
            return _refuse(client_ip, "amount differs from the order", gateway, order.store_id, event.gateway_order_id)
        return _mark_paid(order.id or 0, order.store_id, event)
    if event.kind in FAILED_EVENTS:
        return _mark_failed(order.id or 0, order.store_id)
    return WebhookResult(200, "ignored")


def _mark_paid(order_id: int, store_id: int, event: _Event) -> WebhookResult:
    with read_session() as session:
        actor = system_actor(session, store_id)
    with unit_of_work(actor) as session:
        order = session.get(PaymentOrder, order_id, with_for_update=True)
        if order.status in PAID_STATUSES:
            return WebhookResult(200, "already paid")
        order.status, order.paid_at = "paid", utcnow()
        order.gateway_payment_id = event.payment_id or event.gateway_order_id
        session.add(order)
        session.flush()
        emit(session, actor, "payments.order", "paid", paid_payload(order))
    return WebhookResult(200, "paid")


def _mark_failed(order_id: int, store_id: int) -> WebhookResult:
    with read_session() as session:
        actor = system_actor(session, store_id)
    with unit_of_work(actor) as session:
        order = session.get(PaymentOrder, order_id, with_for_update=True)
        if order.status != "pending":
            return WebhookResult(200, f"already {order.status}")
        order.status = "failed"
        session.add(order)
    return WebhookResult(200, "failed")


def paid_payload(order: PaymentOrder) -> dict[str, Any]:
    """The ``("payments.order", "paid")`` payload: plain values, the amount as text."""
    return {
        "order_id": order.id,
        "purpose": order.purpose,
        "reference": order.reference,
        "customer_id": order.customer_id,
        "amount": str(order.amount),
        "payment_id": order.gateway_payment_id,
        "quoted_on": order.quoted_on.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else "",
    }
