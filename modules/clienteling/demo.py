"""Demo customers: realistic Indian names, families, occasions, conversations, purchases and service cases.

The same records on every run (seeded by store code); nothing is added twice.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Role, User, UserStoreRole
from jewelerp.db import utcnow
from modules.clienteling.case_demo import load_cases
from modules.clienteling.followups import INTERACTION_CHANNELS
from modules.clienteling.models import Customer, FollowUp, Interaction, Occasion, Relative, Wish
from modules.clienteling.segments import record_purchase

FIRST_F = [
    "Aditi",
    "Ananya",
    "Deepika",
    "Divya",
    "Gauri",
    "Kavya",
    "Lakshmi",
    "Meenakshi",
    "Neha",
    "Pooja",
    "Riya",
    "Shreya",
    "Sneha",
    "Tanvi",
    "Vidya",
    "Zoya",
]
FIRST_M = [
    "Aarav",
    "Arjun",
    "Farhan",
    "Ishaan",
    "Manish",
    "Nikhil",
    "Rahul",
    "Rajesh",
    "Sanjay",
    "Suresh",
    "Varun",
    "Kiran",
    "Harpreet",
    "Vikram",
    "Rohan",
]
LAST = [
    "Agarwal",
    "Bansal",
    "Chopra",
    "Desai",
    "Fernandes",
    "Gupta",
    "Iyer",
    "Jain",
    "Kapoor",
    "Khan",
    "Kulkarni",
    "Malhotra",
    "Menon",
    "Nair",
    "Patel",
    "Pillai",
    "Rao",
    "Reddy",
    "Saxena",
    "Shah",
    "Sharma",
    "Singh",
    "Thakur",
    "Verma",
    "Joshi",
    "Bhatia",
    "Mehta",
    "Kaur",
]
AREAS = {
    "MUM": ("Bandra West", "Andheri East", "Dadar", "Powai", "Malabar Hill"),
    "DEL": ("Karol Bagh", "Lajpat Nagar", "Dwarka", "Saket", "Rajouri Garden"),
}
TAGS = ("bridal", "diamonds", "gold coins", "temple jewellery", "polki", "solitaire", "gifting", "investor")
STYLES = ("temple", "minimal", "kundan", "contemporary", "antique")
STONES = ("diamond", "emerald", "ruby", "pearl", "sapphire")
SUMMARIES = (
    "Asked about bridal sets for daughter's wedding",
    "Came to see solitaire rings",
    "Wants a gold coin for Dhanteras",
    "Enquired about exchange of old gold",
    "Looking for anniversary gift",
    "Liked the new polki collection",
)
PER_STORE = 150


def _staff(session: Session, store_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(UserStoreRole, UserStoreRole.user_id == User.id)
            .join(Role, Role.id == UserStoreRole.role_id)
            .where(UserStoreRole.store_id == store_id, Role.code.in_(("sales", "manager")))
        )
    )


def load(session: Session, actor: Actor) -> None:
    """Add the store's demo customers unless it already has some, then its demo service cases unless it has
    cases (each idempotent)."""
    if not session.execute(select(func.count()).where(Customer.store_id == actor.store_id)).scalar_one():
        _customers(session, actor)
    load_cases(session, actor)


def _customers(session: Session, actor: Actor) -> None:
    rng = random.Random(f"customers-{actor.store_code}")
    staff = _staff(session, actor.store_id)
    prefix = {"MUM": "98", "DEL": "99"}.get(actor.store_code, "97")
    today = actor.local(utcnow()).date()
    for index in range(PER_STORE):
        female = rng.random() < 0.6
        first, last = rng.choice(FIRST_F if female else FIRST_M), rng.choice(LAST)
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
        married = born + timedelta(days=365 * rng.randrange(22, 35)) if rng.random() < 0.6 else None
        married = married if married and married < today else None
        low = Decimal(rng.choice((25_000, 50_000, 100_000, 200_000, 400_000)))
        customer = Customer(
            store_id=actor.store_id,
            name=f"{first} {last}",
            phone=f"+91{prefix}{actor.store_id:02d}{index:06d}",
            email=f"{first.lower()}.{last.lower()}{index}@example.in" if rng.random() < 0.7 else "",
            address=f"{rng.randrange(1, 200)}, {rng.choice(AREAS.get(actor.store_code, ('Main Road',)))}",
            gender="female" if female else "male",
            date_of_birth=born,
            birth_month=born.month,
            birth_day=born.day,
            anniversary=married,
            anniversary_month=married.month if married else None,
            anniversary_day=married.day if married else None,
            tags=", ".join(sorted(rng.sample(TAGS, rng.randrange(0, 3)))),
            pref_metals=rng.choice(("gold", "gold, platinum", "white gold", "rose gold, gold", "platinum", "")),
            pref_stones=rng.choice(STONES) if rng.random() < 0.5 else "",
            pref_styles=rng.choice(STYLES) if rng.random() < 0.6 else "",
            price_min=low if rng.random() < 0.7 else None,
            price_max=low * 3 if rng.random() < 0.7 else None,
            ring_size_in=rng.randrange(8, 24) if rng.random() < 0.5 else None,
            bangle_size=rng.choice(("2.4", "2.6", "2.8")) if female and rng.random() < 0.6 else "",
            assigned_user_id=rng.choice(staff).id if staff and rng.random() < 0.8 else None,
        )
        for channel in ("email", "sms", "whatsapp"):
            if rng.random() < 0.6:
                setattr(customer, f"consent_{channel}", True)
                setattr(customer, f"consent_{channel}_at", utcnow() - timedelta(days=rng.randrange(1, 400)))
        session.add(customer)
        session.flush()
        _family_and_history(session, actor, rng, customer, today, index)


def _family_and_history(
    session: Session, actor: Actor, rng: random.Random, customer: Customer, today: date, index: int
) -> None:
    if customer.anniversary and rng.random() < 0.7:
        spouse_first = rng.choice(FIRST_M if customer.gender == "female" else FIRST_F)
        session.add(
            Relative(
                customer_id=customer.id,
                name=f"{spouse_first} {customer.name.split()[-1]}",
                relation="spouse",
                date_of_birth=date(1965, 1, 1) + timedelta(days=rng.randrange(14000)),
                anniversary=customer.anniversary,
                ring_size_in=rng.randrange(8, 24),
                pref_metals=rng.choice(("gold", "platinum", "rose gold")),
            )
        )
    if rng.random() < 0.3:
        child = rng.choice(FIRST_F + FIRST_M)
        session.add(
            Relative(
                customer_id=customer.id,
                name=f"{child} {customer.name.split()[-1]}",
                relation="child",
                date_of_birth=date(1995, 1, 1) + timedelta(days=rng.randrange(6000)),
                notes="Wedding planned next year" if rng.random() < 0.3 else "",
            )
        )
    if rng.random() < 0.1:
        moment = today + timedelta(days=rng.randrange(5, 120))
        session.add(
            Occasion(
                customer_id=customer.id,
                label="Daughter's engagement",
                month=moment.month,
                day=moment.day,
                year=moment.year,
            )
        )
    for _ in range(rng.randrange(0, 4)):
        when = utcnow() - timedelta(days=rng.randrange(1, 200), hours=rng.randrange(0, 8))
        follow_up = None
        if rng.random() < 0.35:
            due = today + timedelta(days=rng.randrange(-5, 20))
            follow_up = FollowUp(
                customer_id=customer.id,
                store_id=actor.store_id,
                due_on=due,
                reason="Call back about the pieces shown",
                source="interaction",
                assigned_user_id=customer.assigned_user_id,
            )
            session.add(follow_up)
            session.flush()
        session.add(
            Interaction(
                customer_id=customer.id,
                store_id=actor.store_id,
                at=when,
                channel=rng.choice(INTERACTION_CHANNELS),
                outcome=rng.choice(("interested", "information", "call back")),
                summary=rng.choice(SUMMARIES),
                user_name="Demo staff",
                follow_up_id=follow_up.id if follow_up else None,
            )
        )
    if rng.random() < 0.2:
        session.add(
            Wish(
                customer_id=customer.id,
                text=rng.choice(("Solitaire ring around 1 carat", "Temple necklace in 22K", "Diamond tennis bracelet")),
            )
        )
    for n in range(rng.choice((0, 0, 1, 2, 3))):
        amount = Decimal(rng.choice((35_000, 80_000, 150_000, 260_000, 620_000)))
        at = utcnow() - timedelta(days=rng.randrange(5, 330))
        ref = f"DEMO-{actor.store_code}-{index:04d}-{n}"
        record_purchase(session, actor, customer.id, ref, amount, at, actor.local(at).date())
