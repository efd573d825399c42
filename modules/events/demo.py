"""Demo events: in Mumbai an upcoming trunk show with invited customers registered, a waiting list and a
registration staff cancelled for a caller, a bridal preview three weeks ago with check-ins, and a diamond care
clinic inviting those who came to the preview; in Delhi a webinar with a few registrations and a masterclass
called off (its registrants told). Everything goes through the services as staff and customers would use them;
the past event is made ahead, then moved back in time. Nothing is added to a store that has events already."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from modules.clienteling.api import get_customer
from modules.events.changes import cancel_event, cancel_registration
from modules.events.checkin import check_in
from modules.events.invitations import send_invitations
from modules.events.models import Event, Invitation, Registration
from modules.events.registrations import RegistrationInput, register
from modules.events.services import EventInput, create_event

WALK_INS = (
    ("Farah Khan", "farah.khan@example.in", "+91 98191 23401"),
    ("Gaurav Malhotra", "gaurav.m@example.in", "+91 98191 23402"),
    ("Ishita Bose", "ishita.bose@example.in", ""),
    ("Jatin Arora", "jatin.arora@example.in", "+91 98191 23404"),
    ("Kavita Menon", "kavita.menon@example.in", ""),
)


def _at(actor: Actor, days: int, hour: int) -> str:
    return f"{actor.today() + timedelta(days=days)}T{hour:02d}:00"


def _event(session: Session, actor: Actor, days: int, **fields: object) -> Event:
    values = {"starts": _at(actor, days, 17), "ends": _at(actor, days, 20), "audience": ["regular", "vip"]}
    return create_event(session, actor, EventInput(**(values | fields)))


def _invited(session: Session, actor: Actor, event: Event, count: int) -> int:
    """Register up to ``count`` invited customers through their own links; returns how many."""
    send_invitations(session, actor, event.id)
    invitations = session.exec(select(Invitation).where(Invitation.event_id == event.id).order_by(Invitation.id))
    done = 0
    for invitation in list(invitations)[:count]:
        customer = get_customer(session, actor, invitation.customer_id)
        email = customer.email or f"customer{customer.id}@example.in"
        register(session, event, RegistrationInput(customer.name, email, customer.phone, True), invitation.token)
        done += 1
    return done


def _walk_ins(session: Session, event: Event, people: tuple[tuple[str, str, str], ...]) -> None:
    for name, email, phone in people:
        register(session, event, RegistrationInput(name, email, phone, False))


def _move_back(session: Session, event: Event, days: int) -> None:
    """Shift the event and its registrations ``days`` into the past."""
    shift = timedelta(days=days)
    event.starts_at, event.ends_at, event.created_at = (
        event.starts_at - shift,
        event.ends_at - shift,
        event.created_at - shift,
    )
    event.registration_open = False
    session.add(event)
    for registration in session.exec(select(Registration).where(Registration.event_id == event.id)):
        for name in ("created_at", "checked_in_at", "promoted_at"):
            if getattr(registration, name) is not None:
                setattr(registration, name, getattr(registration, name) - shift)
        session.add(registration)
    session.flush()


def _mumbai(session: Session, actor: Actor) -> None:
    show = _event(
        session,
        actor,
        8,
        kind="trunk_show",
        title="Polki and jadau trunk show",
        description="Bikaner's polki and jadau bridal sets, shown by the karigars who made them. Tea is served.",
        place="Zaveri Bazaar showroom, first floor",
        capacity="6",
    )
    _invited(session, actor, show, 3)
    _walk_ins(session, show, WALK_INS)  # three take the last places, two wait
    phoned = session.exec(select(Registration).where(Registration.email == WALK_INS[0][1])).one()
    cancel_registration(session, actor, phoned.id)  # she phoned: the first waiting gets her place
    preview = _event(
        session,
        actor,
        2,
        kind="bridal_preview",
        title="Winter bridal preview",
        description="The season's bridal collection, with styling advice.",
        place="Zaveri Bazaar showroom, bridal lounge",
        capacity="10",
    )
    _invited(session, actor, preview, 4)
    _walk_ins(session, preview, WALK_INS[:2])
    registrations = session.exec(
        select(Registration).where(Registration.event_id == preview.id).order_by(Registration.id)
    )
    for registration in list(registrations)[:4]:
        check_in(session, actor, registration.ticket_token)
    _move_back(session, preview, 23)
    evening = _event(
        session,
        actor,
        15,
        kind="other",
        title="Diamond care clinic",
        description="Cleaning, checking claws and storing your diamonds: bring a piece, our workshop looks at it.",
        place="Zaveri Bazaar showroom, workshop",
        capacity="12",
        audience=[],
        attended=str(preview.id),
    )
    send_invitations(session, actor, evening.id)


def _delhi(session: Session, actor: Actor) -> None:
    webinar = _event(
        session,
        actor,
        10,
        kind="webinar",
        title="Buying lab-grown diamonds: what to ask",
        description="Our gemmologist explains grading reports, lab-grown and natural stones, and buy-back terms.",
        meeting_link="https://meet.example.com/jewelerp-delhi-lgd",
        capacity="100",
    )
    _invited(session, actor, webinar, 3)
    _walk_ins(session, webinar, WALK_INS[2:4])
    masterclass = _event(
        session,
        actor,
        12,
        kind="other",
        title="Temple jewellery masterclass",
        description="A Nagercoil artisan shows how temple jewellery is made.",
        place="Karol Bagh showroom",
        capacity="15",
    )
    _walk_ins(session, masterclass, WALK_INS[:3])
    cancel_event(session, actor, masterclass.id, "The artisan cannot travel that week; we will write with a new date.")


def load(session: Session, actor: Actor) -> None:
    """Add the store's demo events unless it has events already (idempotent)."""
    if session.scalar(select(func.count()).select_from(Event).where(Event.store_id == actor.store_id)):
        return
    if actor.store_code == "MUM":
        _mumbai(session, actor)
    elif actor.store_code == "DEL":
        _delhi(session, actor)
