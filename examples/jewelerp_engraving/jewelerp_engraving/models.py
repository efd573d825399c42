"""Engraving tables (prefixed ``engraving_``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from jewelerp.db import utcnow


class EngravingRequest(SQLModel, table=True):
    """Text a customer wants engraved on a piece of an invoice, and how far the work is."""

    __tablename__ = "engraving_request"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    invoice_number: str = Field(max_length=40, index=True)
    sku: str = Field(max_length=30)
    text: str = Field(max_length=40)
    font: str = Field(max_length=20)
    due_on: date = Field(index=True)
    status: str = Field(default="open", max_length=12, index=True)  # open | done | cancelled
    created_by: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None  # since 1.0.0's second revision: when the workshop finished
