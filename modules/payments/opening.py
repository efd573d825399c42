"""Opening a payment order, with the gateway asked for its order while no transaction is open.

:func:`create_order` works in three steps, so SQLite's write lock (and a PostgreSQL transaction) is never held for
the length of a network call (the gateway has 10 seconds):

1. A short write transaction refuses a reference already paid online, hands back the order still pending for the
   same thing, customer, gateway, amount and day (a double click or a second tab opens no second one), or inserts
   the order as ``creating`` and commits. The unique index on open orders (:mod:`modules.payments.models`) makes
   this step win once when two clicks race: on PostgreSQL the loser's insert fails and it takes the winner's order.
2. With no transaction open, the gateway is asked for its order.
3. A second short transaction records the gateway's order id (the order is ``pending``), or marks the order
   ``failed`` with the gateway's message, which the customer sees; the next try opens a new order.

A click that finds the same order ``creating`` waits (reading, no lock held) until the first click's gateway
call ends, and gets that click's order or its failure. An order left ``creating`` for longer than
:data:`ABANDONED_AFTER` (the server stopped during the call) is marked failed when the thing is paid for again.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError
from modules.payments.gateways import TIMEOUT, Gateway, GatewayOrder, store_gateway
from modules.payments.models import OPEN_STATUSES, PaymentOrder
from modules.payments.orders import PAY, OrderView, checked_amount, order_view, paise

log = logging.getLogger(__name__)

ABANDONED_AFTER = timedelta(seconds=60)
WAIT_SECONDS = (TIMEOUT.read or 10.0) + 5.0  # how long a second click waits for the first click's gateway call
POLL_SECONDS = 0.1
UNREACHABLE = "The payment gateway could not be reached; please try again in a minute."
ABANDONED = "The payment gateway did not answer before the server stopped."
STILL_OPENING = "The payment is still being set up with the gateway; please try again in a minute."


@dataclass(frozen=True)
class _Wanted:
    """What the order is for, checked."""

    purpose: str
    reference: str
    amount: Decimal
    customer_id: int
    customer_name: str
    description: str
    return_path: str


def create_order(
    actor: Actor,
    *,
    purpose: str,
    reference: str,
    amount: Decimal,
    customer_id: int,
    description: str,
    return_path: str,
    customer_name: str = "",
    gateway: Gateway | None = None,
) -> OrderView:
    """Open a payment order in the actor's store (``gateway``: the store's, unless a test passes one), or return
    the order pending for the same purpose, reference, customer, amount and day (see the module docstring).
    Call it with no transaction open. JewelError, with a message for the customer, when it cannot."""
    actor.require(PAY)
    wanted = _Wanted(
        purpose,
        reference,
        checked_amount(purpose, reference, amount, return_path),
        customer_id,
        " ".join(str(customer_name).split())[:120],
        " ".join(str(description).split())[:120],
        return_path,
    )
    order, gateway, mine = _claim(actor, wanted, gateway)
    if not mine:
        return order_view(order) if order.status == "pending" else _await(order.id or 0)
    return _ask_gateway(actor, order, gateway)


def _claim(actor: Actor, wanted: _Wanted, gateway: Gateway | None) -> tuple[PaymentOrder, Gateway, bool]:
    """Step 1: the open order for ``wanted`` and whether this call inserted it (then it must ask the gateway)."""
    try:
        with unit_of_work(actor) as session:
            return _claim_in(session, actor, wanted, gateway)
    except IntegrityError:  # PostgreSQL: a click at the same moment inserted the same order first; take that one
        with unit_of_work(actor) as session:
            return _claim_in(session, actor, wanted, gateway)


def _claim_in(
    session: Session, actor: Actor, wanted: _Wanted, gateway: Gateway | None
) -> tuple[PaymentOrder, Gateway, bool]:
    earlier = session.scalars(
        select(PaymentOrder)
        .where(
            PaymentOrder.store_id == actor.store_id,
            PaymentOrder.purpose == wanted.purpose,
            PaymentOrder.reference == wanted.reference,
        )
        .order_by(PaymentOrder.id.desc())
    ).all()
    paid = next((o for o in earlier if o.status == "paid"), None)
    if paid is not None:
        raise JewelError(f"This was paid online on {actor.local(paid.paid_at or utcnow()):%d %b %Y at %H:%M}.")
    gateway = gateway or store_gateway(session, actor.store_id)
    same = (wanted.customer_id, gateway.kind, wanted.amount, actor.today())
    for order in earlier:
        if order.status not in OPEN_STATUSES or (
            (order.customer_id, order.gateway, order.amount, order.quoted_on) != same
        ):
            continue
        if order.status == "creating" and utcnow() - order.created_at > ABANDONED_AFTER:
            order.status, order.note = "failed", ABANDONED
            session.add(order)
            session.flush()
            continue
        return order, gateway, False
    order = PaymentOrder(
        store_id=actor.store_id,
        token=secrets.token_urlsafe(32),
        purpose=wanted.purpose,
        reference=wanted.reference,
        description=wanted.description,
        customer_id=wanted.customer_id,
        customer_name=wanted.customer_name,
        amount=wanted.amount,
        gateway=gateway.kind,
        status="creating",
        quoted_on=actor.today(),
        return_path=wanted.return_path,
    )
    session.add(order)
    session.flush()
    return order, gateway, True


def _ask_gateway(actor: Actor, order: PaymentOrder, gateway: Gateway) -> OrderView:
    """Steps 2 and 3: the gateway's order, asked for with no transaction open, then recorded."""
    try:
        gateway_order_id = gateway.create_order(GatewayOrder(order.token, paise(order.amount), order.description))
    except JewelError as exc:
        _refused(actor, order.id or 0, exc.message)
        raise
    except Exception as exc:
        log.exception("payment gateway %s failed opening order %s", gateway.kind, order.id)
        _refused(actor, order.id or 0, UNREACHABLE)
        raise JewelError(UNREACHABLE) from exc
    with unit_of_work(actor) as session:
        opened = session.get(PaymentOrder, order.id, with_for_update=True)
        if opened is None or opened.status != "creating":  # given up as abandoned while the gateway answered
            raise JewelError(STILL_OPENING)
        opened.gateway_order_id, opened.status = gateway_order_id, "pending"
        session.add(opened)
        session.flush()
        return order_view(opened)


def _refused(actor: Actor, order_id: int, problem: str) -> None:
    """Mark the order ``failed`` with the gateway's ``problem`` (its own transaction)."""
    with unit_of_work(actor) as session:
        order = session.get(PaymentOrder, order_id, with_for_update=True)
        if order is not None and order.status == "creating":
            order.status, order.note = "failed", problem[:200]
            session.add(order)


def _await(order_id: int) -> OrderView:
    """The order another click is opening, once its gateway call ended (read only, no lock held)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with read_session() as session:
            order = session.get(PaymentOrder, order_id)
        if order is None or order.status == "failed":
            raise JewelError(order.note if order is not None and order.note else UNREACHABLE)
        if order.status != "creating":
            return order_view(order)
        if time.monotonic() >= deadline:
            raise JewelError(STILL_OPENING)
        time.sleep(POLL_SECONDS)
