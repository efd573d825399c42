"""Paying from the portal: the signed-in customer pays the next instalment of one of their own gold schemes, or the
balance of one of their own repair jobs.

The amount is the owning module's quote (:func:`modules.loyalty.api.instalment_quote`,
:func:`modules.repairs.api.balance_quote`), never the page's; the order is opened with
:func:`modules.payments.api.create_order` after the quote's read session closed (it calls the gateway between two
short transactions of its own; a pending order for the same thing is reused, so a double click or a second tab
opens no second one) and the browser goes to the gateway's checkout. Back on the page,
:func:`payment_receipt` shows what the customer's order became: the receipt once the webhook arrived (loyalty's
instalment receipt, or billing's receipts for a job's balance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import read_session
from jewelerp.errors import NotFound
from jewelerp.money import format_inr
from modules.billing.api import customer_receipt_numbers
from modules.loyalty.api import INSTALMENT_PURPOSE, customer_schemes, instalment_quote
from modules.payments.api import OrderView, checkout_path, create_order, customer_order
from modules.portal.access import Customer, NotYours, portal_actor
from modules.repairs.api import BALANCE_PURPOSE, balance_quote

SCHEMES_PAGE = "/portal/schemes"
REPAIRS_PAGE = "/portal/repairs"


@dataclass(frozen=True)
class _Due:
    """What a customer is about to pay, as the owning module quoted it."""

    purpose: str
    reference: str
    description: str
    amount: Decimal
    customer_id: int
    page: str


def _record_id(raw: object, what: str) -> int:
    text = str(raw)
    if not text.isdigit() or len(text) > 9:
        raise NotYours(what, text)
    return int(text)


def _checkout(customer: Customer, what: str, raw_id: object, quote: Callable[..., _Due]) -> str:
    """Open (or reuse) the order for ``quote(session, actor, customer_ids, record id)``; returns the checkout page's
    path. A record that is not the customer's answers "not found" (NotYours). Call it with no transaction open."""
    record_id = _record_id(raw_id, what)
    with read_session() as session:
        actor = portal_actor(session, customer.store_id, customer.name)
        try:
            due = quote(session, actor, customer.customer_ids, record_id)
        except NotFound:
            raise NotYours(what, raw_id) from None
    order = create_order(
        actor,
        purpose=due.purpose,
        reference=due.reference,
        amount=due.amount,
        customer_id=due.customer_id,
        customer_name=customer.name,
        description=due.description,
        return_path=due.page,
    )
    return checkout_path(order.token)


def _instalment(session: Session, actor: Actor, customer_ids: tuple[int, ...], enrolment_id: int) -> _Due:
    q = instalment_quote(session, actor, customer_ids, enrolment_id)
    return _Due(INSTALMENT_PURPOSE, q.reference, q.description, q.total, q.customer_id, SCHEMES_PAGE)


def _balance(session: Session, actor: Actor, customer_ids: tuple[int, ...], job_id: int) -> _Due:
    q = balance_quote(session, actor, customer_ids, job_id)
    return _Due(BALANCE_PURPOSE, q.number, q.description, q.balance, q.customer_id, REPAIRS_PAGE)


def pay_instalment(customer: Customer, enrolment_id: object) -> str:
    """The checkout path for the next instalment of the customer's scheme ``enrolment_id``."""
    return _checkout(customer, "scheme", enrolment_id, _instalment)


def pay_balance(customer: Customer, job_id: object) -> str:
    """The checkout path for the balance of the customer's job ``job_id``."""
    return _checkout(customer, "job", job_id, _balance)


def _receipts(session: Session, actor: Actor, customer: Customer, order: OrderView) -> str:
    """The receipt number(s) the owning module wrote for the paid order ("" until then, or where none is kept)."""
    if order.purpose == INSTALMENT_PURPOSE:
        rows = (i for s in customer_schemes(session, actor, customer.customer_ids) for i in s.instalments)
        return next((i.receipt_number for i in rows if i.reference == order.payment_id), "")
    return ", ".join(customer_receipt_numbers(session, actor, customer.customer_ids, order.payment_id))


def payment_receipt(session: Session, customer: Customer, token: str) -> dict[str, str]:
    """What became of the customer's payment ``token`` (from the checkout's return): status, what for, amount,
    time, the gateway's payment id and the receipt number. Another customer's order answers "not found"."""
    actor = portal_actor(session, customer.store_id, customer.name)
    try:
        order = customer_order(session, actor, token[:64], customer.customer_ids)
    except NotFound:
        raise NotYours("payment", token[:20]) from None
    paid = order.status == "paid"
    return {
        "status": order.status,
        "for": order.description,
        "amount": format_inr(order.amount, paise=True),
        "time": actor.local(order.paid_at).strftime("%d %b %Y, %H:%M") if order.paid_at else "",
        "payment": order.payment_id if paid else "",
        "receipt": _receipts(session, actor, customer, order) if paid else "",
    }
