"""Printed invoices, estimates and receipts: what the paper says (text read back with pdfium), the QR of each
piece (decoded with zxing), the draft / cancelled / estimate headings, long invoices over several pages, the
rupee sign from the embedded DejaVu font, and who may print what."""

from __future__ import annotations

from decimal import Decimal as D

import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import select

from jewelerp.core.models import Store
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, NotFound, PermissionDenied
from modules.billing import pdf
from modules.billing.estimates import create_estimate, quote_estimate
from modules.billing.invoices import (
    add_old_gold,
    add_piece_line,
    add_service_line,
    cancel_invoice,
    create_draft,
    issue_invoice,
)
from modules.billing.models import Booking, Invoice, Payment
from modules.billing.old_gold import OldGoldEntry
from modules.billing.pdf import invoice_file_name, invoice_pdf, receipt_file_name, receipt_pdf
from modules.billing.rates import set_rate
from modules.billing.supply import Recipient
from modules.billing.words import amount_in_words
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal, Piece
from modules.stock.pieces import PieceInput, receive_piece
from modules.stock.tags import piece_url, revoke_token
from tests.modules.stock.huids import new_huid

GSTIN = "27AAACJ1234F1Z5"


@pytest.fixture
def metals(world) -> dict[tuple[str, int], int]:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        session.get(Store, world.mum).gstin = GSTIN
        ids = {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))}
        set_rate(session, manager, ids[("gold", 916)], "12000")
    return ids


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _piece(world, metals, description: str = "") -> int:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        category = session.scalars(select(Category).where(Category.code == "RING")).one()
        data = PieceInput(
            str(category.id),
            str(metals[("gold", 916)]),
            "5.120",
            making_rule="percent",
            making_value="12",
            wastage_pct="10",
            description=description,
            huid=new_huid(),
        )
        return receive_piece(session, manager, data).id


def _invoice(invoice_id: int) -> Invoice:
    with read_session() as session:
        return session.get(Invoice, invoice_id)


def _pay(world, invoice_id: int, method: str, amount: str, kind: str = "receipt", number: str | None = None) -> int:
    """A payment row as the payments service records it (that service is tested on its own)."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        invoice = session.get(Invoice, invoice_id)
        payment = Payment(
            store_id=invoice.store_id,
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
            receipt_number=number,
            kind=kind,
            method=method,
            amount=D(amount),
            reference="UTR 4411" if method == "upi" else "",
            on=manager.today(),
            received_by=manager.user_name,
        )
        if kind != "refund":
            invoice.paid += D(amount)
        session.add(payment)
        session.flush()
        return payment.id


def _pages(content: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(content)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def _text(content: bytes) -> str:
    """All pages' text, runs of white space (wrapped lines) made one space."""
    return " ".join(" ".join(_pages(content)).split())


