"""Printing from the invoice page: the invoice or estimate as a PDF, and a payment's receipt.

:class:`InvoicePrintMixin` joins the invoice page's state, which provides ``_id()`` (the invoice in
the URL) and the ``invoice`` display dict; :func:`print_button` is the button in the page header.
The PDF travels to the browser as a data URL (:func:`jewelerp.ui.downloads.download_pdf`), so the page
stays as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.ui.downloads import download_pdf
from jewelerp.validation import MAX_ID, read_int
from modules.billing.models import Invoice, Payment
from modules.billing.pdf import invoice_file_name, invoice_pdf, receipt_file_name, receipt_pdf

Download = Callable[[Session, Actor], tuple[str, bytes]]


def _invoice_file(invoice_id: int) -> Download:
    def work(session: Session, actor: Actor) -> tuple[str, bytes]:
        content = invoice_pdf(session, actor, invoice_id)  # checks the permission and the store
        return invoice_file_name(session.get(Invoice, invoice_id)), content

    return work


def _receipt_file(raw_id: object) -> Download:
    def work(session: Session, actor: Actor) -> tuple[str, bytes]:
        payment_id = read_int(raw_id, 1, MAX_ID) or 0  # read once the session is checked; 0 is no receipt
        content = receipt_pdf(session, actor, payment_id)  # checks the permission and the store
        return receipt_file_name(session.get(Payment, payment_id)), content

    return work


class InvoicePrintMixin(rx.State, mixin=True):
    """The invoice page's downloads (the state it joins provides ``_id()`` and ``_run``)."""

    def _download(self, work: Download) -> EventSpec | None:
        result = self._run(work, write=False)  # type: ignore[attr-defined]
        if result is None:
            return None
        name, content = result
        return download_pdf(content, name)

    @rx.event
    def download_pdf(self) -> EventSpec | None:
        """The invoice (or estimate) on this page as a PDF download."""
        return self._download(_invoice_file(self._id()))  # type: ignore[attr-defined]

    @rx.event
    def download_receipt(self, payment_id: str) -> EventSpec | None:
        """The receipt of one payment (by id) as a PDF download."""
        return self._download(_receipt_file(payment_id))


def print_button(state: Any) -> rx.Component:
    """ "Download PDF" for an invoice, "Print estimate" for an estimate (``state.invoice["kind"]``)."""
    return rx.button(
        rx.icon("printer", size=16),
        rx.cond(state.invoice["kind"] == "estimate", "Print estimate", "Download PDF"),
        variant="soft",
        on_click=state.download_pdf,
    )
