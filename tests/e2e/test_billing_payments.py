"""Payments and bookings in the browser: a split payment settles an issued invoice, the cash the law still
allows is shown and more than the balance is refused, and a piece is booked with an advance, paid in
instalments and completed into an invoice."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.billing_helpers import receipt_in_status, small_pieces_in_mumbai

BOOKING = re.compile(r"MUM\/A\d{4}\/\d{5}")  # Playwright's name regex needs its slashes escaped
INVOICE = re.compile(r"MUM\/\d{4}\/\d{6}$")


def test_a_split_payment_settles_an_invoice_and_large_cash_is_refused(login_as, base_url):
    page = login_as("manager")
    page.goto(f"{base_url}/billing/invoices")
    page.get_by_role("button", name="New invoice").click()
    page.get_by_label("Customer name").fill("Nisha Verma")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r".*/billing/invoices/\d+$"))
    page.get_by_label("Service").fill("Custom chain work")
    page.get_by_label("Amount (₹)").fill("10000")
    page.get_by_label("Tax class").select_option("JEWELLERY")  # a chain made to order: goods at 3%
    page.get_by_role("button", name="Add service").click()
    expect(page.get_by_role("status")).to_contain_text("Service added.")
    page.get_by_role("button", name="Issue invoice").click()
    expect(page.get_by_role("status")).to_contain_text("issued")

    expect(page.get_by_text("No payments yet.")).to_be_visible()
    balance = page.get_by_label("Balance", exact=True)
    expect(balance).to_contain_text("₹10,300.00")
    expect(page.get_by_label("Payment amount (₹)")).to_have_value("10300.00")

    page.get_by_label("Payment method").select_option("cash")
    expect(page.get_by_text(re.compile(r"Cash still allowed: ₹[\d,]+\.\d\d \(section 269ST"))).to_be_visible()
    page.get_by_label("Payment amount (₹)").fill("200000")
    page.get_by_role("button", name="Take payment").click()
    expect(page.locator("#amount-error")).to_contain_text("more than the balance of ₹10,300.00")
    expect(page.get_by_label("Payment amount (₹)")).to_have_value("200000")

    page.get_by_label("Payment amount (₹)").fill("6000")
    page.get_by_role("button", name="Take payment").click()
    cash = receipt_in_status(page)
    expect(balance).to_contain_text("₹4,300.00")

    page.get_by_label("Payment method").select_option("upi")
    page.get_by_label("Payment amount (₹)").fill("4300")
    page.get_by_role("button", name="Take payment").click()
    expect(page.locator("#reference-error")).to_contain_text("UTR")
    page.get_by_label("Reference").fill("412345678901")
    page.get_by_role("button", name="Take payment").click()
    upi = receipt_in_status(page)
    assert upi != cash

    table = page.get_by_role("table", name="Invoice payments")
    expect(table.get_by_role("row", name=cash)).to_contain_text("₹6,000.00")
    expect(table.get_by_role("row", name=upi)).to_contain_text("412345678901")
    expect(balance).to_contain_text("₹0.00")
    expect(page.get_by_role("button", name="Take payment")).to_have_count(0)

    page.goto(f"{base_url}/billing/dues")
    expect(page.get_by_role("heading", name="Dues")).to_be_visible()
    page.get_by_label("Search open invoices").fill("Nisha Verma")
    expect(page.get_by_text("Nothing matches.").last).to_be_visible()  # settled: no longer due


def test_a_booked_piece_is_paid_in_instalments_and_completed(login_as, base_url):
    first, second = (sku for _id, sku in small_pieces_in_mumbai(2))
    page = login_as("sales")
    page.get_by_role("link", name="Bookings").click()
    page.wait_for_url(f"{base_url}/billing/bookings")
    page.get_by_role("button", name="New booking").click()
    page.get_by_label("Piece SKU").fill(first)
    page.get_by_label("Customer name").fill("Kavya Iyer")
    page.get_by_label("Lock today's rate").check()
    page.get_by_label("Advance (₹)").fill("2000")
    page.get_by_label("Monthly instalments").fill("2")
    page.get_by_label("Each instalment (₹)").fill("3000")
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url(re.compile(r".*/billing/bookings/\d+$"))
    expect(page.get_by_role("heading", name=BOOKING)).to_be_visible()
    expect(page.get_by_text("Locked at the rates of")).to_be_visible()
    schedule = page.get_by_role("table", name="Instalment schedule")
    expect(schedule.get_by_role("row")).to_have_count(4)
    expect(schedule.get_by_role("row").nth(1)).to_contain_text("paid")
    expect(schedule.get_by_role("row").nth(2)).to_contain_text("due")

    page.get_by_label("Instalment method").select_option("upi")
    page.get_by_label("Instalment amount (₹)").fill("3000")
    page.get_by_label("Reference", exact=True).fill("412345678901")
    page.get_by_role("button", name="Take instalment").click()
    receipt_in_status(page)
    expect(schedule.get_by_role("row").nth(2)).to_contain_text("paid")

    page.get_by_role("button", name="Complete and invoice").click()
    page.wait_for_url(re.compile(r".*/billing/invoices/\d+$"))
    expect(page.get_by_role("heading", name=INVOICE)).to_be_visible()
    payments = page.get_by_role("table", name="Invoice payments")
    expect(payments.get_by_role("row", name=re.compile("Advance applied"))).to_contain_text("₹5,000.00")

    page.goto(f"{base_url}/billing/bookings")
    page.get_by_role("button", name="New booking").click()
    page.get_by_label("Piece SKU").fill(second)
    page.get_by_label("Customer name").fill("Rohan Mehta")
    page.get_by_label("Advance (₹)").fill("2000")
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url(re.compile(r".*/billing/bookings/\d+$"))
    expect(page.get_by_text("Refund now: ₹1,800.00", exact=False)).to_be_visible()
    page.get_by_role("button", name="Cancel booking").click()
    expect(page.locator("#reason-error")).to_be_visible()
    page.get_by_label("Reason").fill("Customer changed his mind")
    page.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_role("status")).to_contain_text("cancelled; refund ₹1,800.00")
    expect(page.get_by_text("Cancelled", exact=True)).to_be_visible()
