"""A sale as the issue tells it: the salesperson bills a demo customer (by number) for a demo piece (by SKU),
issues the invoice, takes a split payment in cash and by card, downloads the PDF, and finds the piece sold in
stock."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from modules.billing.words import amount_in_words
from tests.e2e.billing_helpers import pdf_text, receipt_in_status, small_pieces_in_mumbai

NUMBER = r"MUM/\d{4}/\d{6}"


def _customer_in_mumbai() -> tuple[int, str]:
    """The number and name of the first demo customer of MUM."""
    from jewelerp.core.models import Store
    from jewelerp.db import read_session
    from modules.clienteling.models import Customer

    with read_session() as session:
        customer = session.scalars(
            select(Customer).join(Store, Store.id == Customer.store_id).where(Store.code == "MUM").order_by(Customer.id)
        ).first()
        assert customer is not None, "the demo has no customer in Mumbai"
        return customer.id, customer.name


def _rupees(text: str) -> Decimal:
    return Decimal(re.search(r"₹([\d,]+\.\d\d)", text).group(1).replace(",", ""))


def test_sales_bills_a_customer_takes_cash_and_card_and_the_piece_is_sold(login_as, base_url, tmp_path):
    customer_id, customer = _customer_in_mumbai()
    _piece_id, sku = small_pieces_in_mumbai()[0]
    page = login_as("sales")
    page.get_by_role("link", name="Invoices").click()
    page.wait_for_url(f"{base_url}/billing/invoices")
    page.get_by_role("button", name="New invoice").click()
    page.get_by_label("Customer number (optional)").fill(str(customer_id))
    page.get_by_role("button", name="Create draft").click()  # the name is left for Customers to fill in
    page.wait_for_url(re.compile(r".*/billing/invoices/\d+$"))
    expect(page.get_by_text(customer, exact=True).first).to_be_visible()
    page.get_by_label("SKU").fill(sku)
    page.get_by_role("button", name="Add piece").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{sku} added.")
    page.get_by_role("button", name="Issue invoice").click()
    issued = page.get_by_role("status").filter(has_text="issued")
    expect(issued).to_contain_text(re.compile(rf"Invoice {NUMBER} issued\."))
    number = re.search(NUMBER, issued.inner_text()).group(0)

    payable = _rupees(page.get_by_role("table", name="Invoice totals").get_by_role("row", name="Payable").inner_text())
    cash = (payable / 2).quantize(Decimal(1))
    page.get_by_label("Payment method").select_option("cash")
    page.get_by_label("Payment amount (₹)").fill(str(cash))
    page.get_by_role("button", name="Take payment").click()
    cash_receipt = receipt_in_status(page)
    page.get_by_label("Payment method").select_option("card")
    expect(page.get_by_label("Payment amount (₹)")).to_have_value(f"{payable - cash:.2f}")  # the balance
    page.get_by_label("Reference").fill("4821")
    page.get_by_role("button", name="Take payment").click()
    expect(page.get_by_label("Balance", exact=True)).to_contain_text("₹0.00")  # then the message names the receipt
    card_receipt = receipt_in_status(page)
    assert card_receipt != cash_receipt

    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    text = pdf_text(target)
    for expected in (
        "TAX INVOICE",
        number,
        customer,
        sku,
        f"Invoice total in words: {amount_in_words(payable)}",  # no old gold: the total is the payable
        f"{cash_receipt} Cash",
        f"{card_receipt} Card 4821",
        "Balance due ₹0.00",
    ):
        assert expected in text, expected

    page.get_by_role("navigation", name="Main menu").first.get_by_role("link", name="Stock", exact=True).click()
    page.wait_for_url(re.compile(r"/stock/pieces$"))
    page.get_by_label("Search pieces").fill(sku)
    page.get_by_role("row").filter(has_text=sku).get_by_role("link", name=sku).click()
    page.wait_for_url(re.compile(r"/stock/pieces/\d+$"))
    expect(page.get_by_role("heading", name=sku)).to_be_visible()
    expect(page.get_by_text("Sold", exact=True).first).to_be_visible()
