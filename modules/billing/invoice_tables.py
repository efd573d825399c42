"""The invoice list: the store's invoices newest first, searchable by number and customer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from jewelerp.auth.actor import Actor
from jewelerp.money import format_inr
from jewelerp.ui.table_query import Column, Filter, TableQuery, TableSpec
from modules.billing.models import Invoice

STATUSES = (("draft", "Draft"), ("issued", "Issued"), ("cancelled", "Cancelled"))


def invoice_label(invoice: Invoice) -> str:
    """The invoice's number, or "Draft #12" before it is issued."""
    return invoice.number or f"Draft #{invoice.id}"


def _base(actor: Actor, q: TableQuery) -> Select:
    stmt = select(Invoice).where(Invoice.store_id == actor.store_id)
    if q.filters.get("status") in dict(STATUSES):
        stmt = stmt.where(Invoice.status == q.filters["status"])
    return stmt


def _row(r: Any, actor: Actor) -> dict[str, str]:
    (invoice,) = r
    return {
        "id": str(invoice.id),
        "number": invoice_label(invoice),
        "_link": f"/billing/invoices/{invoice.id}",
        "date": f"{invoice.invoice_date:%d %b %Y}" if invoice.invoice_date else "",
        "customer": invoice.customer_name or "Walk-in customer",
        "total": format_inr(invoice.total, paise=True),
        "status": dict(STATUSES).get(invoice.status, invoice.status),
    }


INVOICES = TableSpec(
    name="invoices",
    title="Invoices",
    permission="billing.invoice.create",
    columns=(
        Column("number", "Number"),
        Column("date", "Date"),
        Column("customer", "Customer"),
        Column("total", "Total", sortable=False),
        Column("status", "Status", sortable=False),
    ),
    base=_base,
    row=_row,
    sort_columns={"number": Invoice.number, "date": Invoice.id, "customer": Invoice.customer_name},
    default_sort="date",
    newest_first=True,
    filters=(Filter("status", "Statuses", STATUSES),),
    search_columns=(Invoice.number, Invoice.customer_name),
)
