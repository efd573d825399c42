"""Payment orders (table ``payments_order``): one online payment a customer starts, for one purpose and reference
of another module (``loyalty.instalment`` for ``MUM/S2627/00004#3``), the amount the server decided, and what the
gateway reported. The order's own random ``token`` is what the checkout page's address carries.

An order's status: ``creating`` while the gateway is being asked for its order (no gateway id yet), ``pending``
until the signed webhook says ``paid`` (or ``failed``); ``to_refund`` when the payment came in but the owning module
could not take it (the thing was paid already), ``refunded`` once a manager refunded it at the gateway.
The unique index ``uq_payments_order_open`` allows one open (creating or pending) order per thing, customer,
gateway, amount and day: two clicks at once open one gateway order."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from jewelerp.db import Money, utcnow

OPEN_STATUSES = ("creating", "pending")
_OPEN = text("status IN ('creating', 'pending')")


class PaymentOrder(SQLModel, table=True):
    """An order on a gateway: pending until its signed webhook says paid (or failed); paid happens once."""

    __tablename__ = "payments_order"
    __table_args__ = (
        UniqueConstraint("gateway", "gateway_order_id", name="uq_payments_order_gateway_order"),
        Index(
            "uq_payments_order_open",
            "store_id",
            "purpose",
            "reference",
            "customer_id",
            "gateway",
            "amount",
            "quoted_on",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="core_store.id", index=True)
    token: str = Field(max_length=43, unique=True)  # random, 256 bits: the checkout page's address
    purpose: str = Field(max_length=40, index=True)  # "<module>.<what>", e.g. loyalty.instalment
    reference: str = Field(max_length=60, index=True)  # what the owning module pays, e.g. MUM/S2627/00004#3
    description: str = Field(default="", max_length=120)  # what the checkout page says is paid
    customer_id: int = Field(index=True)  # clienteling's customer id, a plain number
    customer_name: str = Field(default="", max_length=120)  # the payer's name when the order was opened
    amount: Decimal = Field(sa_column=Column(Money(), nullable=False))
    gateway: str = Field(max_length=12)  # test | razorpay
    gateway_order_id: str | None = Field(default=None, max_length=60)  # None while creating, or when refused
    gateway_payment_id: str = Field(default="", max_length=60)
    status: str = Field(default="pending", max_length=10, index=True)  # see the module docstring
    note: str = Field(default="", max_length=200)  # why it failed, or why it needs a refund
    quoted_on: date  # the store date the amount was worked out for
    return_path: str = Field(default="", max_length=200)  # the page of the app the customer goes back to
    created_at: datetime = Field(default_factory=utcnow, index=True)
    paid_at: datetime | None = None
    refunded_at: datetime | None = None
    refunded_by: str = Field(default="", max_length=120)
    refund_note: str = Field(default="", max_length=200)  # the manager's note: the gateway's refund id, ...
