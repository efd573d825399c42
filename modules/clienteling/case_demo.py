"""Demo service cases: a dozen per store on its demo customers, some overdue, most with the store's salespeople,
a few in the queue, each with a short thread. Added once: a store that has cases gets none."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Role, User, UserStoreRole
from jewelerp.db import utcnow
from modules.clienteling.cases import DUE_DAYS, insert_case
from modules.clienteling.models import CaseNote, Customer, ServiceCase

# kind, channel, priority, subject, first note, a note shown to the customer ("" for none), status
CASES = (
    (
        "complaint",
        "walk-in",
        "high",
        "Stone loose in the solitaire ring",
        "Prong lifted; customer wore it daily.",
        "We will re-tip the prongs free of charge; ready in two days.",
        "open",
    ),
    ("after-sales", "phone", "normal", "Resize the wedding band by two sizes", "Size 14 to 16, 22K band.", "", "open"),
    (
        "request",
        "whatsapp",
        "low",
        "Matching earrings for the polki choker",
        "Sent three designs on WhatsApp.",
        "Here are three designs from our karigar; tell us which you like.",
        "waiting",
    ),
    (
        "enquiry",
        "email",
        "normal",
        "Buy-back value of old 22K chain",
        "Customer wants a quote before Diwali.",
        "",
        "open",
    ),
    (
        "complaint",
        "phone",
        "urgent",
        "Hallmark HUID not showing on the BIS app",
        "Checked the HUID: typed wrongly on the invoice.",
        "We are issuing a corrected invoice today.",
        "open",
    ),
    (
        "after-sales",
        "walk-in",
        "normal",
        "Polish and clean the diamond bangle",
        "Free annual cleaning.",
        "",
        "resolved",
    ),
    ("request", "portal", "normal", "Engrave initials inside the ring", "A & R, script font.", "", "open"),
    (
        "enquiry",
        "phone",
        "low",
        "Gold scheme maturity date",
        "Scheme of 11 instalments, 9 paid.",
        "Your scheme matures in March; we will remind you.",
        "closed",
    ),
    (
        "complaint",
        "walk-in",
        "high",
        "Chain clasp broke within a week",
        "Replace the clasp; check the links.",
        "",
        "open",
    ),
    (
        "after-sales",
        "email",
        "normal",
        "Certificate copy for insurance",
        "Needs the IGI report for the pendant.",
        "",
        "waiting",
    ),
    ("request", "walk-in", "normal", "Reserve the emerald pendant till Saturday", "Advance not yet paid.", "", "open"),
    ("enquiry", "whatsapp", "low", "Bridal set trial appointment", "Family of four, Sunday afternoon.", "", "open"),
)
PER_STORE = len(CASES)


def _people(session: Session, store_id: int) -> dict[str, list[User]]:
    rows = session.execute(
        select(User, Role.code)
        .join(UserStoreRole, UserStoreRole.user_id == User.id)
        .join(Role, Role.id == UserStoreRole.role_id)
        .where(UserStoreRole.store_id == store_id, User.active, Role.code.in_(("sales", "manager")))
        .order_by(User.id)
    )
    people: dict[str, list[User]] = {"sales": [], "manager": []}
    for user, role in rows:
        people[role].append(user)
    return people


def load_cases(session: Session, actor: Actor) -> None:
    """Add the store's demo cases unless it has cases already (idempotent)."""
    if session.execute(select(func.count()).where(ServiceCase.store_id == actor.store_id)).scalar_one():
        return
    customers = list(
        session.scalars(
            select(Customer)
            .where(Customer.store_id == actor.store_id, Customer.merged_into_id.is_(None))
            .order_by(Customer.id)
            .limit(PER_STORE * 3)
        )
    )
    people = _people(session, actor.store_id)
    handlers = people["sales"] or people["manager"]
    manager = (people["manager"] or handlers or [None])[0]
    if not customers or not handlers:
        return
    rng = random.Random(f"cases-{actor.store_code}")
    now = utcnow()
    for index, (kind, channel, priority, subject, first, shown, status) in enumerate(CASES):
        days_ago = rng.randrange(0, 4) if index % 3 else rng.randrange(DUE_DAYS[priority] + 1, 20)  # a third overdue
        opened = now - timedelta(days=days_ago, hours=rng.randrange(1, 8))
        assignee = None if index % 4 == 3 else handlers[index % len(handlers)]
        case = insert_case(
            session,
            actor.store_code,
            store_id=actor.store_id,
            customer_id=customers[(index * 3) % len(customers)].id,
            kind=kind,
            channel=channel,
            priority=priority,
            subject=subject,
            status=status,
            due_on=actor.local(opened).date() + timedelta(days=DUE_DAYS[priority]),
            assigned_user_id=assignee.id if assignee else None,
            opened_by=manager.id if manager else None,
            opened_at=opened,
            updated_at=opened,
            resolved_at=opened + timedelta(days=1) if status in ("resolved", "closed") else None,
        )
        author = manager or handlers[0]
        notes = [CaseNote(at=opened, kind="staff", author_id=author.id, author_name=author.name, text=first)]
        if shown:
            who = assignee or author
            notes.append(
                CaseNote(
                    at=opened + timedelta(hours=2),
                    kind="staff",
                    author_id=who.id,
                    author_name=who.name,
                    internal=False,
                    text=shown,
                )
            )
        for note in notes:
            note.case_id = case.id
        session.add_all(notes)
    session.flush()
