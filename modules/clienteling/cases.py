"""Service cases: a customer's complaint, request, enquiry or after-sales matter, handled by the store's staff.

A case belongs to the store that opened it (``CS-MUM-000012``, numbered per store) and is found only there. Staff
with ``clienteling.case.edit`` open cases, write notes and move the status; ``clienteling.case.assign`` (managers)
gives a case to any member of the store's staff. The assignee may hand their own case back to the store's queue
(unassigned, the managers notified) but may not pass it to someone else: who works on what is the manager's call.
Every assignment notifies the new assignee in the bell, and every change leaves an entry in the thread (and, like
every write, in the audit log). Each change is announced on the case's live channel, so open case pages reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import User
from jewelerp.core.roles import user_role_in_store
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields
from jewelerp.live import announce
from jewelerp.notifications import notify_staff
from jewelerp.validation import MAX_ID, MAX_TEXT, read_int, too_long
from modules.clienteling.models import CaseNote, ServiceCase
from modules.clienteling.services import get_customer

VIEW = "clienteling.case.view"
EDIT = "clienteling.case.edit"
ASSIGN = "clienteling.case.assign"

KINDS = (("complaint", "Complaint"), ("request", "Request"), ("enquiry", "Enquiry"), ("after-sales", "After-sales"))
CHANNELS = (
    ("walk-in", "Walk-in"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("whatsapp", "WhatsApp"),
    ("portal", "Portal"),
)
PRIORITIES = (("low", "Low"), ("normal", "Normal"), ("high", "High"), ("urgent", "Urgent"))
STATUSES = (("open", "Open"), ("waiting", "Waiting on customer"), ("resolved", "Resolved"), ("closed", "Closed"))
ACTIVE = ("open", "waiting")  # a case still being worked on; past its due date it is overdue

DUE_DAYS = {"urgent": 1, "high": 2, "normal": 5, "low": 10}
"""Days from opening to the due date a case gets unless one is typed, by priority.

A constant rather than a store setting: it is the business's service promise, the same in every branch, and the
person opening a case may type any other due date for that case. Make it a setting when a branch asks for its own.
"""

NEXT_STATUSES = {
    "open": ("waiting", "resolved"),
    "waiting": ("open", "resolved"),
    "resolved": ("open", "closed"),  # reopened when the fix did not hold; closed once the customer confirms
    "closed": (),  # final: a new matter is a new case
}
NUMBER_TRIES = 3


@dataclass
class CaseInput:
    """The form that opens a case, as typed."""

    kind: str
    channel: str
    priority: str
    subject: str
    due_on: str = ""
    assignee: str = ""
    note: str = ""


def label(choices: tuple[tuple[str, str], ...], value: str) -> str:
    """The label of ``value`` among ``choices`` (the value itself when unknown)."""
    return dict(choices).get(value, value)


def case_channel(case_id: int) -> str:
    """The live channel of one case: its open pages reload when it changes."""
    return f"clienteling.case:{case_id}"


def is_overdue(case: ServiceCase, today: date) -> bool:
    """A case is overdue when its due date has passed and it is neither resolved nor closed."""
    return case.status in ACTIVE and case.due_on < today


def default_due(priority: str, today: date) -> date:
    """The due date of a case of ``priority`` opened on ``today`` (:data:`DUE_DAYS`)."""
    return today + timedelta(days=DUE_DAYS[priority])


def get_case(session: Session, actor: Actor, case_id: int, permission: str = VIEW) -> ServiceCase:
    """The case of the actor's store, after the permission check; another store's case is not found."""
    actor.require(permission)
    case = session.get(ServiceCase, case_id) if read_int(case_id, 1, MAX_ID) else None
    if case is None or case.store_id != actor.store_id:
        raise NotFound("That case does not exist in this store.")
    return case


def _choice(raw: str, choices: tuple[tuple[str, str], ...], key: str, what: str, errors: dict[str, str]) -> str:
    value = str(raw or "").strip().lower()
    if value not in dict(choices):
        errors[key] = f"Choose the {what}."
    return value


def staff_member(session: Session, store_id: int, user_id: int | None) -> User | None:
    """The active user ``user_id`` when they hold a role in the store; None otherwise."""
    user = session.get(User, user_id) if user_id else None
    if user is None or not user.active or user_role_in_store(session, user.id, store_id) is None:
        return None
    return user


def _read_due(raw: str, priority: str, today: date, errors: dict[str, str]) -> date | None:
    text = str(raw or "").strip()
    if not text:
        return default_due(priority, today) if priority in DUE_DAYS else None
    try:
        due = date.fromisoformat(text)
    except ValueError:
        errors["due_on"] = "Give the due date like 2026-12-24, or leave it empty."
        return None
    if due < today:
        errors["due_on"] = "A due date cannot be in the past."
    elif due > today + timedelta(days=366):
        errors["due_on"] = "Set a due date within a year."
    return due


def _note_text(raw: str, key: str, errors: dict[str, str], *, required: bool) -> str:
    text = str(raw or "").strip()
    if required and not text:
        errors[key] = "Write the note."
    elif len(text) > MAX_TEXT:
        errors[key] = f"Keep a note to {MAX_TEXT:,} characters."
    return text


def _next_seq(session: Session, store_id: int) -> int:
    return (session.scalar(select(func.max(ServiceCase.seq)).where(ServiceCase.store_id == store_id)) or 0) + 1


def insert_case(session: Session, store_code: str, **fields: Any) -> ServiceCase:
    """Insert a case of ``fields`` with the store's next number; two cases opened at once get two numbers."""
    for attempt in range(NUMBER_TRIES):
        seq = _next_seq(session, fields["store_id"])
        case = ServiceCase(seq=seq, number=f"CS-{store_code}-{seq:06d}", **fields)
        try:
            with session.begin_nested():
                session.add(case)
        except IntegrityError:  # another transaction took the number first: take the next one
            if attempt == NUMBER_TRIES - 1:
                raise
        else:
            return case
    raise AssertionError("unreachable: the last try returns or raises")


