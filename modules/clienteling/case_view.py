"""What the case page shows: a case's details and its thread, in the store's time zone."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import User
from modules.clienteling.cases import CHANNELS, KINDS, PRIORITIES, STATUSES, get_case, is_overdue, label
from modules.clienteling.models import CaseNote, Customer


def case_details(session: Session, actor: Actor, case_id: int) -> dict[str, str]:
    """What the case page shows of a case (times in the store's zone), after the permission check."""
    case = get_case(session, actor, case_id)
    customer = session.get(Customer, case.customer_id)
    people = [case.assigned_user_id, case.opened_by]
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(people))).all())
    return {
        "id": str(case.id),
        "number": case.number,
        "customer": customer.name if customer else "",
        "customer_link": f"/clienteling/customers/{case.customer_id}",
        "subject": case.subject,
        "kind": label(KINDS, case.kind),
        "channel": label(CHANNELS, case.channel),
        "priority": label(PRIORITIES, case.priority),
        "status": case.status,
        "status_label": label(STATUSES, case.status),
        "due": case.due_on.strftime("%d %b %Y"),
        "overdue": "Overdue" if is_overdue(case, actor.today()) else "",
        "assignee_id": str(case.assigned_user_id or ""),
        "assignee": names.get(case.assigned_user_id, "Nobody (in the store's queue)"),
        "opened": f"{actor.local(case.opened_at):%d %b %Y %H:%M} by {names.get(case.opened_by, 'the customer')}",
        "mine": "yes" if case.assigned_user_id and case.assigned_user_id == actor.user_id else "",
    }


def thread_rows(session: Session, actor: Actor, case_id: int) -> list[dict[str, str]]:
    """The case's thread, oldest first: who, when, what, and whether the customer sees it."""
    case = get_case(session, actor, case_id)
    notes = session.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id))
    return [
        {
            "id": str(n.id),
            "at": actor.local(n.at).strftime("%d %b %Y %H:%M"),
            "author": n.author_name or "System",
            "text": n.text,
            "kind": n.kind,
            "seen_by": "Internal" if n.internal else "Shown to the customer",
        }
        for n in notes
    ]
