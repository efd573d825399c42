"""Estimates and approvals in the browser: a salesperson quotes an estimate and converts it to an issued
invoice; a discount above the store's limit waits until a manager approves it, then the invoice is issued."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.billing_helpers import small_pieces_in_mumbai
from tests.e2e.conftest import DEMO_LOGINS, TIMEOUT_MS, sign_in


def _said(page):
    """The page's message (an issued invoice also shows its balance as a status)."""
    return page.get_by_role("status").first


def _new_draft(page, base_url: str, list_path: str, button: str, submit: str, customer: str) -> str:
    """Open a new draft from a list page; returns its page's address."""
    page.goto(f"{base_url}{list_path}")
    page.get_by_role("button", name=button).click()
    page.get_by_label("Customer name").fill(customer)
    page.get_by_role("button", name=submit).click()
    page.wait_for_url(re.compile(r".*/billing/invoices/\d+$"))
    return page.url


def _add_piece(page, sku: str, discount: str = "") -> None:
    page.get_by_label("SKU").fill(sku)
    page.get_by_label("Discount % (optional)").fill(discount)
    page.get_by_role("button", name="Add piece").click()
    expect(_said(page)).to_contain_text(f"{sku} added.")


def test_sales_quotes_an_estimate_and_converts_it_to_an_invoice(login_as, base_url):
    _piece_id, sku = small_pieces_in_mumbai()[0]
    page = login_as("sales")
    page.get_by_role("link", name="Estimates").click()
    page.wait_for_url(f"{base_url}/billing/estimates")
    estimate_url = _new_draft(page, base_url, "/billing/estimates", "New estimate", "Create estimate", "Rohan Mehta")
    expect(page.get_by_role("heading", name=re.compile(r"^Estimate draft #\d+$"))).to_be_visible()
    _add_piece(page, sku)
    expect(page.get_by_role("button", name="Issue invoice")).to_have_count(0)  # an estimate is never issued

    page.get_by_role("button", name="Quote estimate").click()
    expect(_said(page)).to_contain_text(re.compile(r"Estimate MUM/E\d{4}/\d{5} quoted"))
    number = re.search(r"MUM/E\d{4}/\d{5}", _said(page).inner_text()).group(0)
    expect(page.get_by_role("heading", name=f"Estimate {number}")).to_be_visible()
    expect(page.get_by_text("Valid until", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Add piece")).to_have_count(0)  # quoted: read-only
    expect(page.get_by_role("button", name="Print estimate")).to_be_visible()

    page.get_by_role("button", name="Convert to invoice").click()
    expect(_said(page)).to_contain_text(re.compile(r"invoice MUM/\d{4}/\d{6} issued\."))
    invoice = re.search(r"MUM/\d{4}/\d{6}", _said(page).inner_text()).group(0)
    page.get_by_role("link", name=invoice).click()
    expect(page.get_by_role("heading", name=invoice, exact=True)).to_be_visible()
    expect(page.get_by_text("Issued", exact=True).first).to_be_visible()
    estimate_path = estimate_url.removeprefix(base_url)
    expect(page.get_by_role("link", name=f"Estimate {number}")).to_have_attribute("href", estimate_path)

    page.goto(f"{base_url}/billing/estimates")
    page.get_by_label("Search estimates").fill(number)
    expect(page.get_by_role("row", name=number)).to_contain_text("Converted")


def test_a_large_discount_waits_for_a_managers_approval(login_as, base_url, browser):
    from jewelerp.demo import DEMO_PASSWORD

    _piece_id, sku = small_pieces_in_mumbai()[0]
    page = login_as("sales")
    invoice_url = _new_draft(page, base_url, "/billing/invoices", "New invoice", "Create draft", "Tara Singh")
    title = page.get_by_role("heading", name=re.compile(r"^Draft #\d+$")).inner_text()
    _add_piece(page, sku, discount="12")
    expect(page.get_by_text("Needs a manager's approval")).to_be_visible()
    page.get_by_role("button", name="Issue invoice").click()
    expect(page.get_by_role("alert")).to_contain_text("waits for a manager's approval")
    expect(page.get_by_role("alert")).to_contain_text(f"{sku} is discounted 12%")
    page.get_by_role("button", name="Request approval").click()
    expect(_said(page)).to_contain_text("Approval requested")
    expect(page.get_by_text("Waiting for a manager's approval")).to_be_visible()

    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(TIMEOUT_MS)
    manager = context.new_page()
    try:
        sign_in(manager, base_url, DEMO_LOGINS["manager"], DEMO_PASSWORD)
        manager.wait_for_url(f"{base_url}/")
        manager.get_by_role("link", name="Approvals").click()
        manager.wait_for_url(f"{base_url}/billing/approvals")
        expect(manager.get_by_role("row", name=title)).to_contain_text("above the 5% limit")
        manager.get_by_role("button", name=f"Reject {title}").click()
        expect(manager.get_by_role("alert")).to_contain_text("Say why the draft is rejected")
        manager.get_by_label(f"Note for {title}").fill("Wedding order, approved")
        manager.get_by_role("button", name=f"Approve {title}").click()
        expect(_said(manager)).to_contain_text(f"{title} approved.")
        expect(manager.get_by_role("row", name=title)).to_have_count(0)
    finally:
        context.close()

    page.goto(invoice_url)
    expect(page.get_by_text("Approved", exact=True)).to_be_visible()
    expect(page.get_by_text("Wedding order, approved")).to_be_visible()
    page.get_by_role("button", name="Issue invoice").click()
    expect(_said(page)).to_contain_text(re.compile(r"Invoice MUM/\d{4}/\d{6} issued\."))
