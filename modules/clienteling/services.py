"""Customer rules: validation, phone numbers in E.164, duplicates, masking, list and card."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import phonenumbers
from sqlalchemy import Select, func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.core.settings import get_setting
from jewelerp.dashboard import CardValue
from jewelerp.db import utcnow
from jewelerp.errors import require_fields
from jewelerp.ui.table_query import STORE_SCOPE, Column, TableQuery, TableSpec, store_scoped
from modules.clienteling.models import Customer

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class CustomerInput:
    """What staff type into the customer form (dates as YYYY-MM-DD or empty)."""

    name: str
    phone: str = ""
    email: str = ""
    date_of_birth: str = ""
    anniversary: str = ""
    tags: str = ""
    notes: str = ""


def normalize_phone(raw: str, region: str = "IN") -> str:
    """The number in E.164 (``+919820012345``); ValueError when it is not a real number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_date(raw: str, label: str, errors: dict[str, str], key: str) -> date | None:
    if not raw.strip():
        return None
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        errors[key] = f"{label} must be a date like 1990-04-23."
        return None
    if value > date.today():
        errors[key] = f"{label} cannot be in the future."
    return value


def _clean_tags(raw: str) -> str:
    return ", ".join(dict.fromkeys(t.strip().lower() for t in raw.split(",") if t.strip()))


def create_customer(session: Session, actor: Actor, data: CustomerInput) -> Customer:
    """Add a customer to the actor's store after validation and a duplicate check."""
    actor.require("clienteling.customer.edit")
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = "Enter the customer's name."
    phone = ""
    if data.phone.strip():
        try:
            phone = normalize_phone(data.phone, get_setting(session, actor.store_id, "clienteling.default_country"))
        except ValueError:
            errors["phone"] = "This is not a valid phone number; include the country code if it is not Indian."
    email = data.email.strip().lower()
    if email and not EMAIL_RE.match(email):
        errors["email"] = "Enter an email address like name@example.com."
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors["phone"] = "Give a phone number or an email so the store can reach the customer."
    dob = _parse_date(data.date_of_birth, "Date of birth", errors, "date_of_birth")
    anniversary = _parse_date(data.anniversary, "Anniversary", errors, "anniversary")
    for key, value in (("phone", phone), ("email", email)):
        if value and key not in errors:
            existing = session.scalars(select(Customer).where(getattr(Customer, key) == value)).first()
            if existing:
                errors[key] = f"{existing.name} (customer #{existing.id}) already has this {key}."
    require_fields(errors)
    customer = Customer(
        store_id=actor.store_id,
        name=name,
        phone=phone,
        email=email,
        date_of_birth=dob,
        anniversary=anniversary,
        tags=_clean_tags(data.tags),
        notes=data.notes.strip(),
    )
    session.add(customer)
    session.flush()
    return customer


def mask_phone(phone: str) -> str:
    """``+919820012345`` -> ``+91 •••••• 2345``."""
    if len(phone) < 6:
        return "•" * len(phone)
    return f"{phone[:3]} •••••• {phone[-4:]}"


def mask_email(email: str) -> str:
    """``priya.shah@gmail.com`` -> ``p•••@gmail.com``."""
    user, _, domain = email.partition("@")
    return f"{user[:1]}•••@{domain}" if domain else ""


def display_phone(phone: str) -> str:
    """E.164 shown the way people write it (``+91 98200 12345``)."""
    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _customers_base(actor: Actor, q: TableQuery) -> Select:
    stmt = select(Customer, Store.code).join(Store, Store.id == Customer.store_id)
    return store_scoped(stmt, Customer.store_id, actor, q)


def _phone_search(text: str) -> list[Any]:
    """A phone typed in any format (``98200-12345``, ``+91 98200 12345``) matches by its digits."""
    digits = re.sub(r"\D", "", text)
    return [Customer.phone.like(f"%{digits[-10:]}%")] if len(digits) >= 4 else []


def _customer_row(r: Any, actor: Actor) -> dict[str, str]:
    customer, code = r
    pii = actor.can("clienteling.customer.pii")
    phone = display_phone(customer.phone) if pii else mask_phone(customer.phone)
    return {
        "id": str(customer.id),
        "name": customer.name,
        "phone": phone,
        "email": customer.email if pii else mask_email(customer.email),
        "tags": customer.tags,
        "store": code,
        "since": actor.local(customer.created_at).strftime("%d %b %Y"),
    }


CUSTOMERS = TableSpec(
    name="customers",
    title="Customers",
    permission="clienteling.customer.view",
    columns=(
        Column("name", "Name"),
        Column("phone", "Phone", False),
        Column("email", "Email", False),
        Column("tags", "Tags", False),
        Column("store", "Home store", False),
        Column("since", "Customer since"),
    ),
    base=_customers_base,
    row=_customer_row,
    sort_columns={"name": Customer.name, "since": Customer.id},
    default_sort="name",
    filters=(STORE_SCOPE,),
    search_columns=(Customer.name, Customer.email, Customer.tags),
    extra_search=_phone_search,
)


def customers_card(session: Session, actor: Actor) -> CardValue:
    """Dashboard card: customers of this store and how many joined in 30 days."""
    in_store = Customer.store_id == actor.store_id
    total = session.execute(select(func.count()).where(in_store)).scalar_one()
    recent = session.execute(
        select(func.count()).where(in_store, Customer.created_at >= utcnow() - timedelta(days=30))
    ).scalar_one()
    return CardValue(f"{total:,}", f"{recent} new in the last 30 days", "/clienteling/customers")
