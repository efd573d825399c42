"""The printed invoice: a salesperson issues an invoice and downloads it as a PDF from the invoice page."""

from __future__ import annotations

import re

import pypdfium2
from playwright.sync_api import expect
from sqlalchemy import select


def _small_piece_in_mumbai() -> str:
    """The SKU of the lightest in-stock MUM piece of the demo (the sale stays below the PAN limit)."""
    from jewelerp.core.models import Store
    from jewelerp.db import read_session
    from modules.stock.models import Piece

    with read_session() as session:
        piece = session.scalars(
            select(Piece)
            .join(Store, Store.id == Piece.store_id)
            .where(Store.code == "MUM", Piece.status == "in_stock", Piece.net_weight > 0)
            .order_by(Piece.net_weight, Piece.id)
        ).first()
        assert piece is not None, "the demo has no in-stock piece in Mumbai"
        return piece.sku


def _pdf_text(path) -> str:
    document = pypdfium2.PdfDocument(path.read_bytes())
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    return " ".join(text.split())


def test_sales_downloads_the_issued_invoice_as_a_pdf(login_as, base_url, tmp_path):
    sku = _small_piece_in_mumbai()
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
    assert "DRAFT — not a tax invoice" in _pdf_text(draft)

    page.get_by_role("button", name="Issue invoice").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Invoice MUM/\d{4}-\d{2}/\d{6} issued\."))
    number = re.search(r"MUM/\d{4}-\d{2}/\d{6}", page.get_by_role("status").inner_text()).group(0)
    payable = page.get_by_role("table", name="Invoice totals").get_by_role("row", name=re.compile("Payable"))
    amount = re.search(r"₹[\d,]+\.\d\d", payable.inner_text()).group(0)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == f"invoice-{number.replace('/', '-')}.pdf"
    text = _pdf_text(target)
    for expected in ("TAX INVOICE", number, "Anaya Desai", sku, "7113", "CGST 1.5%", "SGST 1.5%", "Round-off", amount):
        assert expected in text
    assert "Amount payable in words: Rupees" in text and "DRAFT" not in text
    expect(page.get_by_role("alert")).to_have_count(0)
