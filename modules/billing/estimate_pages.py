"""The estimate pages: the store's estimates with the new-estimate form (``/billing/estimates``), and the
estimate part of the invoice page (an estimate is shown, built and printed on the invoice page).

:class:`InvoiceEstimateMixin` joins the invoice page's state, which provides ``_id()``, ``_run``,
``_say``, ``_after`` and the ``invoice`` display dict; :func:`estimate_panel` is its card: quote a
draft estimate, convert a quoted one to an invoice, and the link between an estimate and its invoice.
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import fact
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.billing.estimates import convert_estimate, create_estimate, linked_document, quote_estimate
from modules.billing.invoice_tables import ESTIMATES, document_title, invoice_label
from modules.billing.models import Invoice
from modules.billing.page_inputs import NewDocumentMixin

# ---------------------------------------------------------------------------- the estimate on the invoice page


def _estimate_data(session: Session, actor: Actor, invoice_id: int) -> dict[str, str]:
    """The estimate facts the invoice page shows (for an invoice: the estimate it came from)."""
    linked = linked_document(session, actor, invoice_id)  # checks the permission and the store
    document = session.get(Invoice, invoice_id)
    valid_until = document.valid_until
    return {
        "valid_until": f"{valid_until:%d %b %Y}" if valid_until else "",
        "expired": "yes" if document.status == "quoted" and valid_until < actor.today() else "",
        "validity_days": str(get_setting(session, actor.store_id, "billing.estimate_validity_days")),
        "linked_title": document_title(linked) if linked else "",
        "linked_link": f"/billing/invoices/{linked.id}" if linked else "",
    }


class InvoiceEstimateMixin(rx.State, mixin=True):
    """Quote and convert the estimate on the invoice page (the state it joins provides ``_id()`` and ``_run``)."""

    estimate: dict[str, str] = {}

    def _load_estimate(self, invoice_id: int) -> None:
        data = self._run(lambda s, a: _estimate_data(s, a, invoice_id), write=False)  # type: ignore[attr-defined]
        self.estimate = data or {}

    @rx.event
    def quote(self) -> None:
        """Number the draft estimate and fix its prices until its validity date."""
        estimate_id = self._id()  # type: ignore[attr-defined]
        quoted = self._run(lambda s, a: quote_estimate(s, a, estimate_id))  # type: ignore[attr-defined]
        if quoted is not None:
            message = f"Estimate {quoted.number} quoted, valid until {quoted.valid_until:%d %b %Y}."
            self._say(message)  # type: ignore[attr-defined]
        self._after(quoted)  # type: ignore[attr-defined]

    @rx.event
    def convert(self) -> None:
        """Turn the quoted estimate into an invoice at the quoted prices and issue it (or ask for approval)."""
        estimate_id = self._id()  # type: ignore[attr-defined]
        invoice = self._run(lambda s, a: convert_estimate(s, a, estimate_id))  # type: ignore[attr-defined]
        if invoice is not None:
            self._say(  # type: ignore[attr-defined]
                f"Estimate converted: invoice {invoice.number} issued."
                if invoice.status == "issued"
                else f"Estimate converted to {invoice_label(invoice)}, which waits for a manager's approval: "
                f"{invoice.approval_reason}."
            )
        self._after(invoice)  # type: ignore[attr-defined]


def _card(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%")


def _linked(state: Any, text: str) -> rx.Component:
    return rx.hstack(
        rx.text(text, size="2"),
        rx.link(state.estimate["linked_title"], href=state.estimate["linked_link"], size="2", weight="medium"),
        spacing="1",
        wrap="wrap",
    )


def _estimate_actions(state: Any) -> rx.Component:
    status, info = state.invoice["status"], state.estimate
    return _card(
        "Estimate",
        fact("Valid until", info["valid_until"]),
        rx.match(
            status,
            (
                "draft",
                rx.flex(
                    rx.button(rx.icon("file-check", size=16), "Quote estimate", on_click=state.quote),
                    rx.text(
                        "Quoting numbers the estimate and holds its prices for ",
                        info["validity_days"],
                        " days; it cannot be changed after. Pieces stay in stock.",
                        size="1",
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
            ),
            (
                "quoted",
                rx.flex(
                    rx.cond(info["expired"] == "yes", rx.badge("Expired", color_scheme="red", size="2")),
                    rx.button(rx.icon("receipt", size=16), "Convert to invoice", on_click=state.convert),
                    rx.text(
                        "Converting issues an invoice at the quoted prices and sells the pieces.",
                        size="1",
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
            ),
            _linked(state, "Converted to"),
        ),
    )


def estimate_panel(state: Any) -> rx.Component:
    """The invoice page's estimate card (quote, convert, validity), or the estimate an invoice came from."""
    return rx.cond(
        state.invoice["kind"] == "estimate",
        _estimate_actions(state),
        rx.cond(state.estimate["linked_title"] != "", _linked(state, "Converted from")),
    )


# ---------------------------------------------------------------------------- the list


class EstimatesState(NewDocumentMixin, RecordFormMixin, DataTableMixin, AppState):
    """One page of the store's estimates and the new-estimate form."""

    spec: ClassVar[TableSpec] = ESTIMATES

    def _start(self, session: Session, actor: Actor, **customer: Any) -> Invoice:
        return create_estimate(session, actor, **customer)


def estimates_page() -> rx.Component:
    """The estimate list (``/billing/estimates``)."""
    from modules.billing.invoice_pages import _new_fields  # it imports this module's mixin

    return shell(
        rx.vstack(
            rx.text(
                "An estimate is priced at today's rates, quoted for a few days, and converted to an invoice "
                "at the quoted prices in one step.",
                size="2",
                color_scheme="gray",
            ),
            record_form(
                EstimatesState,
                ("New estimate", "New estimate"),
                _new_fields(EstimatesState),
                "Create estimate",
                EstimatesState.create,
            ),
            data_table(
                EstimatesState,
                link_column="number",
                toolbar=rx.button(rx.icon("file-plus", size=16), "New estimate", on_click=EstimatesState.new),
            ),
            spacing="4",
            width="100%",
        ),
        "Estimates",
    )
