"""The customer list: search by name, any phone format, email and tags; filters; masking.

The search is built with the filters (:func:`customer_search`), because what it may match depends on
whether the viewer may see contact details.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import Store, User
from jewelerp.core.users import staff_options
from jewelerp.ui.table_query import STORE_SCOPE, Filter, TableQuery, TableSpec, store_scoped
from jewelerp.validation import MAX_ID, read_int
from modules.clienteling.models import Customer
from modules.clienteling.search_index import METAL_LIST, indexed_search
from modules.clienteling.segments import SEGMENTS
from modules.clienteling.services import METALS, PII, contact_view, searched_phone

MONTHS = tuple(
    (str(m), name)
    for m, name in enumerate(
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        start=1,
    )
)
BUDGETS = {
    "u50k": ("Under ₹50,000", Decimal(0), Decimal(50_000)),
    "50k-2l": ("₹50,000 – ₹2 lakh", Decimal(50_000), Decimal(200_000)),
    "2l-5l": ("₹2 – 5 lakh", Decimal(200_000), Decimal(500_000)),
    "5l+": ("Over ₹5 lakh", Decimal(500_000), None),
}


def _salesperson_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    staff = [(o["value"], o["label"]) for o in staff_options(session, actor, "clienteling.customer.view")]
    return [("mine", "My customers"), ("none", "Not assigned"), *staff]


def _in_budget(key: str) -> Any:
    _label, low, high = BUDGETS[key]
    overlaps = or_(Customer.price_max.is_(None), Customer.price_max >= low)
    if high is not None:
        overlaps = and_(overlaps, or_(Customer.price_min.is_(None), Customer.price_min < high))
    return and_(overlaps, or_(Customer.price_min.is_not(None), Customer.price_max.is_not(None)))


def _customers_base(actor: Actor, q: TableQuery) -> Select:
    stmt = (
        select(Customer, Store.code, User.name)
        .join(Store, Store.id == Customer.store_id)
        .join(User, User.id == Customer.assigned_user_id, isouter=True)
        .where(Customer.merged_into_id.is_(None))
    )
    stmt = store_scoped(stmt, Customer.store_id, actor, q)
    f = q.filters
    if f.get("segment"):
        stmt = stmt.where(Customer.segment == f["segment"])
    if f.get("salesperson") == "mine":
        stmt = stmt.where(Customer.assigned_user_id == actor.user_id)
    elif f.get("salesperson") == "none":
        stmt = stmt.where(Customer.assigned_user_id.is_(None))
    elif (salesperson := read_int(f.get("salesperson", ""), 1, MAX_ID)) is not None:
        stmt = stmt.where(Customer.assigned_user_id == salesperson)
    if f.get("metal") in METALS:
        stmt = stmt.where(METAL_LIST.like(f"%, {f['metal']},%"))
    if f.get("budget") in BUDGETS:
        stmt = stmt.where(_in_budget(f["budget"]))
    for key, column in (("birth_month", Customer.birth_month), ("anniversary_month", Customer.anniversary_month)):
        if (month := read_int(f.get(key, ""), 1, 12)) is not None:
            stmt = stmt.where(column == month)
    return stmt.where(customer_search(actor, q.search)) if q.search else stmt


def _partial_contacts(typed: str) -> list[Any]:
    """Part of an email, or part of a phone typed in any format (``98200-12345``) matched by its digits."""
    clauses = [func.lower(Customer.email).like(f"%{typed.lower()}%")]
    digits = re.sub(r"\D", "", typed)
    if len(digits) >= 4:
        like = f"%{digits[-10:]}%"
        clauses += [Customer.phone.like(like), Customer.alt_phone.like(like)]
    return clauses


def _whole_contacts(actor: Actor, typed: str) -> list[Any]:
    """The whole email (any case) or the whole phone number (any format), never a part of either."""
    clauses = [Customer.email == typed.strip().lower()]
    phone = searched_phone(actor, typed)
    if phone:
        clauses += [Customer.phone == phone, Customer.alt_phone == phone]
    return clauses


def customer_search(actor: Actor, typed: str) -> Any:
    """Customers matching the search: part of a name or tag, and the phone or email as this actor may search.

    With :data:`PII` a part of a phone or an email matches as well; without it only the whole value does,
    so the masked details cannot be read back by growing a partial match one character at a time.
    """
    contacts = actor.can(PII)
    indexed = indexed_search(typed, contacts=contacts)
    if indexed is not None:
        clauses = [indexed]
    else:
        like = f"%{typed.lower()}%"
        clauses = [func.lower(Customer.name).like(like), func.lower(Customer.tags).like(like)]
        clauses += _partial_contacts(typed) if contacts else []
    return or_(*clauses, *([] if contacts else _whole_contacts(actor, typed)))


def _customer_row(r: Any, actor: Actor) -> dict[str, Any]:
    customer, code, salesperson = r
    contact = contact_view(customer, actor)
    return {
        "id": str(customer.id),
        "name": customer.name,
        "_link": f"/clienteling/customers/{customer.id}",
        "phone": contact["phone"],
        "email": contact["email"],
        "segment": dict(SEGMENTS)[customer.segment],
        "salesperson": salesperson or "",
        "tags": customer.tags,
        "store": code,
        "since": actor.local(customer.created_at).date(),
    }


CUSTOMERS = TableSpec(
    name="customers",
    title="Customers",
    permission="clienteling.customer.view",
    columns=(
        Column("name", "Name"),
        Column("phone", "Phone", False),
        Column("email", "Email", False),
        Column("segment", "Segment"),
        Column("salesperson", "Salesperson", False),
        Column("tags", "Tags", False),
        Column("store", "Home store", False),
        Column("since", "Customer since", kind=Kind.DATE),
    ),
    base=_customers_base,
    row=_customer_row,
    sort_columns={"name": Customer.name, "since": Customer.id, "segment": Customer.segment},
    default_sort="name",
    filters=(
        Filter("segment", "Segments", SEGMENTS),
        Filter("salesperson", "Salespeople", options_loader=_salesperson_options),
        Filter("metal", "Metals", tuple((m, m.title()) for m in METALS)),
        Filter("budget", "Budgets", tuple((k, v[0]) for k, v in BUDGETS.items())),
        Filter("birth_month", "Birthday months", MONTHS, all_label="Any birthday"),
        Filter("anniversary_month", "Anniversary months", MONTHS, all_label="Any anniversary"),
        STORE_SCOPE,
    ),
)
