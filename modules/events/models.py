"""Events tables (prefixed ``events_``). Times are aware UTC; tokens are random, 256 bits, URL-safe."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from jewelerp.db import utcnow


class Event(SQLModel, table=True):
    """A trunk show, bridal preview, webinar or other event of a store, with its public registration page."""

    __tablename__ = "events_event"
    __table_args__ = (Index("ix_events_event_store_start", "store_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    kind: str = Field(max_length=20)  # trunk_show | bridal_preview | webinar | other
    title: str = Field(max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    starts_at: datetime
    ends_at: datetime
    place: str = Field(default="", max_length=200)  # in-store events
    meeting_link: str = Field(default="", max_length=500)  # webinars: an https address
    capacity: int
    # comma-separated: clienteling segment keys, ``attended:<event id>``, ``registered:<event id>`` (audience.py)
    audience: str = Field(default="", max_length=100)
    registration_open: bool = True
    public_token: str = Field(max_length=64, unique=True)
    created_by: int | None = Field(default=None, foreign_key="core_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None  # staff called it off: no registrations or invitations after
    cancel_reason: str = Field(default="", max_length=300)


class Invitation(SQLModel, table=True):
    """One customer's invitation to an event (sent once), whose link lets their registration find them."""

    __tablename__ = "events_invitation"
    __table_args__ = (UniqueConstraint("event_id", "customer_id", name="uq_events_invitation_event_customer"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events_event.id", index=True)
    customer_id: int = Field(foreign_key="clienteling_customer.id", index=True)
    token: str = Field(max_length=64, unique=True)
    channels: str = Field(default="", max_length=40)  # where it went: email, sms, whatsapp
    sent_at: datetime = Field(default_factory=utcnow)


class Registration(SQLModel, table=True):
    """Someone who registered on the public page: confirmed, waiting for a place, or cancelled."""

    __tablename__ = "events_registration"
    __table_args__ = (
        UniqueConstraint("event_id", "email", name="uq_events_registration_event_email"),
        Index("ix_events_registration_event_status", "event_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events_event.id", index=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    name: str = Field(max_length=120)
    email: str = Field(max_length=254)
    phone: str = Field(default="", max_length=20)
    consent: bool = False  # may the store contact them about other events
    customer_id: int | None = Field(default=None, foreign_key="clienteling_customer.id", index=True)
    invitation_id: int | None = Field(default=None, foreign_key="events_invitation.id")
    status: str = Field(default="confirmed", max_length=10)  # confirmed | waiting | cancelled
    ticket_token: str = Field(max_length=64, unique=True)
    cancel_token: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    promoted_at: datetime | None = None
    cancelled_at: datetime | None = None
    reminded_at: datetime | None = None
    checked_in_at: datetime | None = None
    checked_in_by: int | None = Field(default=None, foreign_key="core_user.id")
    client_ip: str = Field(default="", max_length=45, index=True)  # who sent the form (the per-client limit)