def _qr_codes(content: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(content)
    found = []
    for i in range(len(document)):
        image = document[i].render(scale=200 / 72).to_pil()
        found += [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    return found


def _print(actor, invoice_id: int) -> bytes:
    with read_session() as session:
        return invoice_pdf(session, actor, invoice_id)


def _issued_sale(world, metals, **customer) -> tuple[int, int]:
    """An issued invoice with a piece, a service and old gold; returns (invoice id, piece id)."""
    sales = world.actor("sales")
    piece = _piece(world, metals)
    invoice = _do(sales, create_draft, customer_name="Ira Kapoor", **customer).id
    _do(sales, add_piece_line, invoice, piece)
    _do(sales, add_service_line, invoice, "Rhodium polish", "500")
    exchange = OldGoldEntry("gold", "916", "1.100", "1.000", "2", "passport", "K1234567", seller_address="Colaba")
    _do(sales, add_old_gold, invoice, exchange)
    _do(sales, issue_invoice, invoice)
    return invoice, piece


# ---------------------------------------------------------------------------- the tax invoice


def test_an_issued_invoice_prints_everything_a_tax_invoice_needs(world, metals):
    invoice_id, _piece_id = _issued_sale(world, metals, customer_pan="ABCDE1234F")
    invoice = _invoice(invoice_id)
    _pay(world, invoice_id, "cash", "20000.00", number="MUM/2026-27/RCT/000001")
    _pay(world, invoice_id, "upi", "15000.00", number="MUM/2026-27/RCT/000002")

    text = _text(_print(world.actor("sales"), invoice_id))

    for expected in ("TAX INVOICE", "Mumbai", "Zaveri Bazaar", f"GSTIN: {GSTIN}", invoice.number, "Ira Kapoor"):
        assert expected in text
    assert "ABCDE1234F" not in text and "234F" in text and "Maharashtra" in text  # sales sees the PAN masked
    assert "7113" in text and "9987" in text  # HSN of jewellery, SAC of the repair service
    assert "CGST 1.5%" in text and "SGST 1.5%" in text and "IGST" not in text
    assert "CGST 9% ₹45.00" in text and "SGST 9% ₹45.00" in text  # the ₹500 polish at 18%: 9% + 9%
    money = pdf.format_inr
    for amount in (invoice.cgst - D("45.00"), invoice.round_off, invoice.total, invoice.payable):
        assert money(amount, paise=True) in text
    assert "Round-off" in text and "Less old gold purchase" in text and "Settlement round-off" in text
    assert money(-invoice.old_gold_credit, paise=True) in text
    assert "Metal value" in text and "Making charges" in text and "Wastage" in text  # the breakdown is printed
    assert "deducted after tax" in text
    assert amount_in_words(invoice.payable) in text
    assert "MUM/2026-27/RCT/000001" in text and "UTR 4411" in text
    assert money(invoice.payable - D("35000.00"), paise=True) in text  # the balance
    assert "DRAFT" not in text


def test_an_inter_state_sale_prints_igst(world, metals):
    delivery = "4 Commercial Street, Bengaluru 560001"  # goods delivered in Karnataka: IGST
    invoice_id, _ = _issued_sale(world, metals, recipient=Recipient(delivery, "29", "", delivery, "29"))
    invoice = _invoice(invoice_id)
    text = _text(_print(world.actor("sales"), invoice_id))
    assert "IGST 3%" in text and "IGST 18% ₹90.00" in text  # the piece at 3%; the ₹500 polish at 18%
    assert pdf.format_inr(invoice.igst - D("90.00"), paise=True) in text
    assert "CGST" not in text and "Karnataka" in text


def test_each_piece_has_a_qr_of_its_public_certificate_page(world, metals):
    invoice_id, piece_id = _issued_sale(world, metals)
    with read_session() as session:
        url = piece_url(session, session.get(Piece, piece_id))
    assert _qr_codes(_print(world.actor("sales"), invoice_id)) == [url]

    _do(world.actor("manager"), revoke_token, piece_id)
    content = _print(world.actor("sales"), invoice_id)
    assert _qr_codes(content) == [] and "Link revoked" in _text(content)


def test_a_long_invoice_runs_over_pages_with_the_headings_repeated(world, metals):
    sales = world.actor("sales")
    story = "Hand-set antique temple necklace with kundan work, meenakari on the reverse and a long drop " * 3
    invoice = _do(sales, create_draft, customer_name="Meera Rao").id
    for _ in range(3):
        _do(sales, add_piece_line, invoice, _piece(world, metals, description=story[:280]))
    for n in range(12):
        _do(sales, add_service_line, invoice, f"Service {n + 1}", "250")
    pages = _pages(_print(sales, invoice))
    assert len(pages) >= 2
    assert all("Page " in page for page in pages)
    with_lines = [page for page in pages if "Service " in page or "MUM-0" in page]
    assert len(with_lines) >= 2 and all("HSN/SAC" in page for page in with_lines), "each page of lines has headings"
    assert "Service 12" in with_lines[-1] and "Payable" in "".join(pages)
    assert len(_qr_codes(_print(sales, invoice))) == 3


# ---------------------------------------------------------------------------- drafts, cancelled, estimates


def test_a_draft_says_it_is_not_a_tax_invoice(world, metals):
    sales = world.actor("sales")
    invoice = _do(sales, create_draft, customer_name="Ira Kapoor").id
    _do(sales, add_service_line, invoice, "Polishing", "1000")
    text = _text(_print(sales, invoice))
    assert "DRAFT — not a tax invoice" in text and "TAX INVOICE" not in text
    assert f"Draft #{invoice}" in text and "Payments" not in text
    assert invoice_file_name(_invoice(invoice)) == f"invoice-Draft-{invoice}.pdf"


def test_a_cancelled_invoice_names_its_credit_note(world, metals):
    invoice_id, _ = _issued_sale(world, metals)
    note = _do(world.actor("manager"), cancel_invoice, invoice_id, "Customer returned the ring")
    text = _text(_print(world.actor("sales"), invoice_id))
    assert "CANCELLED" in text and note.number in text and "Customer returned the ring" in text
    assert "Balance due" not in text


def test_an_estimate_prints_as_an_estimate_with_its_validity(world, metals):
    sales = world.actor("sales")
    estimate = _do(sales, create_estimate, customer_name="Kabir Shah").id
    _do(sales, add_piece_line, estimate, _piece(world, metals))
    draft = _text(_print(sales, estimate))
    assert "ESTIMATE" in draft and "DRAFT" in draft  # the watermark until it is quoted
    quoted = _do(sales, quote_estimate, estimate)
    text = _text(_print(sales, estimate))
    assert "ESTIMATE" in text and quoted.number in text and "DRAFT" not in text
    assert f"Valid until {quoted.valid_until:%d %b %Y}" in text and "not a tax invoice" in text
    assert "TAX INVOICE" not in text and "Payments" not in text
    assert invoice_file_name(_invoice(estimate)) == f"estimate-{quoted.number.replace('/', '-')}.pdf"


# ---------------------------------------------------------------------------- the rupee sign


def test_amounts_print_with_the_rupee_sign_in_the_font_shipped_in_assets(world, metals):
    invoice_id, _ = _issued_sale(world, metals)
    payable = pdf.format_inr(_invoice(invoice_id).payable, paise=True)
    paper = _print(world.actor("sales"), invoice_id)
    assert payable.startswith("₹") and payable in _text(paper)
    assert b"DejaVuSans" in paper  # embedded from assets/fonts, not borrowed from the machine


# ---------------------------------------------------------------------------- who may print


def test_only_staff_of_the_store_who_bill_may_print(world, metals):
    invoice_id, _ = _issued_sale(world, metals)
    with pytest.raises(NotFound):
        _print(world.actor("manager", world.dl), invoice_id)
    with pytest.raises(PermissionDenied):
        _print(world.actor("designer"), invoice_id)
    with pytest.raises(NotFound):
        _print(world.actor("sales"), 999_999)


# ---------------------------------------------------------------------------- receipts


def _receipt(actor, payment_id: int) -> bytes:
    with read_session() as session:
        return receipt_pdf(session, actor, payment_id)


def test_a_receipt_prints_the_payment_and_its_invoice(world, metals):
    invoice_id, _ = _issued_sale(world, metals)
    payment = _pay(world, invoice_id, "upi", "12345.50", number="MUM/2026-27/RCT/000007")
    text = _text(_receipt(world.actor("sales"), payment))
    for expected in (
        "PAYMENT RECEIPT",
        f"GSTIN: {GSTIN}",
        "MUM/2026-27/RCT/000007",
        "Ira Kapoor",
        _invoice(invoice_id).number,
        "UPI",
        "UTR 4411",
        "₹12,345.50",
        "Rupees Twelve Thousand Three Hundred Forty-Five and Fifty Paise Only",
    ):
        assert expected in text
    with read_session() as session:
        assert receipt_file_name(session.get(Payment, payment)) == "receipt-MUM-2026-27-RCT-000007.pdf"


def test_a_booking_advance_receipt_names_the_booking(world, metals):
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        booking = Booking(store_id=world.mum, number="MUM/2026-27/ADV/000003", customer_name="Tara Iyer")
        session.add(booking)
        session.flush()
        payment = Payment(
            store_id=world.mum,
            booking_id=booking.id,
            receipt_number="MUM/2026-27/RCT/000009",
            method="cash",
            amount=D("5000.00"),
            on=manager.today(),
        )
        session.add(payment)
        session.flush()
        payment_id = payment.id
    text = _text(_receipt(manager, payment_id))
    assert "MUM/2026-27/ADV/000003" in text and "Tara Iyer" in text and "Rupees Five Thousand Only" in text


def test_receipts_are_refused_elsewhere_and_for_applied_advances(world, metals):
    invoice_id, _ = _issued_sale(world, metals)
    payment = _pay(world, invoice_id, "cash", "100.00", number="MUM/2026-27/RCT/000011")
    applied = _pay(world, invoice_id, "advance", "100.00", kind="applied")
    with pytest.raises(NotFound):
        _receipt(world.actor("manager", world.dl), payment)
    with pytest.raises(PermissionDenied):
        _receipt(world.actor("designer"), payment)
    with pytest.raises(JewelError, match="no receipt of its own"):
        _receipt(world.actor("sales"), applied)
