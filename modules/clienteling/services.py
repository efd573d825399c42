"""Customer profiles: validation, E.164 phones, duplicates, consent times, masking, views."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import phonenumbers
from sqlalchemy import or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.audit import record_view
from jewelerp.core.settings import get_setting
from jewelerp.db import read_session, utcnow
from jewelerp.errors import NotFound, ValidationError, require_fields
from jewelerp.money import format_inr
from jewelerp.validation import check_lengths
from modules.clienteling.models import Customer
from modules.clienteling.parsing import normalize_phone, parse_date, parse_int, parse_list, parse_phone, parse_rupees
from modules.clienteling.sizes import BANGLE_SIZES, us_ring_size

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
GENDERS = ("female", "male", "other")
METALS = ("gold", "white gold", "rose gold", "platinum", "silver")
CHANNELS = ("email", "sms", "whatsapp")
PII = "clienteling.customer.pii"
PII_FIELDS = ("phone", "alt_phone", "email", "address", "date_of_birth", "anniversary")
LABELS = {"pref_metals": "Preferred metals", "pref_stones": "Preferred stones", "pref_styles": "Preferred styles"}


@dataclass
class CustomerInput:
    """What staff type into the customer form; everything is text as typed."""

    name: str
    phone: str = ""
    alt_phone: str = ""
    email: str = ""
    address: str = ""
    gender: str = ""
    date_of_birth: str = ""
    anniversary: str = ""
    tags: str = ""
    notes: str = ""
    pref_metals: str = ""
    pref_stones: str = ""
    pref_styles: str = ""
    price_min: str = ""
    price_max: str = ""
    ring_size_in: str = ""
    bangle_size: str = ""
    chain_length_in: str = ""
    necklace_length_in: str = ""
    consent_email: bool = False
    consent_sms: bool = False
    consent_whatsapp: bool = False

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> CustomerInput:
        """Build from a submitted form (checkboxes are present only when ticked)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.type == "bool":
                values[f.name] = bool(form.get(f.name))
            else:
                values[f.name] = str(form.get(f.name, "") or "")
        return cls(**values)


class DuplicateCustomer(ValidationError):
    """The phone or email belongs to an existing customer; ``existing`` names them."""

    def __init__(self, fields: dict[str, str], existing: Customer):
        super().__init__(fields)
        self.existing_id = existing.id
        self.existing_name = existing.name


