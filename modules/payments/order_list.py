"""The store's payment orders for its managers (``/payments/orders``): newest first, filtered by status and by the
store's dates they were opened on, paged and exported by the shared data table. Orders marked ``to_refund`` (money
that came in for something already paid) read "Refund needed" and carry the reason."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.reports import midnight_utc
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from modules.payments.models import PaymentOrder

VIEW = "payments.order.view"
REFUND = "payments.order.refund"
STATUSES = (
    ("to_refund", "Refund needed"),
    ("pending", "Pending"),
    ("paid", "Paid"),
    ("failed", "Failed"),
    ("refunded", "Refunded"),
    ("creating", "Being opened"),
)
STATUS_FILTER = Filter("status", "Statuses", STATUSES, all_label="Any status")
DATE_FROM, DATE_TO = "from", "to"  # filter keys of the date range (the page's date inputs, ISO dates)
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def status_label(status: str) -> str:
    """The status as the page shows it."""
    return dict(STATUSES).get(status, status)


def filter_day(raw: object) -> date | None:
    """A date filter's day (``2026-12-07``, this century), or None for anything else (no filter)."""
    text = str(raw or "").strip()
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


def _base(actor: Actor, q: TableQuery) -> Select:
    stmt = select(PaymentOrder).where(PaymentOrder.store_id == actor.store_id)
    f = q.filters
    if f.get("status") in dict(STATUSES):
        stmt = stmt.where(PaymentOrder.status == f["status"])
    if (start := filter_day(f.get(DATE_FROM))) is not None:
        stmt = stmt.where(PaymentOrder.created_at >= midnight_utc(actor.time_zone, start))
    if (end := filter_day(f.get(DATE_TO))) is not None:
        stmt = stmt.where(PaymentOrder.created_at < midnight_utc(actor.time_zone, end + timedelta(days=1)))
    return stmt


def refunds_due(session: Session, actor: Actor) -> int:
    """How many of the store's payments wait for a refund."""
    actor.require(VIEW)
    stmt = select(func.count()).where(PaymentOrder.store_id == actor.store_id, PaymentOrder.status == "to_refund")
    return session.execute(stmt).scalar_one()


def _notes(order: PaymentOrder, actor: Actor) -> str:
    """Why it failed or needs a refund, and who refunded it when."""
    if order.refunded_at is None:
        return order.note
    when = f"{actor.local(order.refunded_at):%d %b %Y %H:%M}"
    return f"{order.note}. Refunded {when} by {order.refunded_by}: {order.refund_note}".lstrip(". ")


def _row(r: Any, actor: Actor) -> dict[str, Any]:
    order: PaymentOrder = r[0]
    return {
        "id": str(order.id),
        "opened": actor.local(order.created_at),
        "number": order.gateway_order_id or f"#{order.id}",
        "payment": order.gateway_payment_id,
        "purpose": order.description or order.reference,
        "customer": order.customer_name or f"Customer #{order.customer_id}",
        "amount": order.amount,
        "status": status_label(order.status),
        "notes": _notes(order, actor),
        "refund_needed": "yes" if order.status == "to_refund" else "",
    }


COLUMNS = (
    Column("opened", "Date", kind=Kind.DATETIME),
    Column("status", "Status"),
    Column("amount", "Amount", kind=Kind.MONEY),
    Column("customer", "Customer"),
    Column("purpose", "For", False, wrap=True),
    Column("payment", "Payment id", False),
    Column("number", "Gateway order", False),
    Column("notes", "Notes", False, wrap=True),
)

PAYMENT_ORDERS = TableSpec(
    name="payment-orders",
    title="Payment orders",
    permission=VIEW,
    columns=COLUMNS,
    base=_base,
    row=_row,
    sort_columns={
        "opened": PaymentOrder.created_at,
        "status": PaymentOrder.status,
        "amount": PaymentOrder.amount,
        "customer": PaymentOrder.customer_name,
    },
    default_sort="opened",
    newest_first=True,
    filters=(STATUS_FILTER,),
    search_columns=(
        PaymentOrder.reference,
        PaymentOrder.description,
        PaymentOrder.customer_name,
        PaymentOrder.gateway_order_id,
        PaymentOrder.gateway_payment_id,
    ),
)
