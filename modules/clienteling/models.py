"""Clienteling tables (prefixed ``clienteling_``). Times are aware UTC; money in paise."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from jewelerp.db import Money, utcnow


class Customer(SQLModel, table=True):
    """A customer of the business, attached to a home store."""

    __tablename__ = "clienteling_customer"
    __table_args__ = (
        Index("ix_clienteling_customer_store_name", "store_id", "name"),
        Index("ix_clienteling_customer_birthday", "birth_month", "birth_day"),
        Index("ix_clienteling_customer_anniversary", "anniversary_month", "anniversary_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    name: str = Field(max_length=120, index=True)
    phone: str = Field(default="", max_length=20, index=True)
    alt_phone: str = Field(default="", max_length=20, index=True)
    email: str = Field(default="", max_length=254, index=True)
    address: str = Field(default="", max_length=500)
    gender: str = Field(default="", max_length=10)
    date_of_birth: date | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    anniversary: date | None = None
    anniversary_month: int | None = None
    anniversary_day: int | None = None
    photo: str = Field(default="", max_length=255)
    assigned_user_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    tags: str = Field(default="", max_length=500)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    pref_metals: str = Field(default="", max_length=200)
    pref_stones: str = Field(default="", max_length=200)
    pref_styles: str = Field(default="", max_length=200)
    price_min: Decimal | None = Field(default=None, sa_type=Money)
    price_max: Decimal | None = Field(default=None, sa_type=Money)
    ring_size_in: int | None = None
    bangle_size: str = Field(default="", max_length=10)
    chain_length_in: int | None = None
    necklace_length_in: int | None = None
    consent_email: bool = False
    consent_email_at: datetime | None = None
    consent_sms: bool = False
    consent_sms_at: datetime | None = None
    consent_whatsapp: bool = False
    consent_whatsapp_at: datetime | None = None
    segment: str = Field(default="new", max_length=10, index=True)
    purchases_12m: int = 0
    spend_12m: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    last_purchase_at: datetime | None = None
    merged_into_id: int | None = Field(default=None, foreign_key="clienteling_customer.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Relative(SQLModel, table=True):
    """Family or a gift recipient of a customer, with their own dates, sizes and tastes."""

    __tablename__ = "clienteling_relative"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="clienteling_customer.id", index=True)
    name: str = Field(max_length=120)
    relation: str = Field(max_length=20)
    date_of_birth: date | None = None
    anniversary: date | None = None
    ring_size_in: int | None = None
    pref_metals: str = Field(default="", max_length=200)
    pref_styles: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=500)


class Occasion(SQLModel, table=True):
    """A custom date to remember (a birthday or anniversary comes from the dates of birth)."""

    __tablename__ = "clienteling_occasion"
    __table_args__ = (Index("ix_clienteling_occasion_day", "month", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="clienteling_customer.id", index=True)
    relative_id: int | None = Field(default=None, foreign_key="clienteling_relative.id")
    label: str = Field(max_length=120)
    month: int
    day: int
    year: int | None = None


class FollowUp(SQLModel, table=True):
    """A task for a salesperson: call or meet a customer on a date."""

    __tablename__ = "clienteling_follow_up"
    __table_args__ = (Index("ix_clienteling_follow_up_open", "assigned_user_id", "done_at", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="clienteling_customer.id", index=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    assigned_user_id: int | None = Field(default=None, foreign_key="core_user.id")
    due_on: date
    reason: str = Field(max_length=300)
    source: str = Field(default="manual", max_length=20)
    source_key: str | None = Field(default=None, max_length=120, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="core_user.id")
    done_at: datetime | None = None
    done_by: int | None = Field(default=None, foreign_key="core_user.id")
    outcome: str = Field(default="", max_length=300)


class Interaction(SQLModel, table=True):
    """A call, visit, message or email with a customer."""

    __tablename__ = "clienteling_interaction"
    __table_args__ = (Index("ix_clienteling_interaction_customer_at", "customer_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="clienteling_customer.id")
    store_id: int = Field(foreign_key="core_store.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="core_user.id")
    user_name: str = Field(default="", max_length=120)
    at: datetime = Field(default_factory=utcnow)
    channel: str = Field(max_length=20)
    outcome: str = Field(default="", max_length=40)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    follow_up_id: int | None = Field(default=None, foreign_key="clienteling_follow_up.id")


class Wish(SQLModel, table=True):
    """Something the customer would like: free text, or a stock item by its reference."""

    __tablename__ = "clienteling_wish"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="clienteling_customer.id", index=True)
    text: str = Field(max_length=300)
    stock_ref: str = Field(default="", max_length=60)
    added_at: datetime = Field(default_factory=utcnow)
    added_by: int | None = Field(default=None, foreign_key="core_user.id")
    fulfilled_at: datetime | None = None


class Purchase(SQLModel, table=True):
    """A purchase reported by another module (billing), feeding the segments.

    ``at`` is the moment of the sale as reported; ``sold_on`` the store's date of its document (the invoice's
    date), NULL for purchases reported before it was kept (clienteling_0004): those are dated by ``at``.
    """

    __tablename__ = "clienteling_purchase"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="clienteling_customer.id", index=True)
    store_id: int = Field(foreign_key="core_store.id")
    ref: str = Field(max_length=60, unique=True)
    amount: Decimal = Field(sa_type=Money)
    at: datetime
    sold_on: date | None = None
    reversed_at: datetime | None = None


class ServiceCase(SQLModel, table=True):
    """A complaint, request, enquiry or after-sales case on a customer, numbered per store (``CS-MUM-000012``).

    ``seq`` is the store's running count (unique per store); ``number`` spells it with the store's code.
    ``assigned_user_id`` is the member of staff looking after it (NULL: waiting in the store's queue).
    """

    __tablename__ = "clienteling_case"
    __table_args__ = (
        UniqueConstraint("store_id", "seq", name="uq_clienteling_case_store_seq"),
        Index("ix_clienteling_case_queue", "store_id", "status", "due_on"),
        Index("ix_clienteling_case_assignee", "assigned_user_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id")
    customer_id: int = Field(foreign_key="clienteling_customer.id", index=True)
    seq: int
    number: str = Field(max_length=30, unique=True)
    kind: str = Field(max_length=12)
    channel: str = Field(max_length=12)
    priority: str = Field(max_length=8)
    subject: str = Field(max_length=200)
    status: str = Field(default="open", max_length=10)
    due_on: date
    assigned_user_id: int | None = Field(default=None, foreign_key="core_user.id")
    opened_by: int | None = Field(default=None, foreign_key="core_user.id")
    opened_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class CaseNote(SQLModel, table=True):
    """One entry of a case's thread: a staff note, a customer's reply, or what changed (``kind``).

    ``internal`` notes are for staff only; the others are shown to the customer (the portal).
    """

    __tablename__ = "clienteling_case_note"
    __table_args__ = (Index("ix_clienteling_case_note_case_at", "case_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="clienteling_case.id")
    at: datetime = Field(default_factory=utcnow)
    kind: str = Field(default="staff", max_length=10)  # staff | customer | change
    author_id: int | None = Field(default=None, foreign_key="core_user.id")
    author_name: str = Field(default="", max_length=120)
    internal: bool = True
    text: str = Field(sa_column=Column(Text, nullable=False))