def clean_customer(session: Session, store_id: int, data: CustomerInput) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate every field; returns the column values and the field errors."""
    errors: dict[str, str] = {}
    region = get_setting(session, store_id, "clienteling.default_country")
    values: dict[str, Any] = {
        "name": " ".join(data.name.split()),
        "phone": parse_phone(data.phone, region, errors, "phone"),
        "alt_phone": parse_phone(data.alt_phone, region, errors, "alt_phone"),
        "email": data.email.strip().lower(),
        "address": data.address.strip(),
        "gender": data.gender.strip().lower(),
        "date_of_birth": parse_date(data.date_of_birth, "Date of birth", errors, "date_of_birth"),
        "anniversary": parse_date(data.anniversary, "Anniversary", errors, "anniversary"),
        "tags": parse_list(data.tags),
        "notes": data.notes.strip(),
        "pref_metals": parse_list(data.pref_metals),
        "pref_stones": parse_list(data.pref_stones),
        "pref_styles": parse_list(data.pref_styles),
        "price_min": parse_rupees(data.price_min, "Lowest price", errors, "price_min"),
        "price_max": parse_rupees(data.price_max, "Highest price", errors, "price_max"),
        "ring_size_in": parse_int(data.ring_size_in, "Ring size (Indian)", 1, 35, errors, "ring_size_in"),
        "bangle_size": data.bangle_size.strip(),
        "chain_length_in": parse_int(data.chain_length_in, "Chain length", 10, 40, errors, "chain_length_in"),
        "necklace_length_in": parse_int(
            data.necklace_length_in, "Necklace length", 10, 40, errors, "necklace_length_in"
        ),
    }
    check_lengths(Customer, values, errors, LABELS)
    if not values["name"]:
        errors["name"] = "Enter the customer's name."
    if values["email"] and "email" not in errors and not EMAIL_RE.match(values["email"]):
        errors["email"] = "Enter an email address like name@example.com."
    if not values["phone"] and not values["email"] and not {"phone", "email"} & errors.keys():
        errors["phone"] = "Give a phone number or an email so the store can reach the customer."
    if values["gender"] and values["gender"] not in GENDERS:
        errors["gender"] = "Choose female, male or other (or leave it empty)."
    if values["bangle_size"] and values["bangle_size"] not in BANGLE_SIZES:
        errors["bangle_size"] = f"Bangle size is one of {', '.join(BANGLE_SIZES)}."
    low, high = values["price_min"], values["price_max"]
    if low is not None and high is not None and low > high:
        errors["price_max"] = "The highest price must not be below the lowest."
    for key in ("date_of_birth", "anniversary"):
        moment: date | None = values[key]
        prefix = "birth" if key == "date_of_birth" else "anniversary"
        values[f"{prefix}_month"] = moment.month if moment else None
        values[f"{prefix}_day"] = moment.day if moment else None
    return values, errors


def find_duplicate(session: Session, phone: str, email: str, exclude_id: int | None = None) -> Customer | None:
    """An active customer sharing the phone (either number) or the email."""
    clauses = []
    if phone:
        clauses += [Customer.phone == phone, Customer.alt_phone == phone]
    if email:
        clauses.append(Customer.email == email)
    if not clauses:
        return None
    stmt = select(Customer).where(or_(*clauses), Customer.merged_into_id.is_(None))
    if exclude_id:
        stmt = stmt.where(Customer.id != exclude_id)
    return session.scalars(stmt.limit(1)).first()


def _apply_consent(customer: Customer, data: CustomerInput) -> None:
    now = utcnow()
    for channel in CHANNELS:
        wanted = getattr(data, f"consent_{channel}")
        if wanted != getattr(customer, f"consent_{channel}") or getattr(customer, f"consent_{channel}_at") is None:
            if wanted or getattr(customer, f"consent_{channel}_at") is not None:
                setattr(customer, f"consent_{channel}_at", now)  # when given or withdrawn
            setattr(customer, f"consent_{channel}", wanted)


def _duplicate_error(existing: Customer, values: dict[str, Any]) -> DuplicateCustomer:
    key = "email" if values["email"] and existing.email == values["email"] else "phone"
    return DuplicateCustomer({key: f"{existing.name} (customer #{existing.id}) already has this {key}."}, existing)


def create_customer(session: Session, actor: Actor, data: CustomerInput, allow_duplicate: bool = False) -> Customer:
    """Add a customer to the actor's store; a shared phone or email warns unless allowed."""
    actor.require("clienteling.customer.edit")
    values, errors = clean_customer(session, actor.store_id, data)
    require_fields(errors)
    existing = find_duplicate(session, values["phone"], values["email"])
    if existing and not allow_duplicate:
        raise _duplicate_error(existing, values)
    customer = Customer(store_id=actor.store_id, **values)
    _apply_consent(customer, data)
    session.add(customer)
    session.flush()
    return customer


def update_customer(session: Session, actor: Actor, customer_id: int, data: CustomerInput) -> Customer:
    """Edit a profile. Without the PII permission the masked contact fields keep their values."""
    actor.require("clienteling.customer.edit")
    customer = get_customer(session, actor, customer_id)
    values, errors = clean_customer(session, customer.store_id, data)
    if not actor.can(PII):
        for key in PII_FIELDS:  # the form showed masks; nothing typed there may overwrite the truth
            values[key] = getattr(customer, key)
            errors.pop(key, None)
        for prefix, source in (("birth", customer.date_of_birth), ("anniversary", customer.anniversary)):
            values[f"{prefix}_month"] = source.month if source else None
            values[f"{prefix}_day"] = source.day if source else None
    require_fields(errors)
    for key, value in values.items():
        setattr(customer, key, value)
    _apply_consent(customer, data)
    session.add(customer)
    session.flush()
    return customer


