"""Service cases as a customer sees them (for the customer portal, through :mod:`modules.clienteling.api`).

Every function is scoped to the customer id it is given, which the caller (the portal) takes from the signed-in
customer, never from the browser. A case of another customer, or of nobody, is "not found". The customer sees the
notes staff marked as shown to the customer and their own replies, never internal notes or the change log.
A profile merged into another acts as the profile kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.core.models import Store
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, require_fields
from jewelerp.notifications import notify_staff
from jewelerp.validation import MAX_ID, MAX_TEXT, read_int, too_long
from modules.clienteling.cases import (
    KINDS,
    STATUSES,
    add_thread_entry,
    default_due,
    insert_case,
    label,
    staff_member,
)
from modules.clienteling.models import CaseNote, Customer, ServiceCase


@dataclass(frozen=True)
class PublicNote:
    """One entry of a case's thread the customer may read: ``mine`` when the customer wrote it."""

    at: datetime
    author: str
    text: str
    mine: bool


@dataclass(frozen=True)
class PublicCase:
    """A case as the customer sees it: number, what it is about, its status and the shared notes, oldest first."""

    id: int
    number: str
    kind: str
    subject: str
    status: str
    opened_at: datetime
    notes: tuple[PublicNote, ...]


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id) if read_int(customer_id, 1, MAX_ID) else None
    for _hop in range(10):  # a merged profile acts as the one kept
        if customer is None or not customer.merged_into_id:
            break
        customer = session.get(Customer, customer.merged_into_id)
    if customer is None or customer.merged_into_id:
        raise NotFound("That customer does not exist.")
    return customer


def _public(session: Session, case: ServiceCase) -> PublicCase:
    notes = session.scalars(
        select(CaseNote).where(CaseNote.case_id == case.id, CaseNote.internal.is_(False)).order_by(CaseNote.id)
    )
    return PublicCase(
        id=case.id,
        number=case.number,
        kind=label(KINDS, case.kind),
        subject=case.subject,
        status=label(STATUSES, case.status),
        opened_at=case.opened_at,
        notes=tuple(PublicNote(n.at, n.author_name, n.text, n.kind == "customer") for n in notes),
    )


def _text(raw: str, key: str, errors: dict[str, str]) -> str:
    text = str(raw or "").strip()
    if not text:
        errors[key] = "Write your message."
    elif len(text) > MAX_TEXT:
        errors[key] = f"Keep your message to {MAX_TEXT:,} characters."
    return text


def _tell_staff(session: Session, case: ServiceCase, title: str) -> None:
    """The assignee, or the store's managers for a case in the queue, hear of the customer's message."""
    who = {"user_ids": [case.assigned_user_id]} if case.assigned_user_id else {"role": "manager"}
    notify_staff(session, case.store_id, **who, title=title, body=case.subject, link=f"/clienteling/cases/{case.id}")


def open_customer_case(session: Session, customer_id: int, kind: str, subject: str, text: str) -> PublicCase:
    """Open a case from the portal in the customer's home store: normal priority, due as :data:`DUE_DAYS` says,
    with the customer's salesperson (when they still work there) or in the store's queue; staff are notified."""
    customer = _customer(session, customer_id)
    errors: dict[str, str] = {}
    kind = str(kind or "").strip().lower()
    if kind not in dict(KINDS):
        errors["kind"] = "Choose what kind of matter it is."
    subject = " ".join(str(subject or "").split())
    if not subject:
        errors["subject"] = "Say in a few words what it is about."
    elif message := too_long(ServiceCase, "subject", subject, "The subject"):
        errors["subject"] = message
    text = _text(text, "text", errors)
    require_fields(errors)
    store = session.get(Store, customer.store_id)
    today = utcnow().astimezone(ZoneInfo(store.time_zone)).date()
    case = insert_case(
        session,
        store.code,
        store_id=store.id,
        customer_id=customer.id,
        kind=kind,
        channel="portal",
        priority="normal",
        subject=subject,
        due_on=default_due("normal", today),
        assigned_user_id=staff.id if (staff := staff_member(session, store.id, customer.assigned_user_id)) else None,
    )
    note = CaseNote(kind="customer", author_name=customer.name, internal=False, text=text)
    add_thread_entry(session, case, note)
    _tell_staff(session, case, f"New case {case.number} from {customer.name} (portal)")
    return _public(session, case)


def customer_cases(session: Session, customer_id: int) -> list[PublicCase]:
    """The customer's cases in every store, newest first, each with its shared notes."""
    customer = _customer(session, customer_id)
    cases = session.scalars(
        select(ServiceCase).where(ServiceCase.customer_id == customer.id).order_by(ServiceCase.id.desc()).limit(100)
    )
    return [_public(session, case) for case in cases]


def add_customer_reply(session: Session, customer_id: int, case_id: int, text: str) -> PublicCase:
    """The customer's reply to their case: shown in the thread, staff notified; a case waiting on the customer or
    resolved is open again. A closed case takes no reply (the customer opens a new one)."""
    customer = _customer(session, customer_id)
    case = session.get(ServiceCase, case_id) if read_int(case_id, 1, MAX_ID) else None
    if case is None or case.customer_id != customer.id:
        raise NotFound("That case does not exist.")
    if case.status == "closed":
        raise JewelError(f"Case {case.number} is closed; open a new case if you need more help.")
    errors: dict[str, str] = {}
    text = _text(text, "text", errors)
    require_fields(errors)
    add_thread_entry(session, case, CaseNote(kind="customer", author_name=customer.name, internal=False, text=text))
    if case.status != "open":
        before, case.status, case.resolved_at = case.status, "open", None
        change = f"The customer replied; the case went from {label(STATUSES, before)} to Open."
        add_thread_entry(session, case, CaseNote(kind="change", author_name=customer.name, text=change))
    _tell_staff(session, case, f"{customer.name} replied on case {case.number}")
    return _public(session, case)
