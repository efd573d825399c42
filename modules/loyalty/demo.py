"""Demo loyalty points, after billing's and clienteling's demos (dependency order), per store.

1. Every issued invoice of a customer earns its points through :func:`modules.loyalty.points.earn_for_sale`
   (once per invoice, so running the demo again adds nothing), dated on the invoice's day.
2. Once per store (marked by its "OPENING" rows): purchases from before the program are carried in for a
   few members, so there are members in every tier; older points from two years back expire through the
   expiry job; a chain of referrals (each referrer rewarded when the referred member's invoice is paid in
   full) and some points redeemed against open invoices through billing's ``"points"`` payment method.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from sqlalchemy import func, select, update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.ui.table_query import TableQuery
from modules.billing.api import INVOICES, open_invoice, sale_summary, take_payment
from modules.billing.api import balance as invoice_balance
from modules.loyalty import schemes_demo
from modules.loyalty.models import Member, PointEntry, Program
from modules.loyalty.points import balance, earn_for_sale, expire_points, referral_on_payment
from modules.loyalty.program import add_months, program_for

OPENING = "OPENING"
CARRIED = (Decimal("1450000"), Decimal("1120000"), Decimal("640000"), Decimal("260000"), Decimal("215000"))
OLD_POINTS = (900, 450, 1200)
CHAIN = 4  # members in the referral chain


def _sales(session: Session, actor: Actor) -> list:
    rows = INVOICES.iter_rows(session, actor, TableQuery(filters={"status": "issued"}, sort="date", limit=None))
    return [sale_summary(session, actor, row["number"]) for row in rows]


def _earn(session: Session, actor: Actor) -> list:
    """Earn every issued invoice's points (once) and date each earn row on its invoice's day."""
    sales = [sale for sale in _sales(session, actor) if sale.customer_id is not None]
    months = program_for(session, actor.store_id).expiry_months
    for sale in sales:
        earn_for_sale(session, actor, sale)
        session.execute(
            update(PointEntry)
            .where(PointEntry.reference == sale.number, PointEntry.kind == "earn")
            .values(at=sale.issued_at, expires_on=add_months(actor.local(sale.issued_at).date(), months))
        )
    session.flush()
    return sales


def _members(session: Session, program: Program) -> list[Member]:
    return list(session.scalars(select(Member).where(Member.program_id == program.id).order_by(Member.id)))


def _row(actor: Actor, member: Member, **values: object) -> PointEntry:
    return PointEntry(member_id=member.id, store_id=actor.store_id, reference=OPENING, user_name="demo", **values)


def _carry_in(session: Session, actor: Actor, members: list[Member]) -> None:
    """Purchases from before the program for the first members (Platinum and Gold), older expired points."""
    now = utcnow()
    for member, spend in zip(members, CARRIED, strict=False):
        session.add(
            _row(
                actor,
                member,
                kind="earn",
                points=0,
                spend=spend,
                at=now - timedelta(days=200),
                reason="Purchases before the program, carried in (no points)",
            )
        )
    for member, points in zip(members[-len(OLD_POINTS) :], OLD_POINTS, strict=False):
        earned = now - timedelta(days=760)
        session.add(
            _row(
                actor,
                member,
                kind="adjust",
                points=points,
                remaining=points,
                at=earned,
                expires_on=actor.local(earned).date() + timedelta(days=730),
                reason="Points of the old card scheme, carried in",
            )
        )
    session.flush()
    expire_points(session, actor)


def _referrals(session: Session, actor: Actor, members: list[Member], sales: list) -> None:
    """Members later in the list referred by the one before them; the referrer is rewarded on a paid invoice."""
    chain = [m for m in members[len(CARRIED) :] if m.referred_by_id is None][:CHAIN]
    for referrer, referred in pairwise(chain):
        referred.referred_by_id = referrer.id
        session.add(referred)
    session.flush()
    for referred in chain[1:]:
        paid = next((s for s in sales if s.customer_id == referred.customer_id and s.paid_in_full), None)
        if paid is not None:
            referral_on_payment(
                session, actor, {"invoice": paid.invoice_id, "customer_id": paid.customer_id, "number": paid.number}
            )


def _redemptions(session: Session, actor: Actor, program: Program, sales: list) -> None:
    """Members with points pay part of an open invoice with them."""
    done = 0
    for sale in sales:
        if done >= 3 or sale.paid_in_full or sale.customer_id is None:
            continue
        member = session.scalars(
            select(Member).where(Member.program_id == program.id, Member.customer_id == sale.customer_id)
        ).first()
        due = invoice_balance(open_invoice(session, actor, sale.invoice_id))
        points = min(balance(session, member.id), 500, int(due / program.point_value)) if member else 0
        if points >= 50:
            take_payment(session, actor, sale.invoice_id, "points", points * program.point_value)
            done += 1


def load(session: Session, actor: Actor) -> None:
    """Points for the store's issued invoices, then (once) tiers, expiries, referrals and redemptions."""
    schemes_demo.load(session, actor)
    sales = _earn(session, actor)
    program = program_for(session, actor.store_id)
    opened = session.scalar(
        select(func.count())
        .select_from(PointEntry)
        .where(PointEntry.store_id == actor.store_id, PointEntry.reference == OPENING)
    )
    members = _members(session, program)
    if opened or len(members) < len(CARRIED) + CHAIN:
        return
    _carry_in(session, actor, members)
    _referrals(session, actor, members, sales)
    _redemptions(session, actor, program, sales)