def get_customer(session: Session, actor: Actor, customer_id: int) -> Customer:
    """The customer, or NotFound; a merged customer leads to the one they were merged into."""
    actor.require("clienteling.customer.view")
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("That customer does not exist.")
    if customer.merged_into_id:
        return get_customer(session, actor, customer.merged_into_id)
    return customer


def searched_phone(actor: Actor, typed: str) -> str:
    """The whole phone number a search names, in E.164 the way profiles store it (national numbers in
    the store's default country), or "" when the text is not one complete number.

    Lists let a person without :data:`PII` find a customer only by a whole number, never by a part.
    """
    if sum(ch.isdigit() for ch in typed) < 6:
        return ""
    with read_session() as session:
        region = get_setting(session, actor.store_id, "clienteling.default_country")
    try:
        return normalize_phone(typed, region)
    except ValueError:
        return ""


def mask_phone(phone: str) -> str:
    """``+919820012345`` -> ``+91 •••••• 2345``."""
    if not phone:
        return ""
    return f"{phone[:3]} •••••• {phone[-4:]}" if len(phone) >= 6 else "•" * len(phone)


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


def shown_phone(actor: Actor, phone: str) -> str:
    """A phone as this actor may see it: written out with :data:`PII`, masked to its last 4 digits without."""
    if not phone:
        return ""
    return display_phone(phone) if actor.can(PII) else mask_phone(phone)


def contact_view(customer: Customer, actor: Actor) -> dict[str, str]:
    """Phones, email, address and dates as this actor may see them."""
    phones = {"phone": shown_phone(actor, customer.phone), "alt_phone": shown_phone(actor, customer.alt_phone)}
    if actor.can(PII):
        return phones | {
            "email": customer.email,
            "address": customer.address,
            "date_of_birth": customer.date_of_birth.isoformat() if customer.date_of_birth else "",
            "anniversary": customer.anniversary.isoformat() if customer.anniversary else "",
        }
    return phones | {
        "email": mask_email(customer.email),
        "address": "•••" if customer.address else "",
        "date_of_birth": f"••/{customer.birth_month:02d}" if customer.birth_month else "",
        "anniversary": f"••/{customer.anniversary_month:02d}" if customer.anniversary_month else "",
    }


def customer_profile(session: Session, actor: Actor, customer_id: int) -> dict[str, str]:
    """Every profile field as text for the 360 page; full contact details are logged as viewed."""
    customer = get_customer(session, actor, customer_id)
    if actor.can(PII):
        record_view(session, actor, Customer.__tablename__, str(customer.id))
    shown = {
        f.name: "" if getattr(customer, f.name) is None else str(getattr(customer, f.name))
        for f in fields(CustomerInput)
        if f.type != "bool"
    }
    shown |= contact_view(customer, actor)
    shown |= {
        "id": str(customer.id),
        "store_id": str(customer.store_id),
        "segment": customer.segment,
        "photo": customer.photo,
        "assigned_user_id": str(customer.assigned_user_id or ""),
        "ring_size_us": us_ring_size(customer.ring_size_in) if customer.ring_size_in else "",
        "consents": ", ".join(c for c in CHANNELS if getattr(customer, f"consent_{c}")) or "none",
        "spend_12m": format_inr(customer.spend_12m),
        "price_min": format_inr(customer.price_min) if customer.price_min is not None else "",
        "price_max": format_inr(customer.price_max) if customer.price_max is not None else "",
        "purchases_12m": str(customer.purchases_12m),
    }
    for channel in CHANNELS:
        shown[f"consent_{channel}"] = "on" if getattr(customer, f"consent_{channel}") else ""
        moment = getattr(customer, f"consent_{channel}_at")
        shown[f"consent_{channel}_at"] = actor.local(moment).strftime("%d %b %Y %H:%M") if moment else ""
    return shown
