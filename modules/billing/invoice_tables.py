"""The billing lists: invoices, estimates and drafts waiting for approval, each newest first and searchable
by number and customer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from modules.billing.models import Invoice

STATUSES = (("draft", "Draft"), ("issued", "Issued"), ("cancelled", "Cancelled"))
ESTIMATE_STATUSES = (("draft", "Draft"), ("quoted", "Quoted"), ("converted", "Converted"))
STATUS_LABELS = dict(STATUSES + ESTIMATE_STATUSES)


def invoice_label(invoice: Invoice) -> str:
    """The invoice's (or estimate's) number, or "Draft #12" before it has one."""
    return invoice.number or f"Draft #{invoice.id}"


def document_title(invoice: Invoice) -> str:
    """The heading of its page: the invoice's label, or "Estimate MUM/E2627/00001"."""
    if invoice.kind != "estimate":
        return invoice_label(invoice)
    return f"Estimate {invoice.number}" if invoice.number else f"Estimate draft #{invoice.id}"


def _common(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": str(invoice.id),
        "number": invoice_label(invoice),
        "_link": f"/billing/invoices/{invoice.id}",
        "date": invoice.invoice_date,
        "customer": invoice.customer_name or "Walk-in customer",
        "total": invoice.total,
    }


def _of_kind(actor: Actor, kind: str, q: TableQuery, statuses: tuple[tuple[str, str], ...]) -> Select:
    stmt = select(Invoice).where(Invoice.store_id == actor.store_id, Invoice.kind == kind)
    if q.filters.get("status") in dict(statuses):
        stmt = stmt.where(Invoice.status == q.filters["status"])
    return stmt


def _invoice_row(r: Any, actor: Actor) -> dict[str, Any]:
    (invoice,) = r
    return {**_common(invoice), "status": STATUS_LABELS.get(invoice.status, invoice.status)}


SORTS = {"number": Invoice.number, "date": Invoice.id, "customer": Invoice.customer_name}
INVOICES = TableSpec(
    name="invoices",
    title="Invoices",
    permission="billing.invoice.create",
    columns=(
        Column("number", "Number"),
        Column("date", "Date", kind=Kind.DATE),
        Column("customer", "Customer"),
        Column("total", "Total", sortable=False, kind=Kind.MONEY),
        Column("status", "Status", sortable=False),
    ),
    base=lambda actor, q: _of_kind(actor, "invoice", q, STATUSES),
    row=_invoice_row,
    sort_columns=SORTS,
    default_sort="date",
    newest_first=True,
    filters=(Filter("status", "Statuses", STATUSES),),
    search_columns=(Invoice.number, Invoice.customer_name),
)


def _estimate_row(r: Any, actor: Actor) -> dict[str, Any]:
    (estimate,) = r
    expired = estimate.status == "quoted" and estimate.valid_until < actor.today()
    return {
        **_common(estimate),
        "valid_until": estimate.valid_until,
        "status": "Expired" if expired else STATUS_LABELS.get(estimate.status, estimate.status),
    }


ESTIMATES = TableSpec(
    name="estimates",
    title="Estimates",
    permission="billing.invoice.create",
    columns=(
        Column("number", "Number"),
        Column("date", "Date", kind=Kind.DATE),
        Column("customer", "Customer"),
        Column("total", "Total", sortable=False, kind=Kind.MONEY),
        Column("valid_until", "Valid until", sortable=False, kind=Kind.DATE),
        Column("status", "Status", sortable=False),
    ),
    base=lambda actor, q: _of_kind(actor, "estimate", q, ESTIMATE_STATUSES),
    row=_estimate_row,
    sort_columns=SORTS,
    default_sort="date",
    newest_first=True,
    filters=(Filter("status", "Statuses", ESTIMATE_STATUSES),),
    search_columns=(Invoice.number, Invoice.customer_name),
)


def _pending(actor: Actor, q: TableQuery) -> Select:
    return select(Invoice).where(
        Invoice.store_id == actor.store_id,
        Invoice.kind == "invoice",
        Invoice.status == "draft",
        Invoice.approval == "pending",
    )


def _pending_row(r: Any, actor: Actor) -> dict[str, Any]:
    (invoice,) = r
    return {**_common(invoice), "reason": invoice.approval_reason, "asked_by": invoice.created_by}


APPROVALS = TableSpec(
    name="approvals",
    title="Drafts waiting for approval",
    permission="billing.invoice.approve",
    columns=(
        Column("number", "Draft"),
        Column("date", "Date", kind=Kind.DATE),
        Column("customer", "Customer"),
        Column("total", "Total", sortable=False, kind=Kind.MONEY),
        Column("reason", "Why it needs approval", sortable=False, wrap=True),
        Column("asked_by", "Asked by"),
    ),
    base=_pending,
    row=_pending_row,
    sort_columns={**SORTS, "asked_by": Invoice.created_by},
    default_sort="date",
    newest_first=True,
    search_columns=(Invoice.customer_name, Invoice.created_by),
)
