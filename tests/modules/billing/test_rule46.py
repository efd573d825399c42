"""The printed tax invoice carries every particular of CGST Rule 46 (text read back with pdfium): a B2B sale to a
registered buyer in another state delivered there (IGST), a counter sale to a visitor from another state (CGST +
SGST), an invoice issued before these particulars were kept, and the receipt voucher of an advance (Rule 50)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal as D

import pypdfium2
import pytest
from sqlalchemy import select

from jewelerp.core.models import Store
from jewelerp.db import read_session, unit_of_work
from modules.billing.invoices import add_piece_line, add_service_line, create_draft, issue_invoice
from modules.billing.models import Booking, Invoice, InvoiceLine, Payment
from modules.billing.pdf import invoice_pdf, receipt_pdf
from modules.billing.rates import set_rate
from modules.billing.supply import Recipient
from modules.billing.tax_classes import REPAIR
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.stock.huids import new_huid

STORE_GSTIN = "27AAPFU0939F1ZV"  # Maharashtra (27), check character V
BUYER_GSTIN = "29AABCK1234L1ZI"  # Karnataka (29), check character I
BUYER_ADDRESS = "4 Commercial Street, Bengaluru 560001"
DELIVERY_ADDRESS = "Unit 7, Jewellers Park, Whitefield, Bengaluru 560066"
SERIAL = re.compile(r"^[A-Za-z0-9/-]{1,16}$")  # Rule 46(b)


@pytest.fixture
def gold(world) -> int:
    """The 22K gold id, at ₹12,000/g today; Mumbai registered in Maharashtra."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        store = session.get(Store, world.mum)
        store.gstin, store.address = STORE_GSTIN, "Zaveri Bazaar, Mumbai 400002"
        metal = session.scalars(select(Metal).where(Metal.metal == "gold", Metal.fineness == 916)).one()
        set_rate(session, manager, metal.id, "12000")
        return metal.id


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _ring(world, gold: int, huid: str) -> int:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        category = session.scalars(select(Category).where(Category.code == "RING")).one()
        data = PieceInput(
            str(category.id),
            str(gold),
            "5.120",
            making_rule="percent",
            making_value="12",
            wastage_pct="10",
            description="Ring",
            huid=huid,
        )
        return receive_piece(session, manager, data).id


def _sale(world, gold: int, name: str, recipient: Recipient, huid: str) -> Invoice:
    """A 22K ring and a ₹500 repair (SAC 9987, 18%), issued."""
    sales = world.actor("sales")
    invoice = _do(sales, create_draft, customer_name=name, recipient=recipient).id
    _do(sales, add_piece_line, invoice, _ring(world, gold, huid))
    _do(sales, add_service_line, invoice, "Repair of a chain clasp", "500", REPAIR)
    return _do(sales, issue_invoice, invoice)


def _text(content: bytes) -> str:
    """All pages' text, runs of white space (wrapped lines) made one space."""
    document = pypdfium2.PdfDocument(content)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    return " ".join(" ".join(pages).split())


def _printed(actor, invoice_id: int) -> str:
    with read_session() as session:
        return _text(invoice_pdf(session, actor, invoice_id))


def _assert_all(text: str, expected: list[str]) -> None:
    missing = [item for item in expected if item not in text]
    assert not missing, f"not on the invoice: {missing}"


# The ring, as the pricing engine works it (each line to the paisa):
#   metal 5.120 g × ₹12,000 = ₹61,440.00; wastage 10% of it = ₹6,144.00; making 12% of the metal = ₹7,372.80;
#   hallmark ₹45.00 (it has a HUID) -> taxable ₹75,001.80.
RING_TAXABLE = "₹75,001.80"


def test_a_b2b_inter_state_invoice_delivered_there_prints_every_rule_46_particular(world, gold):
    huid = new_huid()
    recipient = Recipient(BUYER_ADDRESS, "29", BUYER_GSTIN, DELIVERY_ADDRESS, "29")
    invoice = _sale(world, gold, "Kaveri Gold Traders", recipient, huid)
    assert SERIAL.match(invoice.number) and invoice.place_of_supply == "29"

    text = _printed(world.actor("sales"), invoice.id)

    # IGST (place of supply Karnataka, the buyer's GSTIN state): ring 3% of ₹75,001.80 = ₹2,250.054 -> ₹2,250.05;
    # repair 18% of ₹500.00 = ₹90.00. Taxable ₹75,501.80 + IGST ₹2,340.05 = ₹77,841.85 -> total ₹77,842.00,
    # round-off ₹0.15.
    assert (invoice.igst, invoice.cgst, invoice.round_off, invoice.total) == (
        D("2340.05"),
        D("0.00"),
        D("0.15"),
        D("77842.00"),
    )
    _assert_all(
        text,
        [
            "TAX INVOICE",
            # (a) the supplier
            "Mumbai",
            "Zaveri Bazaar, Mumbai 400002",
            "Maharashtra (state code 27)",
            f"GSTIN: {STORE_GSTIN}",
            # (b), (c) number and date
            invoice.number,
            f"{invoice.invoice_date:%d %b %Y}",
            # (d) the registered recipient
            "Kaveri Gold Traders",
            BUYER_ADDRESS,
            "Karnataka (state code 29)",
            BUYER_GSTIN,
            # (n), (o) place of supply and the delivery address; (p) reverse charge
            "Place of supply Karnataka (state code 29)",
            f"Deliver to {DELIVERY_ADDRESS}",
            "Reverse charge No",
            # (g), (h), (i), (k) per line
            "7113",
            "9987",
            "Gold 22K (916) · HUID " + huid,
            "1 PCS",
            "5.120 g",
            RING_TAXABLE,
            "Repair of a chain clasp",
            "₹500.00",
            # (l), (m) rate and amount of each tax, per line and in total
            "IGST",
            "3% ₹2,250.05",
            "18% ₹90.00",
            "IGST 3% ₹2,250.05",
            "IGST 18% ₹90.00",
            # (j) totals, round-off, total in words; (q) signature
            "Taxable value ₹75,501.80",
            "Round-off ₹0.15",
            "Total ₹77,842.00",
            "Invoice total in words: Rupees Seventy-Seven Thousand Eight Hundred Forty-Two Only",
            "For Mumbai",
            "Authorised signatory",
        ],
    )
    assert "CGST" not in text and "SGST" not in text


