"""The case lists: "My cases" (assigned to the signed-in person) and the store's queue (managers), paged, sorted,
filtered and exported by the shared data table. Both show open and waiting cases unless a status is chosen, and
flag overdue ones (:func:`modules.clienteling.cases.is_overdue`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import User
from jewelerp.core.users import staff_options
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from jewelerp.validation import MAX_ID, read_int
from modules.clienteling.cases import ACTIVE, ASSIGN, CHANNELS, KINDS, PRIORITIES, STATUSES, VIEW, is_overdue, label
from modules.clienteling.models import Customer, ServiceCase

STATUS_FILTER = Filter("status", "Statuses", (*STATUSES, ("any", "Any status")), all_label="Open and waiting")
PRIORITY_FILTER = Filter("priority", "Priorities", PRIORITIES)
DUE_FILTER = Filter("due", "Due dates", (("overdue", "Overdue only"),), all_label="Any due date")


def _assignee_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    staff = [(o["value"], o["label"]) for o in staff_options(session, actor, VIEW)]
    return [("none", "In the queue (nobody)"), *staff]


def _base(actor: Actor, q: TableQuery) -> Select:
    stmt = (
        select(ServiceCase, Customer.name, User.name)
        .join(Customer, Customer.id == ServiceCase.customer_id)
        .join(User, User.id == ServiceCase.assigned_user_id, isouter=True)
        .where(ServiceCase.store_id == actor.store_id)
    )
    f = q.filters
    status = f.get("status", "")
    if status in dict(STATUSES):
        stmt = stmt.where(ServiceCase.status == status)
    elif status != "any":
        stmt = stmt.where(ServiceCase.status.in_(ACTIVE))
    if f.get("priority") in dict(PRIORITIES):
        stmt = stmt.where(ServiceCase.priority == f["priority"])
    if f.get("due") == "overdue":
        stmt = stmt.where(ServiceCase.status.in_(ACTIVE), ServiceCase.due_on < actor.today())
    return stmt


def _mine(actor: Actor, q: TableQuery) -> Select:
    return _base(actor, q).where(ServiceCase.assigned_user_id == actor.user_id)


def _queue(actor: Actor, q: TableQuery) -> Select:
    stmt = _base(actor, q)
    assignee = q.filters.get("assignee", "")
    if assignee == "none":
        stmt = stmt.where(ServiceCase.assigned_user_id.is_(None))
    elif (user_id := read_int(assignee, 1, MAX_ID)) is not None:
        stmt = stmt.where(ServiceCase.assigned_user_id == user_id)
    return stmt


def _row(r: Any, actor: Actor) -> dict[str, Any]:
    case, customer, assignee = r
    return {
        "id": str(case.id),
        "number": case.number,
        "_link": f"/clienteling/cases/{case.id}",
        "customer": customer,
        "subject": case.subject,
        "kind": label(KINDS, case.kind),
        "channel": label(CHANNELS, case.channel),
        "priority": label(PRIORITIES, case.priority),
        "status": label(STATUSES, case.status),
        "due": case.due_on,
        "overdue": "Overdue" if is_overdue(case, actor.today()) else "",
        "assignee": assignee or "Queue",
    }


COLUMNS = (
    Column("number", "Case"),
    Column("customer", "Customer"),
    Column("subject", "Subject", False, wrap=True),
    Column("due", "Due", kind=Kind.DATE),
    Column("overdue", "Overdue", False),
    Column("priority", "Priority", False),
    Column("status", "Status", False),
    Column("assignee", "Assigned to", False),
    Column("kind", "Kind", False),
    Column("channel", "Channel", False),
)


def _spec(name: str, title: str, permission: str, base: Any, *filters: Filter) -> TableSpec:
    """A case list: the same columns, sorts, search and filters, over the cases ``base`` picks."""
    return TableSpec(
        name=name,
        title=title,
        permission=permission,
        columns=COLUMNS,
        base=base,
        row=_row,
        sort_columns={"number": ServiceCase.seq, "customer": Customer.name, "due": ServiceCase.due_on},
        default_sort="due",
        filters=(STATUS_FILTER, PRIORITY_FILTER, DUE_FILTER, *filters),
        search_columns=(ServiceCase.number, ServiceCase.subject, Customer.name),
    )


MY_CASES = _spec("my-cases", "My cases", VIEW, _mine)
CASE_QUEUE = _spec(
    "case-queue",
    "Case queue",
    ASSIGN,
    _queue,
    Filter("assignee", "Assignees", options_loader=_assignee_options, all_label="Anyone"),
)