def add_thread_entry(session: Session, case: ServiceCase, note: CaseNote) -> CaseNote:
    """Append ``note`` to the case's thread, mark the case changed and announce it."""
    note.case_id = case.id
    case.updated_at = utcnow()
    session.add_all([note, case])
    session.flush()
    announce(session, case_channel(case.id))
    return note


def _change(session: Session, actor: Actor, case: ServiceCase, text: str) -> None:
    add_thread_entry(
        session, case, CaseNote(kind="change", author_id=actor.user_id, author_name=actor.user_name, text=text)
    )


def _notify_assignee(session: Session, actor: Actor, case: ServiceCase) -> None:
    if case.assigned_user_id and case.assigned_user_id != actor.user_id:
        notify_staff(
            session,
            case.store_id,
            user_ids=[case.assigned_user_id],
            title=f"Case {case.number} assigned to you by {actor.user_name}",
            body=case.subject,
            link=f"/clienteling/cases/{case.id}",
        )


def open_case(session: Session, actor: Actor, customer_id: int, data: CaseInput) -> ServiceCase:
    """Open a case on a customer in the actor's store.

    Without ``clienteling.case.assign`` the case is the opener's own; a manager may give it to any member of the
    store's staff (notified) or leave it in the store's queue. A first note (internal) may come with it.
    """
    actor.require(EDIT)
    customer = get_customer(session, actor, customer_id)
    errors: dict[str, str] = {}
    kind = _choice(data.kind, KINDS, "kind", "kind of case", errors)
    channel = _choice(data.channel, CHANNELS, "channel", "channel the customer used", errors)
    priority = _choice(data.priority, PRIORITIES, "priority", "priority", errors)
    subject = " ".join(str(data.subject or "").split())
    if not subject:
        errors["subject"] = "Say in a few words what the case is about."
    elif message := too_long(ServiceCase, "subject", subject, "The subject"):
        errors["subject"] = message
    due = _read_due(data.due_on, priority, actor.today(), errors)
    assignee = actor.user_id
    if actor.can(ASSIGN):
        typed = str(data.assignee or "").strip()
        assignee = read_int(typed, 1, MAX_ID) if typed else None
        if typed and staff_member(session, actor.store_id, assignee) is None:
            errors["assignee"] = "Choose an active member of staff of this store."
    note = _note_text(data.note, "note", errors, required=False)
    require_fields(errors)
    case = insert_case(
        session,
        actor.store_code,
        store_id=actor.store_id,
        customer_id=customer.id,
        kind=kind,
        channel=channel,
        priority=priority,
        subject=subject,
        due_on=due,
        assigned_user_id=assignee,
        opened_by=actor.user_id,
    )
    given = staff_member(session, actor.store_id, assignee) if assignee != actor.user_id else None
    _change(session, actor, case, f"{actor.user_name} opened the case" + (f" for {given.name}." if given else "."))
    if note:
        add_thread_entry(
            session, case, CaseNote(kind="staff", author_id=actor.user_id, author_name=actor.user_name, text=note)
        )
    _notify_assignee(session, actor, case)
    return case


