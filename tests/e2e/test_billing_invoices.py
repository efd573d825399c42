"""Invoice pages: a manager bills an in-stock piece, issues the invoice, then cancels it with a credit note."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.billing_helpers import small_pieces_in_mumbai


def test_manager_issues_and_cancels_an_invoice(login_as, base_url):
    piece_id, sku = small_pieces_in_mumbai()[0]
    page = login_as("manager")
    page.get_by_role("link", name="Invoices").click()
    page.wait_for_url(f"{base_url}/billing/invoices")
    page.get_by_role("button", name="New invoice").click()
    expect(page.get_by_label("Customer's state")).to_have_value("27")  # the store's state, by its GST code
    page.get_by_label("Customer name").fill("Ira Kapoor")
    page.get_by_label("Customer number (optional)").fill("forty")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator("#customer_id-error")).to_contain_text("digits only")
    page.get_by_label("Customer number (optional)").fill("")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r".*/billing/invoices/\d+$"))
    invoice_url = page.url

    page.get_by_role("button", name="Issue invoice").click()
    expect(page.get_by_role("alert")).to_contain_text("Add a piece or a service before issuing the invoice.")
    page.get_by_label("Service").fill("Polishing")
    page.get_by_label("Amount (₹)").fill("500")
    page.get_by_role("button", name="Add service").click()
    expect(page.get_by_role("status")).to_contain_text("Service added.")
    page.get_by_role("button", name="Remove Polishing").click()
    expect(page.get_by_role("status")).to_contain_text("Line removed.")
    expect(page.get_by_text("No lines yet.")).to_be_visible()

    page.get_by_label("SKU").fill(sku.lower())
    page.get_by_role("button", name="Add piece").click()
    expect(page.get_by_role("status")).to_contain_text(f"{sku} added.")
    lines = page.get_by_role("table", name="Invoice lines")
    for label in ("Metal value", "Wastage", "Making charges", "Taxable value", "CGST", "SGST", "Round off"):
        expect(lines).to_contain_text(label)
    totals = page.get_by_role("table", name="Invoice totals")
    for label in ("CGST", "SGST", "Round-off", "Payable"):
        expect(totals.get_by_role("row", name=re.compile(label))).to_contain_text("₹")

    page.get_by_role("button", name="Issue invoice").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Invoice MUM/\d{4}/\d{6} issued\."))
    number = re.search(r"MUM/\d{4}/\d{6}", page.get_by_role("status").inner_text()).group(0)
    expect(page.get_by_role("heading", name=number, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Add piece")).to_have_count(0)
    expect(page.get_by_role("button", name="Issue invoice")).to_have_count(0)

    page.goto(f"{base_url}/stock/pieces/{piece_id}")
    expect(page.get_by_role("heading", name=sku)).to_be_visible()
    expect(page.get_by_text("Sold", exact=True).first).to_be_visible()

    page.goto(invoice_url)
    page.get_by_label("Reason").fill("Customer changed her mind")
    expect(page.get_by_label("Reason")).to_have_value("Customer changed her mind")
    page.get_by_role("button", name="Cancel with a credit note").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"credit note MUM/C\d{4}/\d{5}"))
    expect(page.get_by_text("Cancelled", exact=True)).to_be_visible()
    page.get_by_role("link", name="All invoices").click()
    page.wait_for_url(f"{base_url}/billing/invoices")
    page.get_by_label("Search invoices").fill(number)
    expect(page.get_by_role("row", name=number)).to_contain_text("Cancelled")

    page.goto(f"{base_url}/stock/pieces/{piece_id}")
    expect(page.get_by_role("heading", name=sku)).to_be_visible()
    expect(page.get_by_text("In stock", exact=True).first).to_be_visible()
    expect(page.get_by_text("Sales return", exact=True)).to_be_visible()
