"""The header search's customers: by name, by phone in any format, by customer number (``#42``); and service
cases by their number or its start (``CS-MUM-000012``).

A query with both letters and digits is a document number or a SKU, never a name or a phone, so customers
are not searched for it. A phone matches as the customer list matches it (:func:`customer_search`): part
of the number for people who may see contact details, only the whole number for the others.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.search import SearchHit, SearchQuery, in_store, numbered, unindexed
from modules.clienteling.cases import STATUSES, label
from modules.clienteling.models import Customer, ServiceCase
from modules.clienteling.services import shown_phone
from modules.clienteling.tables import customer_search

VIEW = "clienteling.customer.view"
CASE_VIEW = "clienteling.case.view"
MIN_TEXT = 3  # names and phones are matched from three characters (the trigram index's unit)


def find_customers(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Customers of the actor's store matching the query, by name."""
    actor.require(VIEW)
    clauses = []
    if query.record_id is not None:
        clauses.append(Customer.id == query.record_id)
    looks_like_a_code = any(ch.isalpha() for ch in query.text) and any(ch.isdigit() for ch in query.text)
    if len(query.text) >= MIN_TEXT and not looks_like_a_code:
        clauses.append(customer_search(actor, query.text))
    if not clauses:
        return []
    stmt = (
        select(Customer.id, Customer.name, Customer.phone)
        .where(in_store(Customer.store_id, actor.store_id), unindexed(Customer.merged_into_id).is_(None), or_(*clauses))
        .order_by(unindexed(Customer.name), Customer.id)  # sorted after the search's own index found them
        .limit(query.limit)
    )
    return [
        SearchHit(
            name, " · ".join(filter(None, [f"#{id_}", shown_phone(actor, phone)])), f"/clienteling/customers/{id_}"
        )
        for id_, name, phone in session.execute(stmt)
    ]


def find_cases(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Service cases of the actor's store by number."""
    actor.require(CASE_VIEW)
    if len(query.code) < MIN_TEXT:
        return []
    return numbered(
        session,
        actor,
        query,
        ServiceCase,
        "/clienteling/cases/{id}",
        lambda case: f"{label(STATUSES, case.status)} · {case.subject}",
    )
