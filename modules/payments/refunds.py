"""Marking a payment refunded: an order marked ``to_refund`` (the money came in for something already paid, see
:mod:`modules.payments.unapplied`) is refunded by a manager at the gateway's own dashboard; :func:`mark_refunded`
then records it here with the manager's note (the gateway's refund id, say), who and when. The change is in the
audit log like every edit."""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError
from jewelerp.validation import read_int
from modules.payments.models import PaymentOrder
from modules.payments.order_list import REFUND

NOTE_MIN, NOTE_MAX = 3, 200
MAX_ORDER_ID = 2**31 - 1


def mark_refunded(session: Session, actor: Actor, raw_order_id: object, raw_note: object) -> PaymentOrder:
    """Record that the store refunded the order ``raw_order_id`` at the gateway, with the manager's note.
    NotFound for an order of another store (or none), JewelError unless it is marked for refund,
    ValidationError (field ``refund_note``) for a missing or over-long note."""
    actor.require(REFUND)
    order_id = read_int(raw_order_id, 1, MAX_ORDER_ID)
    order = session.get(PaymentOrder, order_id, with_for_update=True) if order_id else None
    if order is None or order.store_id != actor.store_id:
        raise NotFound("That payment order does not exist in this store.")
    if order.status != "to_refund":
        raise JewelError('Only a payment marked "refund needed" can be marked refunded.')
    text = raw_note if isinstance(raw_note, str) else ""
    note = " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())
    if not NOTE_MIN <= len(note) <= NOTE_MAX:
        message = f"Say how it was refunded, in {NOTE_MIN} to {NOTE_MAX} characters (e.g. the gateway's refund id)."
        raise ValidationError({"refund_note": message})
    order.status, order.refund_note = "refunded", note
    order.refunded_at, order.refunded_by = utcnow(), actor.user_name[:120]
    session.add(order)
    session.flush()
    return order