def add_note(session: Session, actor: Actor, case_id: int, text: str, *, internal: bool = True) -> CaseNote:
    """Add a note to the thread: ``internal`` for staff only, otherwise shown to the customer."""
    actor.require(EDIT)
    case = get_case(session, actor, case_id, EDIT)
    if case.status == "closed":
        raise JewelError(f"Case {case.number} is closed; open a new case for a new matter.")
    errors: dict[str, str] = {}
    text = _note_text(text, "note", errors, required=True)
    require_fields(errors)
    note = CaseNote(kind="staff", author_id=actor.user_id, author_name=actor.user_name, internal=internal, text=text)
    return add_thread_entry(session, case, note)


def set_status(session: Session, actor: Actor, case_id: int, status: str) -> ServiceCase:
    """Move the case along :data:`NEXT_STATUSES`; the thread says who moved it from what to what."""
    actor.require(EDIT)
    case = get_case(session, actor, case_id, EDIT)
    wanted = str(status or "").strip().lower()
    if wanted not in dict(STATUSES):
        raise ValidationError({"status": "Choose a status."})
    if wanted == case.status:
        raise JewelError(f"Case {case.number} is already {label(STATUSES, wanted).lower()}.")
    if not NEXT_STATUSES[case.status]:
        raise JewelError(f"Case {case.number} is closed; open a new case for a new matter.")
    if wanted not in NEXT_STATUSES[case.status]:
        allowed = " or ".join(label(STATUSES, s).lower() for s in NEXT_STATUSES[case.status])
        raise JewelError(f"A {label(STATUSES, case.status).lower()} case can only become {allowed}.")
    before, case.status = case.status, wanted
    if wanted in ACTIVE:
        case.resolved_at = None
    elif case.resolved_at is None:
        case.resolved_at = utcnow()
    _change(
        session,
        actor,
        case,
        f"{actor.user_name} changed the status from {label(STATUSES, before)} to {label(STATUSES, wanted)}.",
    )
    return case


def assign_case(session: Session, actor: Actor, case_id: int, user_id: int | None) -> ServiceCase:
    """Give the case to a member of the store's staff (managers), or back to the queue (``None``).

    An assignee without ``clienteling.case.assign`` may only hand their own case back to the queue; the store's
    managers are told so someone picks it up. The new assignee is notified; the thread says who moved it from whom.
    """
    actor.require(EDIT)
    case = get_case(session, actor, case_id, EDIT)
    if case.status == "closed":
        raise JewelError(f"Case {case.number} is closed.")
    handing_back = user_id is None and case.assigned_user_id == actor.user_id
    if not handing_back:
        actor.require(ASSIGN)
    target = staff_member(session, actor.store_id, user_id) if user_id is not None else None
    if user_id is not None and target is None:
        raise ValidationError({"assignee": "Choose an active member of staff of this store."})
    if case.assigned_user_id == (target.id if target else None):
        raise JewelError("The case is already with them." if target else "The case is already in the queue.")
    before = session.get(User, case.assigned_user_id) if case.assigned_user_id else None
    case.assigned_user_id = target.id if target else None
    was = before.name if before else "the store's queue"
    now = target.name if target else "the store's queue"
    verb = "assigned the case to" if before is None else f"moved the case from {was} to"
    _change(session, actor, case, f"{actor.user_name} {verb} {now}.")
    if target is not None:
        _notify_assignee(session, actor, case)
    else:
        notify_staff(
            session,
            case.store_id,
            role="manager",
            title=f"Case {case.number} is back in the queue",
            body=f"{actor.user_name} handed it back: {case.subject}",
            link=f"/clienteling/cases/{case.id}",
        )
    return case


def customer_case_rows(session: Session, actor: Actor, customer_id: int) -> list[dict[str, str]]:
    """The customer's cases in the actor's store, newest first, as the 360 page lists them."""
    actor.require(VIEW)
    customer = get_customer(session, actor, customer_id)
    today = actor.today()
    rows = session.execute(
        select(ServiceCase, User.name)
        .join(User, User.id == ServiceCase.assigned_user_id, isouter=True)
        .where(ServiceCase.customer_id == customer.id, ServiceCase.store_id == actor.store_id)
        .order_by(ServiceCase.id.desc())
        .limit(50)
    )
    return [
        {
            "id": str(case.id),
            "number": case.number,
            "subject": case.subject,
            "kind": label(KINDS, case.kind),
            "status": "Overdue" if is_overdue(case, today) else label(STATUSES, case.status),
            "due": case.due_on.strftime("%d %b %Y"),
            "assignee": assignee or "Queue",
        }
        for case, assignee in rows
    ]
