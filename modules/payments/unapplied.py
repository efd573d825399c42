"""A paid order the owning module could not turn into a receipt (the thing was paid already, or closed): the
owner calls :func:`report_unapplied` from its ``paid`` handler, in the webhook's transaction, instead of writing
anything. The order is marked ``to_refund`` with the reason (the payment orders page lists it for the managers,
who refund it at the gateway and then mark it refunded), the payment is logged in the security log, and the
store's managers are asked to refund it."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.audit import record_event
from jewelerp.money import format_inr
from jewelerp.notifications import notify_staff
from modules.payments.models import PaymentOrder

log = logging.getLogger(__name__)
ORDERS_PAGE = "/payments/orders?status=to_refund"


def report_unapplied(session: Session, actor: Actor, payload: dict[str, Any], problem: str, link: str) -> None:
    """Mark the ``("payments.order", "paid")`` ``payload``'s order for refund because of ``problem``, log it and
    notify the managers, with ``link`` to the record it was meant for."""
    amount = format_inr(Decimal(str(payload["amount"])), paise=True)
    order = session.get(PaymentOrder, int(payload.get("order_id") or 0), with_for_update=True)
    if order is not None and order.store_id == actor.store_id and order.status == "paid":
        order.status, order.note = "to_refund", problem[:200]
        session.add(order)
        session.flush()
    detail = {"reason": problem, "reference": payload["reference"], "payment": payload["payment_id"]}
    record_event(session, "payments", "unapplied", "", detail, user_name=actor.user_name, store_id=actor.store_id)
    log.warning("online payment %s for %s not applied: %s", payload["payment_id"], payload["reference"], problem)
    notify_staff(
        session,
        actor.store_id,
        role="manager",
        title=f"Refund online payment {payload['payment_id']}",
        body=f"{amount} paid online for {payload['reference']} was not taken: {problem}. "
        f"Refund it at the gateway, then mark it refunded on the payment orders page ({ORDERS_PAGE}).",
        link=link,
    )