def test_a_counter_sale_to_a_visitor_from_another_state_prints_cgst_and_sgst(world, gold):
    huid = new_huid()
    recipient = Recipient("22 Law Garden, Ahmedabad 380006", "24")  # unregistered, taking the goods at the counter
    invoice = _sale(world, gold, "Nirav Shah", recipient, huid)
    assert SERIAL.match(invoice.number) and invoice.place_of_supply == "27"

    text = _printed(world.actor("sales"), invoice.id)

    # Within Maharashtra: ring CGST 1.5% of ₹75,001.80 = ₹1,125.027 -> ₹1,125.03, SGST the same; repair CGST 9%
    # of ₹500.00 = ₹45.00, SGST the same. Taxable ₹75,501.80 + ₹2,340.06 = ₹77,841.86 -> ₹77,842.00 (+₹0.14).
    assert (invoice.cgst, invoice.sgst, invoice.igst, invoice.round_off) == (
        D("1170.03"),
        D("1170.03"),
        D("0.00"),
        D("0.14"),
    )
    _assert_all(
        text,
        [
            "TAX INVOICE",
            invoice.number,
            "Nirav Shah",
            "22 Law Garden, Ahmedabad 380006",
            "Gujarat (state code 24)",  # the customer's own state, as Rule 46(e)/(f) asks
            "Place of supply Maharashtra (state code 27)",  # but supplied over the counter in Mumbai
            "Reverse charge No",
            "7113",
            "9987",
            "Gold 22K (916) · HUID " + huid,
            "1 PCS",
            "CGST",
            "SGST",
            "1.5% ₹1,125.03",
            "9% ₹45.00",
            "CGST 1.5% ₹1,125.03",
            "SGST 1.5% ₹1,125.03",
            "CGST 9% ₹45.00",
            "SGST 9% ₹45.00",
            "Round-off ₹0.14",
            "Invoice total in words: Rupees Seventy-Seven Thousand Eight Hundred Forty-Two Only",
            "For Mumbai",
            "Authorised signatory",
        ],
    )
    assert "IGST" not in text and "GSTIN: 24" not in text and "Deliver to" not in text


def test_an_invoice_issued_before_the_rule_46_fields_prints_what_it_kept(world, gold):
    """No HSN/SAC, rate or place of supply kept: 9988 at the 3% of then; IGST went to the state typed then."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        invoice = Invoice(
            store_id=world.mum,
            number="MUM/2026-27/000009",
            financial_year="2026-27",
            status="issued",
            customer_name="Old Customer",
            customer_state="Karnataka",
            invoice_date=manager.today(),
            issued_at=datetime.now(UTC),
            taxable=D("1000.00"),
            igst=D("30.00"),
            total=D("1030.00"),
            payable=D("1030.00"),
        )
        session.add(invoice)
        session.flush()
        session.add(
            InvoiceLine(
                invoice_id=invoice.id,
                kind="service",
                description="Polishing",
                taxable=D("1000.00"),
                igst=D("30.00"),
                amount=D("1030.00"),
            )
        )
        invoice_id = invoice.id

    text = _printed(world.actor("sales"), invoice_id)

    _assert_all(
        text, ["MUM/2026-27/000009", "9988", "3% ₹30.00", "IGST 3% ₹30.00", "Place of supply Karnataka (state code 29)"]
    )


def test_an_advance_on_a_booking_prints_a_receipt_voucher_with_nil_tax(world, gold):
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        booking = Booking(
            store_id=world.mum,
            number="MUM/A2627/00003",
            customer_name="Tara Iyer",
            customer_state_code="27",
            description="22K temple necklace",
        )
        session.add(booking)
        session.flush()
        payment = Payment(
            store_id=world.mum,
            booking_id=booking.id,
            receipt_number="MUM/R2627/00009",
            method="upi",
            reference="412345678901",
            amount=D("25000.00"),
            on=manager.today(),
        )
        session.add(payment)
        session.flush()
        payment_id = payment.id
    with read_session() as session:
        text = _text(receipt_pdf(session, manager, payment_id))
    _assert_all(
        text,
        [
            "RECEIPT VOUCHER",
            f"GSTIN: {STORE_GSTIN}",
            "MUM/R2627/00009",
            "MUM/A2627/00003",
            "Tara Iyer",
            "Goods booked 22K temple necklace",
            "Maharashtra (state code 27)",
            "GST on this advance Nil",
            "Notification 66/2017-Central Tax",
            "Reverse charge No",
            "Rupees Twenty-Five Thousand Only",
            "Authorised signatory",
        ],
    )
