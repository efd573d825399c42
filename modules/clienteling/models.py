"""Clienteling tables (prefixed ``clienteling_``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from jewelerp.db import utcnow


class Customer(SQLModel, table=True):
    """A customer of the business, attached to a home store."""

    __tablename__ = "clienteling_customer"
    __table_args__ = (Index("ix_clienteling_customer_store_name", "store_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    name: str = Field(max_length=120, index=True)
    phone: str = Field(default="", max_length=20, index=True)
    email: str = Field(default="", max_length=254, index=True)
    date_of_birth: date | None = None
    anniversary: date | None = None
    tags: str = Field(default="", max_length=500)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
