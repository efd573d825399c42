"""Repairs × billing: a job's estimate, deposit, payments and final charge as billing documents.

A bridge module: it switches on by itself in a store where both repairs and billing are enabled, and
off with either. It owns no tables (see :mod:`modules.repairs_billing.money` for how a job and its
documents are linked and how amounts are billed). Its page ``/repairs_billing/jobs/<id>`` shows a job's
documents and receipts and takes payments; repairs' job page links to it (``"repairs.job_links"``). A receipt on
a job's invoice, or its cancellation, marks the job's status page changed (its balance).
Without it, repairs records money at its own counter. A job's balance paid online (``("payments.order", "paid")``
for repairs' ``BALANCE_PURPOSE``) becomes billing receipts here too.
"""

from jewelerp.registry import EventHandler, Module, Page

MODULE = Module(
    name="repairs_billing",
    title="Repairs billing",
    version="0.1.0",
    summary="Bills repair and custom-order jobs: quoted estimates, service invoices with GST and receipts.",
    depends=("repairs", "billing"),
    pages=(
        Page(
            "/repairs_billing/jobs/[job_id]",
            "modules.repairs_billing.panel:job_billing_page",
            "Job billing",
            "billing.invoice.create",
            None,
            "modules.repairs_billing.panel:JobBillingState.load",
        ),
    ),
    events=(
        EventHandler("repairs.job", "created", "modules.repairs_billing.money:estimate_job"),
        EventHandler("repairs.job", "delivered", "modules.repairs_billing.money:bill_delivered"),
        EventHandler("billing.payment", "received", "modules.repairs_billing.money:payment_received"),
        EventHandler("billing.invoice", "cancelled", "modules.repairs_billing.money:invoice_cancelled"),
        EventHandler("payments.order", "paid", "modules.repairs_billing.money:balance_paid_online"),
    ),
    contributions={
        "repairs.amount_paid": ("modules.repairs_billing.money:paid_towards",),
        "repairs.job_links": ("modules.repairs_billing.money:job_links",),
    },
    demo_data="modules.repairs_billing.demo:load",
    auto_install=True,
)
