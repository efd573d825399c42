"""Repairs × billing in the browser: the job page links to the bridge's billing page, where the deposit is
taken as a billing receipt; the job's service invoice appears with a link to billing's invoice page, and the
job counts it as paid."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect
from sqlmodel import select

from jewelerp.core.models import Store
from jewelerp.db import read_session
from modules.repairs.models import Job
from tests.modules.repairs.jobrows import job_row


def _new_job() -> tuple[int, str]:
    """A repair in MUM quoted at ₹1,500 with a ₹500 deposit asked; returns its id and number."""
    with read_session() as session:
        store = session.exec(select(Store.id).where(Store.code == "MUM")).one()
    job_id = job_row(
        store,
        "repair",
        "received",
        customer_name="Meera Pillai",
        item_description="Gold chain, clasp broken",
        requested_work="Replace the clasp",
        estimate=Decimal("1500.00"),
        deposit=Decimal("500.00"),
    )
    with read_session() as session:
        return job_id, session.get(Job, job_id).number


def test_a_deposit_taken_on_the_jobs_billing_page_becomes_a_billing_receipt(login_as, base_url):
    job_id, number = _new_job()
    page = login_as("sales")
    page.goto(f"{base_url}/repairs/jobs/{job_id}")
    expect(page.get_by_role("heading", name=number)).to_be_visible()
    expect(page.get_by_label("Amount received (₹)")).to_have_count(0)  # billing takes the money
    page.get_by_role("link", name="Billing and payments").click()
    page.wait_for_url(f"{base_url}/repairs_billing/jobs/{job_id}")
    expect(page.get_by_role("heading", name=number)).to_be_visible()
    expect(page.get_by_text("Meera Pillai")).to_be_visible()
    expect(page.get_by_text("No billing documents yet")).to_be_visible()
    amount = page.get_by_label("Amount (₹)", exact=True)
    expect(amount).to_have_value("500.00")  # the deposit asked at intake
    page.get_by_label("Payment method").select_option("upi")
    page.get_by_role("button", name="Take payment").click()
    expect(page.get_by_text("For UPI, enter the transaction reference")).to_be_visible()

    page.get_by_label("Reference").fill("412345678901")
    page.get_by_role("button", name="Take payment").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Received ₹500\.00: receipt MUM/R\d{4}/"))
    expect(page.get_by_role("cell", name=re.compile(r"^MUM\/R\d{4}\/\d+$"))).to_be_visible()
    expect(page.get_by_role("cell", name="UPI", exact=True)).to_be_visible()
    expect(page.get_by_text("Due now: ₹1,000.00")).to_be_visible()
    expect(page.get_by_label("Amount (₹)", exact=True)).to_have_value("1000.00")

    invoice = page.get_by_role("link", name=re.compile(r"^Invoice MUM\/\d{4}\/\d+$"))
    expect(invoice).to_be_visible()
    invoice.click()
    page.wait_for_url(re.compile(rf"{re.escape(base_url)}/billing/invoices/\d+$"))
    expect(page.get_by_text(f"Repair {number}: Replace the clasp").first).to_be_visible()

    page.goto(f"{base_url}/repairs/jobs/{job_id}")
    expect(page.get_by_text("₹1,000").first).to_be_visible()  # the job's balance counts the receipt
