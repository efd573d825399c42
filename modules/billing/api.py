"""What other modules (a pip-installed add-on among them) may use of billing: services, rules and types.

Functions that take ``(session, actor)`` check the actor's permission like the page that does the same.
``Invoice``, ``InvoiceLine`` and ``Payment`` are exported as types for annotations only: read what a
service returns, and query or change billing records only through these services (the boundary test in
``tests/core/test_module_boundary.py`` refuses any other use). Billing emits
``("billing.invoice", "issued")``, ``("billing.invoice", "cancelled", {"number"})`` and
``("billing.payment", "received")``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from modules.billing.customer_documents import (
    CustomerInvoice,
    customer_invoice_pdf,
    customer_invoices,
    customer_piece_ids,
    customer_receipt_numbers,
)
from modules.billing.estimates import create_estimate, quote_estimate
from modules.billing.invoice_tables import INVOICES
from modules.billing.invoices import (
    CREATE,
    PAN_RE,
    SaleSummary,
    add_piece_line,
    add_service_line,
    cancel_invoice,
    create_draft,
    documents_with_service_line,
    issue_invoice,
    lines_of,
    pan_reason,
    pan_required,
    sale_summary,
)
from modules.billing.models import Invoice, InvoiceLine, Payment
from modules.billing.numbering import declare_series, next_number
from modules.billing.payments import (
    METHOD_OPTIONS,
    METHODS,
    ONLINE,
    REFERENCE_HINT,
    TAKE,
    CashFor,
    ExternalMethod,
    balance,
    check_cash,
    open_invoice,
    parse_amount,
    parse_tender,
    payments_of,
    take_payment,
)
from modules.billing.rates import rate_on, require_rate, set_rate, write_rate
from modules.billing.tax_classes import JEWELLERY, JOB_WORK, REPAIR
from modules.stock.api import get_piece

__all__ = [
    "CREATE",
    "INVOICES",
    "JEWELLERY",
    "JOB_WORK",
    "METHODS",
    "METHOD_OPTIONS",
    "ONLINE",
    "PAN_RE",
    "REFERENCE_HINT",
    "REPAIR",
    "TAKE",
    "CashFor",
    "CustomerInvoice",
    "ExternalMethod",
    "Invoice",
    "InvoiceLine",
    "InvoicePieces",
    "Payment",
    "SaleSummary",
    "add_piece_line",
    "add_service_line",
    "balance",
    "cancel_invoice",
    "check_cash",
    "create_draft",
    "create_estimate",
    "customer_invoice_pdf",
    "customer_invoices",
    "customer_piece_ids",
    "customer_receipt_numbers",
    "declare_series",
    "documents_with_service_line",
    "invoice_pieces",
    "issue_invoice",
    "next_number",
    "open_invoice",
    "pan_reason",
    "pan_required",
    "parse_amount",
    "parse_tender",
    "payments_of",
    "quote_estimate",
    "rate_on",
    "require_rate",
    "sale_summary",
    "set_rate",
    "take_payment",
    "write_rate",
]


@dataclass(frozen=True)
class InvoicePieces:
    """An invoice of the actor's store by its number: its status and the SKUs of the pieces it sells."""

    number: str
    status: str  # draft | issued | cancelled
    skus: tuple[str, ...]


def invoice_pieces(session: Session, actor: Actor, number: str) -> InvoicePieces:
    """Invoice ``number`` of the actor's store with the SKUs on it; ``NotFound`` when the store has none."""
    summary = sale_summary(session, actor, number.strip())
    pieces = (line.piece_id for line in lines_of(session, actor, summary.invoice_id) if line.kind == "piece")
    return InvoicePieces(summary.number, summary.status, tuple(get_piece(session, actor, p).sku for p in pieces))
