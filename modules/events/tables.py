"""The events list: one page of the store's events with their places taken and waiting, newest start first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.db import utcnow
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from modules.events.models import Event, Registration
from modules.events.records import KIND_LABELS, KINDS, VIEW

WHEN = (("upcoming", "Upcoming"), ("past", "Past"))


def _count(status: str) -> Any:
    return (
        select(func.count(Registration.id))
        .where(Registration.event_id == Event.id, Registration.status == status)
        .correlate(Event)
        .scalar_subquery()
    )


def _base(actor: Actor, q: TableQuery) -> Select:
    stmt = select(Event, _count("confirmed"), _count("waiting")).where(Event.store_id == actor.store_id)
    if q.filters.get("kind") in KIND_LABELS:
        stmt = stmt.where(Event.kind == q.filters["kind"])
    if q.filters.get("when") == "upcoming":
        stmt = stmt.where(Event.ends_at >= utcnow())
    elif q.filters.get("when") == "past":
        stmt = stmt.where(Event.ends_at < utcnow())
    return stmt


def _row(r: Any, actor: Actor) -> dict[str, Any]:
    event, confirmed, waiting = r
    return {
        "id": str(event.id),
        "title": event.title,
        "_link": f"/events/{event.id}",
        "kind": KIND_LABELS.get(event.kind, event.kind),
        "starts": actor.local(event.starts_at),
        "where": event.place or "Online",
        "places": f"{confirmed} of {event.capacity}",
        "waiting": waiting,
        "registration": "Cancelled" if event.cancelled_at else ("Open" if event.registration_open else "Closed"),
    }


EVENTS = TableSpec(
    name="events",
    title="Events",
    permission=VIEW,
    columns=(
        Column("title", "Event"),
        Column("kind", "Kind"),
        Column("starts", "Starts", kind=Kind.DATETIME),
        Column("where", "Where", False),
        Column("places", "Places taken", False),
        Column("waiting", "Waiting", False, kind=Kind.INTEGER),
        Column("registration", "Registration", False),
    ),
    base=_base,
    row=_row,
    sort_columns={"title": Event.title, "kind": Event.kind, "starts": Event.starts_at},
    default_sort="starts",
    newest_first=True,
    filters=(Filter("when", "Dates", WHEN, all_label="Any date"), Filter("kind", "Kinds", KINDS)),
    search_columns=(Event.title, Event.place),
)
