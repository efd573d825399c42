"""Communication history, follow-up tasks and who looks after which customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import User
from jewelerp.core.roles import user_role_in_store
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, require_fields
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from modules.clienteling.models import Customer, FollowUp, Interaction
from modules.clienteling.services import get_customer

INTERACTION_CHANNELS = ("call", "visit", "whatsapp", "sms", "email")
OUTCOMES = ("interested", "purchased", "not interested", "no answer", "call back", "information")


@dataclass
class InteractionInput:
    """A call, visit or message as logged at the counter."""

    channel: str
    outcome: str = ""
    summary: str = ""
    follow_up_on: str = ""
    follow_up_reason: str = ""


def log_interaction(session: Session, actor: Actor, customer_id: int, data: InteractionInput) -> Interaction:
    """Record what happened; a follow-up date creates a task for the customer's salesperson (or the logger)."""
    actor.require("clienteling.interaction.log")
    customer = get_customer(session, actor, customer_id)
    errors: dict[str, str] = {}
    channel = data.channel.strip().lower()
    if channel not in INTERACTION_CHANNELS:
        errors["channel"] = f"Channel is one of {', '.join(INTERACTION_CHANNELS)}."
    outcome = data.outcome.strip().lower()
    if outcome and outcome not in OUTCOMES:
        errors["outcome"] = f"Outcome is one of {', '.join(OUTCOMES)}."
    follow_up_on = None
    if data.follow_up_on.strip():
        try:
            follow_up_on = date.fromisoformat(data.follow_up_on.strip())
        except ValueError:
            errors["follow_up_on"] = "Give the follow-up date like 2026-12-24."
        else:
            if follow_up_on < actor.local(utcnow()).date():
                errors["follow_up_on"] = "A follow-up date cannot be in the past."
    require_fields(errors)
    follow_up = None
    if follow_up_on:
        reason = " ".join(data.follow_up_reason.split()) or f"Follow up on the {channel}: {data.summary.strip()[:120]}"
        follow_up = FollowUp(
            customer_id=customer.id,
            store_id=actor.store_id,
            due_on=follow_up_on,
            reason=reason,
            source="interaction",
            assigned_user_id=customer.assigned_user_id or actor.user_id,
            created_by=actor.user_id,
        )
        session.add(follow_up)
        session.flush()
    interaction = Interaction(
        customer_id=customer.id,
        store_id=actor.store_id,
        user_id=actor.user_id,
        user_name=actor.user_name,
        channel=channel,
        outcome=outcome,
        summary=data.summary.strip(),
        follow_up_id=follow_up.id if follow_up else None,
    )
    session.add(interaction)
    session.flush()
    return interaction


