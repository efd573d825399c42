"""Billing tables (prefixed ``billing_``): the daily metal rates a store sells at."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from jewelerp.db import Money, utcnow


class BillingMetalRate(SQLModel, table=True):
    """The per-gram rate of one metal at one purity in one store on one day.

    One row per store, metal and day: a correction replaces the day's rate (the audit log
    keeps the old value, who changed it and when).
    """

    __tablename__ = "billing_metal_rate"
    __table_args__ = (UniqueConstraint("store_id", "metal_id", "on"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    metal_id: int = Field(foreign_key="stock_metal.id", index=True)
    metal_label: str = Field(default="", max_length=60)  # as named when entered, for the history
    on: date = Field(index=True)
    rate: Decimal = Field(sa_column=Column(Money(), nullable=False))
    entered_by: str = Field(default="", max_length=120)
    entered_at: datetime = Field(default_factory=utcnow)
