"""Notification tables (prefixed ``core_``): in-app notices for staff and the outgoing message outbox.

Both are queues rather than business records, so the audit log leaves them out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from jewelerp.db import utcnow


class Notification(SQLModel, table=True):
    """An in-app notice for one member of staff in one store (a role-wide notice is one row per person)."""

    __tablename__ = "core_notification"
    __audit__ = False
    __table_args__ = (Index("ix_core_notification_inbox", "user_id", "store_id", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id")
    user_id: int = Field(foreign_key="core_user.id")
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    link: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """A message to a customer (e-mail, SMS, WhatsApp, ...) waiting to be sent, sent, or given up on."""

    __tablename__ = "core_outbox"
    __audit__ = False
    __table_args__ = (Index("ix_core_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    channel: str = Field(max_length=20)
    recipient: str = Field(max_length=254)
    subject: str = Field(default="", max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(default="", max_length=80)
    status: str = Field(default="queued", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class OutboxAttachment(SQLModel, table=True):
    """A file sent with an outbox e-mail (a calendar invitation, a ticket), kept with its message."""

    __tablename__ = "core_outbox_attachment"
    __audit__ = False

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="core_outbox.id", index=True)
    filename: str = Field(max_length=100)
    content_type: str = Field(max_length=100)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
