"""Rule 46 tax invoices from the browser: a B2B invoice to a registered buyer in Karnataka with the goods delivered
there (IGST), and a counter sale to a visitor from Gujarat (CGST + SGST); both PDFs show every particular."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from modules.billing.words import amount_in_words
from tests.e2e.billing_helpers import pdf_text, small_pieces_in_mumbai

NUMBER = r"MUM/\d{4}/\d{6}"  # Rule 46(b): 15 characters
STORE = ("Zaveri Bazaar, Mumbai", "12 Sheikh Memon Street, Mumbai 400002", "GSTIN: 27AAPFU0939F1ZV")
BUYER_GSTIN = "29AABCK1234L1ZI"  # Karnataka (29), check character I
BUYER_ADDRESS = "4 Commercial Street, Bengaluru 560001"
DELIVERY_ADDRESS = "Unit 7, Jewellers Park, Whitefield, Bengaluru 560066"


def _piece_facts(sku: str) -> tuple[str, str]:
    """The HSN of a demo piece's category and how its metal, purity and HUID print ("Gold 22K (916) · HUID ...")."""
    from jewelerp.db import read_session
    from modules.stock.masters import category_hsn, get_metal, metal_label
    from modules.stock.models import Piece

    with read_session() as session:
        piece = session.scalars(select(Piece).where(Piece.sku == sku)).one()
        metal = metal_label(get_metal(session, piece.metal_id))
        return category_hsn(session, piece.category_id), f"{metal} · HUID {piece.huid}" if piece.huid else metal


def _sell(page, base_url: str, customer: dict[str, str], sku: str) -> tuple[str, str]:
    """Bill ``sku`` to the customer typed in the new-invoice form, issue it; returns (number, payable)."""
    page.goto(f"{base_url}/billing/invoices")
    page.get_by_role("button", name="New invoice").click()
    for label, value in customer.items():
        box = page.get_by_label(label, exact=True)
        if label.endswith("state"):
            box.select_option(value)
        else:
            box.fill(value)
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r".*/billing/invoices/\d+$"))
    page.get_by_label("SKU").fill(sku)
    page.get_by_role("button", name="Add piece").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{sku} added.")
    page.get_by_role("button", name="Issue invoice").click()
    issued = page.get_by_role("status").filter(has_text="issued")
    expect(issued).to_contain_text(re.compile(rf"Invoice {NUMBER} issued\."))
    number = re.search(NUMBER, issued.inner_text()).group(0)
    payable = page.get_by_role("table", name="Invoice totals").get_by_role("row", name="Payable").inner_text()
    return number, re.search(r"₹([\d,]+\.\d\d)", payable).group(1).replace(",", "")


def _pdf(page, tmp_path) -> str:
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    return pdf_text(target)


def _assert_all(text: str, expected: list[str]) -> None:
    missing = [item for item in expected if item not in text]
    assert not missing, f"not on the invoice: {missing}"


def _common(number: str, payable: str, sku: str) -> list[str]:
    """What every tax invoice of the demo's Mumbai store prints, whoever buys."""
    hsn, metal = _piece_facts(sku)
    return [
        "TAX INVOICE",
        *STORE,
        "Maharashtra (state code 27)",
        number,
        "Reverse charge No",
        hsn,
        sku,
        metal,
        "1 PCS",
        "Taxable value",
        "Round-off",
        f"Invoice total in words: {amount_in_words(payable)}",
        "For Zaveri Bazaar, Mumbai",
        "Authorised signatory",
    ]


def test_a_b2b_invoice_delivered_in_another_state_charges_igst_and_prints_rule_46(login_as, base_url, tmp_path):
    _piece_id, sku = small_pieces_in_mumbai()[0]
    page = login_as("sales")
    buyer = {
        "Customer name": "Kaveri Gold Traders",
        "Customer's address": BUYER_ADDRESS,
        "Customer's state": "29",
        "Customer's GSTIN (registered buyer)": BUYER_GSTIN,
        "Delivery address (goods sent)": DELIVERY_ADDRESS,
        "Delivery state": "29",
    }
    number, payable = _sell(page, base_url, buyer, sku)
    assert len(number) <= 16

    text = _pdf(page, tmp_path)

    _assert_all(
        text,
        [
            *_common(number, payable, sku),
            "Kaveri Gold Traders",
            BUYER_ADDRESS,
            "Karnataka (state code 29)",
            BUYER_GSTIN,
            "Place of supply Karnataka (state code 29)",
            f"Deliver to {DELIVERY_ADDRESS}",
            "IGST 3%",
        ],
    )
    assert "CGST" not in text and "SGST" not in text
    expect(page.get_by_role("alert")).to_have_count(0)


def test_a_counter_sale_to_a_visitor_from_another_state_charges_cgst_and_sgst(login_as, base_url, tmp_path):
    _piece_id, sku = small_pieces_in_mumbai()[0]
    page = login_as("sales")
    visitor = {
        "Customer name": "Nirav Shah",
        "Customer's address": "22 Law Garden, Ahmedabad 380006",
        "Customer's state": "24",
    }
    number, payable = _sell(page, base_url, visitor, sku)

    text = _pdf(page, tmp_path)

    _assert_all(
        text,
        [
            *_common(number, payable, sku),
            "Nirav Shah",
            "22 Law Garden, Ahmedabad 380006",
            "Gujarat (state code 24)",
            "Place of supply Maharashtra (state code 27)",  # supplied over the counter in Mumbai
            "CGST 1.5%",
            "SGST 1.5%",
        ],
    )
    assert "IGST" not in text and "Deliver to" not in text
    expect(page.get_by_role("alert")).to_have_count(0)
