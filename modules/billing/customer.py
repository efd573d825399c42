"""Billing's section of the customer 360 page (extension point ``"clienteling.customer360"``).

The section is a plain dict (clienteling's contract, so no clienteling type is needed here),
``{"title": str, "columns": [(key, label), ...], "rows": [{key: text}, ...]}``, or None.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.money import format_inr
from modules.billing.invoices import CREATE
from modules.billing.models import Invoice

SHOWN = 20
COLUMNS = (
    ("number", "Invoice"),
    ("date", "Date"),
    ("total", "Total"),
    ("paid", "Paid"),
    ("balance", "Balance"),
    ("status", "Status"),
)


def _row(invoice: Invoice, actor: Actor) -> dict[str, str]:
    issued = invoice.status == "issued"
    return {
        "number": invoice.number or "",
        "date": f"{actor.local(invoice.issued_at):%d %b %Y}" if invoice.issued_at else "",
        "total": format_inr(invoice.total, paise=True),
        "paid": format_inr(invoice.paid, paise=True),
        "balance": format_inr(invoice.payable - invoice.paid, paise=True) if issued else "—",
        "status": "Issued" if issued else "Cancelled",
    }


def purchases(session: Session, actor: Actor, customer_id: int) -> dict[str, Any] | None:
    """The customer's latest 20 invoices in the actor's store, newest first; None when there are none
    or the actor may not see invoices."""
    if not actor.can(CREATE):
        return None
    invoices = session.scalars(
        select(Invoice)
        .where(
            Invoice.store_id == actor.store_id,
            Invoice.customer_id == customer_id,
            Invoice.kind == "invoice",
            Invoice.status.in_(("issued", "cancelled")),
        )
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
        .limit(SHOWN)
    ).all()
    if not invoices:
        return None
    return {"title": "Invoices", "columns": list(COLUMNS), "rows": [_row(invoice, actor) for invoice in invoices]}
