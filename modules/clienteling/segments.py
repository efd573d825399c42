"""Segments New / Regular / VIP from the last twelve months of purchases that other modules report."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.db import utcnow
from jewelerp.errors import JewelError
from jewelerp.money import format_inr
from modules.clienteling.models import Customer, Purchase

SEGMENTS = (("new", "New"), ("regular", "Regular"), ("vip", "VIP"))
WINDOW = timedelta(days=365)


def segment_for(purchases: int, spend: Decimal, regular_from: int, vip_from: Decimal) -> str:
    """The segment a twelve-month purchase count and spend put a customer in."""
    if spend >= vip_from:
        return "vip"
    if purchases >= regular_from:
        return "regular"
    return "new"


def refresh_customer(session: Session, customer: Customer, now: datetime | None = None) -> str:
    """Recount the customer's last twelve months and store count, spend and segment."""
    since = (now or utcnow()) - WINDOW
    count, spend, last = session.execute(
        select(func.count(), func.coalesce(func.sum(Purchase.amount), 0), func.max(Purchase.at)).where(
            Purchase.customer_id == customer.id, Purchase.reversed_at.is_(None), Purchase.at >= since
        )
    ).one()
    spend = Decimal(spend)  # the Money type turns the summed paise back into rupees
    customer.purchases_12m, customer.spend_12m, customer.last_purchase_at = count, spend, last
    customer.segment = segment_for(
        count,
        spend,
        get_setting(session, customer.store_id, "clienteling.regular_min_purchases"),
        get_setting(session, customer.store_id, "clienteling.vip_min_spend"),
    )
    session.add(customer)
    return customer.segment


def record_purchase(
    session: Session, actor: Actor, customer_id: int, ref: str, amount: Decimal, at: datetime, sold_on: date
) -> Purchase | None:
    """Note a purchase made at ``at``, its document dated ``sold_on`` (idempotent by ``ref``), and move the
    customer to the right segment."""
    if session.scalars(select(Purchase).where(Purchase.ref == ref)).first():
        return None
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise JewelError(f"Purchase {ref} names an unknown customer #{customer_id}.")
    while customer.merged_into_id:
        customer = session.get(Customer, customer.merged_into_id)
    purchase = Purchase(
        customer_id=customer.id, store_id=actor.store_id, ref=ref, amount=amount, at=at, sold_on=sold_on
    )
    session.add(purchase)
    session.flush()
    refresh_customer(session, customer)
    return purchase


def reverse_purchase(session: Session, _actor: Actor, ref: str) -> bool:
    """A cancelled sale no longer counts; returns False when the purchase was never reported."""
    purchase = session.scalars(select(Purchase).where(Purchase.ref == ref)).first()
    if purchase is None or purchase.reversed_at is not None:
        return False
    purchase.reversed_at = utcnow()
    session.add(purchase)
    session.flush()
    refresh_customer(session, session.get(Customer, purchase.customer_id))
    return True


def refresh_store(session: Session, actor: Actor) -> int:
    """Nightly: purchases age out of the twelve-month window; returns how many customers changed segment."""
    changed = 0
    stmt = select(Customer).where(
        Customer.store_id == actor.store_id,
        Customer.merged_into_id.is_(None),
        (Customer.purchases_12m > 0) | (Customer.segment != "new"),
    )
    for customer in session.scalars(stmt):
        before = customer.segment
        if refresh_customer(session, customer) != before:
            changed += 1
    return changed


def purchases_section(session: Session, actor: Actor, customer_id: int) -> dict | None:
    """Customer 360 section: purchases other modules reported, newest first, each on its document's date (one
    reported before that date was kept: the day it was processed)."""
    rows = session.scalars(
        select(Purchase)
        .where(Purchase.customer_id == customer_id)
        .order_by(Purchase.sold_on.desc().nulls_last(), Purchase.at.desc())
        .limit(20)
    ).all()
    if not rows:
        return None
    return {
        "title": "Purchases reported",
        "columns": [("date", "Date"), ("ref", "Reference"), ("amount", "Amount"), ("state", "State")],
        "rows": [
            {
                "date": f"{p.sold_on or actor.local(p.at).date():%d %b %Y}",
                "ref": p.ref,
                "amount": format_inr(p.amount),
                "state": "cancelled" if p.reversed_at else "counted",
            }
            for p in rows
        ],
    }
