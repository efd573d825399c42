"""Payment orders (table ``payments_order``): one online payment a customer starts, for one purpose and reference
of another module (``loyalty.instalment`` for ``MUM/S2627/00004#3``), the amount the server decided, and what the
gateway reported. The order's own random ``token`` is what the checkout page's address carries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from jewelerp.db import Money, utcnow


class PaymentOrder(SQLModel, table=True):
    """An order on a gateway: pending until its signed webhook says paid (or failed); paid happens once."""

    __tablename__ = "payments_order"
    __table_args__ = (UniqueConstraint("gateway", "gateway_order_id", name="uq_payments_order_gateway_order"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    token: str = Field(max_length=43, unique=True)  # random, 256 bits: the checkout page's address
    purpose: str = Field(max_length=40, index=True)  # "<module>.<what>", e.g. loyalty.instalment
    reference: str = Field(max_length=60, index=True)  # what the owning module pays, e.g. MUM/S2627/00004#3
    description: str = Field(default="", max_length=120)  # what the checkout page says is paid
    customer_id: int = Field(index=True)  # clienteling's customer id, a plain number
    amount: Decimal = Field(sa_column=Column(Money(), nullable=False))
    gateway: str = Field(max_length=12)  # test | razorpay
    gateway_order_id: str = Field(max_length=60)
    gateway_payment_id: str = Field(default="", max_length=60)
    status: str = Field(default="pending", max_length=10, index=True)  # pending | paid | failed
    quoted_on: date  # the store date the amount was worked out for
    return_path: str = Field(default="", max_length=200)  # the page of the app the customer goes back to
    created_at: datetime = Field(default_factory=utcnow)
    paid_at: datetime | None = None