def _staff_in_store(session: Session, actor: Actor, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active or user_role_in_store(session, user_id, actor.store_id) is None:
        raise JewelError("Choose an active member of staff of this store.")
    return user


def assign_customer(session: Session, actor: Actor, customer_id: int, user_id: int | None) -> Customer:
    """A manager gives a customer to a salesperson (or takes them off anyone's list)."""
    actor.require("clienteling.customer.assign")
    customer = get_customer(session, actor, customer_id)
    customer.assigned_user_id = _staff_in_store(session, actor, user_id).id if user_id else None
    session.add(customer)
    session.flush()
    return customer


def assign_follow_up(session: Session, actor: Actor, follow_up_id: int, user_id: int) -> FollowUp:
    """A manager hands a follow-up to someone else in the store."""
    actor.require("clienteling.customer.assign")
    follow_up = _follow_up(session, actor, follow_up_id)
    follow_up.assigned_user_id = _staff_in_store(session, actor, user_id).id
    session.add(follow_up)
    session.flush()
    return follow_up


def complete_follow_up(session: Session, actor: Actor, follow_up_id: int, outcome: str) -> FollowUp:
    """Mark a follow-up done with what came of it (its owner or a manager)."""
    actor.require("clienteling.interaction.log")
    follow_up = _follow_up(session, actor, follow_up_id)
    if follow_up.assigned_user_id not in (None, actor.user_id) and not actor.can("clienteling.customer.assign"):
        raise JewelError("This follow-up belongs to someone else.")
    if follow_up.done_at is not None:
        raise JewelError("This follow-up is already done.")
    follow_up.done_at, follow_up.done_by, follow_up.outcome = utcnow(), actor.user_id, outcome.strip()[:300]
    session.add(follow_up)
    session.flush()
    return follow_up


def add_follow_up(
    session: Session, actor: Actor, customer_id: int, due_on: date, reason: str, source: str, source_key: str | None
) -> FollowUp | None:
    """Create a follow-up unless one with ``source_key`` exists (so a job may run twice safely)."""
    if source_key and session.scalars(select(FollowUp.id).where(FollowUp.source_key == source_key)).first():
        return None
    customer = session.get(Customer, customer_id)
    follow_up = FollowUp(
        customer_id=customer_id,
        store_id=actor.store_id,
        due_on=due_on,
        reason=reason,
        source=source,
        source_key=source_key,
        assigned_user_id=customer.assigned_user_id if customer else None,
    )
    session.add(follow_up)
    session.flush()
    return follow_up


def _follow_up(session: Session, actor: Actor, follow_up_id: int) -> FollowUp:
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.store_id != actor.store_id:
        raise NotFound("That follow-up does not exist in this store.")
    return follow_up


def timeline(session: Session, actor: Actor, customer_id: int, limit: int = 50) -> list[dict[str, str]]:
    """The latest interactions with a customer, newest first."""
    customer = get_customer(session, actor, customer_id)
    rows = session.scalars(
        select(Interaction).where(Interaction.customer_id == customer.id).order_by(Interaction.at.desc()).limit(limit)
    )
    return [
        {
            "at": actor.local(i.at).strftime("%d %b %Y %H:%M"),
            "channel": i.channel,
            "outcome": i.outcome,
            "summary": i.summary,
            "who": i.user_name,
        }
        for i in rows
    ]


def _follow_ups_base(actor: Actor, q: TableQuery) -> Select:
    stmt = (
        select(FollowUp, Customer.name, User.name)
        .join(Customer, Customer.id == FollowUp.customer_id)
        .join(User, User.id == FollowUp.assigned_user_id, isouter=True)
        .where(FollowUp.store_id == actor.store_id)
    )
    whose = q.filters.get("whose", "")
    if whose != "all" or not actor.can("clienteling.customer.assign"):
        stmt = stmt.where(FollowUp.assigned_user_id == actor.user_id)
    state = q.filters.get("state", "")
    if state == "done":
        stmt = stmt.where(FollowUp.done_at.is_not(None))
    elif state != "any":
        stmt = stmt.where(FollowUp.done_at.is_(None))
    return stmt


def _follow_up_row(r: Any, actor: Actor) -> dict[str, Any]:
    follow_up, customer_name, owner = r
    today = actor.local(utcnow()).date()
    status = "done" if follow_up.done_at else ("overdue" if follow_up.due_on < today else "open")
    return {
        "id": str(follow_up.id),
        "due": follow_up.due_on,
        "customer": customer_name,
        "_link": f"/clienteling/customers/{follow_up.customer_id}",
        "reason": follow_up.reason,
        "owner": owner or "unassigned",
        "status": status,
        "source": follow_up.source,
    }


FOLLOW_UPS = TableSpec(
    name="follow-ups",
    title="Follow-ups",
    permission="clienteling.customer.view",
    columns=(
        Column("due", "Due", kind=Kind.DATE),
        Column("customer", "Customer"),
        Column("reason", "Reason", False, wrap=True),
        Column("owner", "Assigned to", False),
        Column("status", "Status", False),
        Column("source", "From", False),
    ),
    base=_follow_ups_base,
    row=_follow_up_row,
    sort_columns={"due": FollowUp.due_on, "customer": Customer.name},
    default_sort="due",
    filters=(
        Filter("state", "State", (("done", "Done"), ("any", "Open and done")), all_label="Open"),
        Filter("whose", "Whose", (("all", "Everyone's (managers)"),), all_label="Mine"),
    ),
    search_columns=(Customer.name, FollowUp.reason),
)
