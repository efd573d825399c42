"""Demo customers: realistic Indian names, phones and tags, the same on every run."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from modules.clienteling.models import Customer

FIRST = [
    "Aarav",
    "Aditi",
    "Ananya",
    "Arjun",
    "Deepika",
    "Divya",
    "Farhan",
    "Gauri",
    "Ishaan",
    "Kavya",
    "Lakshmi",
    "Manish",
    "Meenakshi",
    "Neha",
    "Nikhil",
    "Pooja",
    "Rahul",
    "Rajesh",
    "Riya",
    "Sanjay",
    "Shreya",
    "Sneha",
    "Suresh",
    "Tanvi",
    "Varun",
    "Vidya",
    "Zoya",
    "Harpreet",
    "Anjali",
    "Kiran",
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
TAGS = ("bridal", "diamonds", "gold coins", "temple jewellery", "polki", "solitaire", "gifting", "platinum", "vip")
PER_STORE = 150


def load(session: Session, actor: Actor) -> None:
    """Add the store's demo customers unless it already has some (idempotent)."""
    if session.execute(select(func.count()).where(Customer.store_id == actor.store_id)).scalar_one():
        return
    rng = random.Random(f"customers-{actor.store_code}")
    prefix = {"MUM": "98", "DEL": "99"}.get(actor.store_code, "97")
    for index in range(PER_STORE):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
        married = born + timedelta(days=365 * rng.randrange(22, 35)) if rng.random() < 0.6 else None
        session.add(
            Customer(
                store_id=actor.store_id,
                name=f"{first} {last}",
                phone=f"+91{prefix}{actor.store_id:02d}{index:06d}",
                email=f"{first.lower()}.{last.lower()}{index}@example.in" if rng.random() < 0.7 else "",
                date_of_birth=born,
                anniversary=married if married and married < date.today() else None,
                tags=", ".join(sorted(rng.sample(TAGS, rng.randrange(0, 3)))),
            )
        )
