"""The job's billing page (``/repairs_billing/jobs/<id>``): the job's estimate, invoices and receipts, what is
due, and taking a payment.

Repairs' job page links here through its ``"repairs.job_links"`` extension point (the bridge's
:func:`~modules.repairs_billing.money.job_links`), for staff who may invoice and take payments; repairs
itself knows nothing of billing.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.money import format_inr
from jewelerp.ui.forms import fact, field, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from modules.billing.api import METHODS
from modules.repairs.api import KIND_LABELS, Job, charge_of, get_job, stage_label
from modules.repairs_billing.money import billing_view, take_job_payment

METHOD_CHOICES = list(METHODS.items())


def _job_facts(job: Job) -> dict[str, str]:
    return {
        "id": str(job.id),
        "number": job.number,
        "kind": KIND_LABELS.get(job.kind, job.kind),
        "stage": stage_label(job.stage),
        "customer": job.customer_name,
        "item": job.item_description,
        "work": job.requested_work,
        "charge": format_inr(charge_of(job)) if charge_of(job) > 0 else "",
    }


class JobBillingState(AppState):
    """One job's billing (a job has a handful of documents and receipts)."""

    job: dict[str, str] = {}
    found: bool = False
    can_edit: bool = False
    bill_on: bool = False
    bill_documents: list[dict[str, str]] = []
    bill_receipts: list[dict[str, str]] = []
    bill_summary: dict[str, str] = {}
    bill_version: int = 0

    def _id(self) -> int:
        return self._route_number("job_id")

    def _reload(self) -> None:
        job_id = self._id()

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            job = get_job(session, actor, job_id)
            view = billing_view(session, actor, job_id)
            return {"job": _job_facts(job), "can_edit": actor.can("repairs.job.edit"), **view}

        data = self._open_record(job_id, work, "That job does not exist.")
        if data is None:
            return
        self.job, self.can_edit, self.bill_on = data["job"], data["can_edit"], data["on"]
        self.bill_documents, self.bill_receipts, self.bill_summary = (
            data["documents"],
            data["receipts"],
            data["summary"],
        )
        self.bill_version += 1

    @rx.event
    def load(self) -> None:
        """Open the page for the job in the URL."""
        self._clear_messages()
        self._reload()

    @rx.event
    def bill_payment(self, form: dict) -> None:
        """Take money for the job as billing receipts (invoicing the job first when needed)."""
        job_id = self._id()
        values = {key: str(form.get(key, "")) for key in ("method", "amount", "reference", "customer_pan")}

        def work(session: Session, actor: Actor) -> Any:
            return take_job_payment(
                session,
                actor,
                job_id,
                values["method"],
                values["amount"],
                values["reference"],
                values["customer_pan"],
            )

        receipts = self._run(work)
        if receipts:
            total = sum(r.amount for r in receipts)
            numbers = ", ".join(r.receipt_number or "" for r in receipts)
            self._say(f"Received {format_inr(total, paise=True)}: receipt {numbers}.")
        self._after(receipts)


def _table(headers: tuple[str, ...], rows: rx.Var, row: Any) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, row)),
            size="1",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def _document_row(document: rx.Var) -> rx.Component:
    label = document["kind"] + " " + document["number"]
    return rx.table.row(
        rx.table.cell(rx.link(document["number"], href=document["href"], aria_label=label)),
        *[rx.table.cell(document[key], white_space="nowrap") for key in ("kind", "status", "total", "paid", "balance")],
    )


def _receipt_row(receipt: rx.Var) -> rx.Component:
    keys = ("receipt", "invoice", "method", "amount", "on")
    return rx.table.row(*[rx.table.cell(receipt[key], white_space="nowrap") for key in keys])


def _documents() -> rx.Component:
    return rx.cond(
        JobBillingState.bill_documents.length() > 0,
        _table(
            ("Document", "Kind", "Status", "Total", "Paid", "Balance"), JobBillingState.bill_documents, _document_row
        ),
        rx.text("No billing documents yet: the first payment issues the job's invoice.", size="2", color_scheme="gray"),
    )


def _receipts() -> rx.Component:
    return rx.cond(
        JobBillingState.bill_receipts.length() > 0,
        _table(("Receipt", "Invoice", "Method", "Amount", "On"), JobBillingState.bill_receipts, _receipt_row),
    )


def _payment_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                select_field("Payment method", "method", METHOD_CHOICES),
                field(
                    "Amount (₹)", "amount", input_mode="decimal", default_value=JobBillingState.bill_summary["suggest"]
                ),
                field("Reference", "reference", hint="Card's last 4 digits, or the UPI / bank UTR"),
                field("Customer PAN", "customer_pan", hint="Needed above ₹2,00,000 (one bill, or the day's purchases)"),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.button("Take payment", type="submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=JobBillingState.bill_payment,
        no_validate=True,
        reset_on_submit=False,
        key=JobBillingState.bill_version.to_string(),
        width="100%",
    )


def _billing() -> rx.Component:
    """The card: the job's billing documents and receipts, what is due, and (for ``can_edit``) the payment form."""
    summary = JobBillingState.bill_summary
    return rx.cond(
        JobBillingState.bill_on,
        rx.card(
            rx.vstack(
                rx.heading("Documents and receipts", size="4"),
                _documents(),
                _receipts(),
                rx.cond(summary["to_invoice"] != "", rx.text("Still to invoice: ", summary["to_invoice"], size="2")),
                rx.cond(summary["over"] != "", rx.callout(summary["over"], icon="triangle-alert", color_scheme="red")),
                rx.text("Due now: ", rx.text.strong(summary["due"]), size="2"),
                rx.cond(JobBillingState.can_edit & (summary["suggest"] != ""), _payment_form()),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.callout("Taking payments for jobs needs the permission to take payments.", icon="info"),
    )


def _job() -> rx.Component:
    j = JobBillingState.job
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(j["number"], size="7"),
                rx.badge(j["kind"], size="2", color_scheme="gray"),
                rx.badge(j["stage"], size="3", color_scheme="amber"),
                rx.spacer(),
                rx.link("Back to the job", href="/repairs/jobs/" + j["id"], size="2"),
                spacing="3",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            fact("Customer", j["customer"]),
            fact("Item", j["item"]),
            fact("Work", j["work"]),
            fact("Charge", j["charge"]),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def job_billing_page() -> rx.Component:
    """The page registered in the manifest."""
    return shell(
        rx.cond(JobBillingState.found, rx.vstack(_job(), _billing(), spacing="4", width="100%")), "Job billing"
    )
