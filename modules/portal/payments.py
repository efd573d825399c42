"""Paying from the portal: the signed-in customer pays the next instalment of one of their own gold schemes.

The amount is loyalty's quote (:func:`modules.loyalty.api.instalment_quote`), never the page's; the order is
opened with :func:`modules.payments.api.create_order` (a pending order for the same instalment is reused, so a
double click or a second tab opens no second one) and the browser goes to the gateway's checkout. Back on the
page, :func:`scheme_receipt` shows what the customer's order became: loyalty's receipt once the webhook arrived.
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.errors import NotFound
from jewelerp.money import format_inr
from modules.loyalty.api import INSTALMENT_PURPOSE, customer_schemes, instalment_quote
from modules.payments.api import checkout_path, create_order, customer_order
from modules.portal.access import Customer, NotYours, portal_actor

SCHEMES_PAGE = "/portal/schemes"


def pay_instalment(session: Session, customer: Customer, enrolment_id: object) -> str:
    """Open (or reuse) the payment order of the next instalment of the customer's scheme ``enrolment_id``;
    returns the checkout page's path. Another customer's scheme answers "not found" (NotYours)."""
    text = str(enrolment_id)
    if not text.isdigit() or len(text) > 9:
        raise NotYours("scheme", text)
    actor = portal_actor(session, customer.store_id, customer.name)
    try:
        quote = instalment_quote(session, actor, customer.customer_ids, int(text))
    except NotFound:
        raise NotYours("scheme", text) from None
    order = create_order(
        session,
        actor,
        purpose=INSTALMENT_PURPOSE,
        reference=quote.reference,
        amount=quote.total,
        customer_id=quote.customer_id,
        description=quote.description,
        return_path=SCHEMES_PAGE,
    )
    return checkout_path(order.token)


def scheme_receipt(session: Session, customer: Customer, token: str) -> dict[str, str]:
    """What became of the customer's latest payment (``token`` from the checkout's return): status, amount, time,
    and loyalty's receipt number once it is paid. Another customer's order answers "not found"."""
    actor = portal_actor(session, customer.store_id, customer.name)
    try:
        order = customer_order(session, actor, token[:64], customer.customer_ids)
    except NotFound:
        raise NotYours("payment", token[:20]) from None
    receipt = ""
    if order.status == "paid":
        rows = (i for s in customer_schemes(session, actor, customer.customer_ids) for i in s.instalments)
        receipt = next((i.receipt_number for i in rows if i.reference == order.payment_id), "")
    return {
        "status": order.status,
        "for": order.description,
        "amount": format_inr(order.amount, paise=True),
        "time": actor.local(order.paid_at).strftime("%d %b %Y, %H:%M") if order.paid_at else "",
        "receipt": receipt,
    }
