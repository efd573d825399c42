"""The printed invoice: a salesperson issues an invoice and downloads it as a PDF from the invoice page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.billing_helpers import pdf_text, small_pieces_in_mumbai

ISSUE_MS = 20_000  # the suite runs this beside the PostgreSQL and add-on tests on 2 cores: issuing took over 5 s once


def test_sales_downloads_the_issued_invoice_as_a_pdf(login_as, base_url, tmp_path):
    _piece_id, sku = small_pieces_in_mumbai()[0]
    page = login_as("sales")
    page.goto(f"{base_url}/billing/invoices")
    page.get_by_role("button", name="New invoice").click()
    page.get_by_label("Customer name").fill("Anaya Desai")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r".*/billing/invoices/\d+$"))
    page.get_by_label("SKU").fill(sku)
    page.get_by_role("button", name="Add piece").click()
    expect(page.get_by_role("status")).to_contain_text(f"{sku} added.")

    with page.expect_download() as draft_download:
        page.get_by_role("button", name="Download PDF").click()
    draft = tmp_path / draft_download.value.suggested_filename
    draft_download.value.save_as(draft)
    assert re.fullmatch(r"invoice-Draft-\d+\.pdf", draft.name)
    assert "DRAFT — not a tax invoice" in pdf_text(draft)

    page.get_by_role("button", name="Issue invoice").click()  # queued behind the draft's PDF on a busy machine
    issued = re.compile(r"Invoice MUM/\d{4}/\d{6} issued\.")
    expect(page.get_by_role("status")).to_contain_text(issued, timeout=ISSUE_MS)
    number = re.search(r"MUM/\d{4}/\d{6}", page.get_by_role("status").inner_text()).group(0)
    payable = page.get_by_role("table", name="Invoice totals").get_by_role("row", name=re.compile("Payable"))
    amount = re.search(r"₹[\d,]+\.\d\d", payable.inner_text()).group(0)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == f"invoice-{number.replace('/', '-')}.pdf"
    text = pdf_text(target)
    for expected in ("TAX INVOICE", number, "Anaya Desai", sku, "7113", "CGST 1.5%", "SGST 1.5%", "Round-off", amount):
        assert expected in text
    assert "Invoice total in words: Rupees" in text and "DRAFT" not in text
    expect(page.get_by_role("alert")).to_have_count(0)
