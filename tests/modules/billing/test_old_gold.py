"""Old gold as a purchase: the settlement rounded to the rupee, exchange and buy-back vouchers in their own
gapless series (at most 16 characters), value at the tested fineness, the cash payout limit, the seller's
PAN above ₹2,00,000, masked identity documents, refusals that write nothing, and cancellation."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal as D

import pypdfium2
import pytest
from sqlalchemy import func, select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from modules.billing.estimates import convert_estimate, create_estimate, quote_estimate
from modules.billing.invoices import add_old_gold, add_service_line, cancel_invoice, create_draft, issue_invoice
from modules.billing.models import Invoice, InvoiceLine, NumberCounter, OldGoldVoucher
from modules.billing.old_gold import OldGoldEntry, buy_old_gold, get_voucher, settle, voucher_view
from modules.billing.old_gold_pdf import voucher_pdf
from modules.billing.rates import set_rate
from modules.billing.supply import Recipient
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Metal, OldGoldLot
from modules.stock.old_gold import move_lot, reconciles

NUMBER_RE = re.compile(r"^[A-Za-z0-9/-]{1,16}$")  # CGST Rules, Rules 46(b) and 52(b)
ASHA = OldGoldEntry(
    "gold", "916", "10.500", "10.000", "3", "passport", "K1234567", "Asha Rao", "12 Marine Drive, Mumbai"
)


@pytest.fixture
def rates(world) -> None:
    """Today's rates in Mumbai: gold 24K ₹13,000, 22K ₹12,000, 18K ₹8,024.69 per gram."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        ids = {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))}
        for key, rate in ((("gold", 999), "13000"), (("gold", 916), "12000"), (("gold", 750), "8024.69")):
            set_rate(session, manager, ids[key], rate)


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _get(model, record_id):
    with read_session() as session:
        return session.get(model, record_id)


def _count(model) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _voucher_counter(store_id: int) -> int | None:
    with read_session() as session:
        return session.scalar(
            select(NumberCounter.last).where(NumberCounter.store_id == store_id, NumberCounter.series == "OG")
        )


def _sale_of(world, amount: str = "102345") -> int:
    """A draft for Asha Rao (address given) whose total is ₹1,02,345: one service priced with its GST included."""
    sales = world.actor("sales")
    recipient = Recipient(address="12 Marine Drive, Mumbai")
    invoice_id = _do(sales, create_draft, customer_name="Asha Rao", recipient=recipient).id
    _do(sales, add_service_line, invoice_id, "Remodelling", amount, includes_tax=True)
    assert _get(Invoice, invoice_id).total == D(amount)  # the GST-inclusive price rounds back to itself
    return invoice_id


def _exchange(fineness: str = "750", net: str = "5.000", pct: str = "0", **typed: str) -> OldGoldEntry:
    """Old gold on an exchange: the seller is the invoice's customer, who shows her passport."""
    return OldGoldEntry("gold", fineness, net, net, pct, "passport", "K1234567", **typed)


# ---------------------------------------------------------------------------- the amount to collect


def test_the_settlement_rounds_to_the_rupee_on_its_own():
    # 1,02,345.00 − 40,123.45 = 62,221.55 → 62,222 (half up): round-off +0.45
    assert settle(D("102345.00"), D("40123.45")) == (D("0.45"), D("62222.00"))
    # 1,00,000.00 − 30,000.60 = 69,999.40 → 69,999: round-off −0.40
    assert settle(D("100000.00"), D("30000.60")) == (D("-0.40"), D("69999.00"))
    # exactly half a rupee goes up: 50,000.00 − 10,000.50 = 39,999.50 → 40,000
    assert settle(D("50000.00"), D("10000.50")) == (D("0.50"), D("40000.00"))
    assert settle(D("1000.00"), D("0.00")) == (D("0.00"), D("1000.00"))
    # old gold worth 40 paise more than the sale: nothing to collect, and no "−₹0.00"
    assert str(settle(D("1000.00"), D("1000.40"))[1]) == "0.00"


def test_an_exchange_is_a_purchase_credited_after_tax_and_the_payable_is_whole_rupees(world, rates):
    sales = world.actor("sales")
    invoice_id = _sale_of(world)
    before = _get(Invoice, invoice_id)
    line = _do(sales, add_old_gold, invoice_id, _exchange())
    assert line.amount == D("40123.45")  # 5.000 g × ₹8,024.69 (the 18K rate, fineness 750 tested) = ₹40,123.45
    draft = _get(Invoice, invoice_id)
    assert (draft.taxable, draft.cgst + draft.sgst + draft.igst, draft.round_off, draft.total) == (
        before.taxable,
        before.cgst + before.sgst + before.igst,
        before.round_off,
        D("102345.00"),
    )  # the sale keeps its own total and round-off
    assert (draft.old_gold_credit, draft.settlement_round_off, draft.payable) == (
        D("40123.45"),
        D("0.45"),
        D("62222.00"),  # 1,02,345 − 40,123.45 = 62,221.55 → 62,222
    )
    voucher = _get(OldGoldVoucher, 1)
    assert (voucher.status, voucher.number, voucher.seller_name, voucher.seller_address) == (
        "draft",
        None,
        "Asha Rao",  # the invoice's customer and address
        "12 Marine Drive, Mumbai",
    )
    assert _count(OldGoldLot) == 0  # nothing enters stock before the invoice is issued

    invoice = _do(sales, issue_invoice, invoice_id)
    voucher = _get(OldGoldVoucher, voucher.id)
    assert voucher.status == "issued" and NUMBER_RE.match(voucher.number) and voucher.number != invoice.number
    assert voucher.kind == "exchange" and voucher.invoice_id == invoice_id and voucher.paid == 0
    lot = _get(OldGoldLot, voucher.lot_id)
    assert (lot.reference, lot.metal, lot.fineness, lot.received, lot.on_hand) == (
        voucher.number,
        "gold",
        750,
        D("5.000"),
        D("5.000"),
    )
    assert voucher.number in _get(InvoiceLine, line.id).description
    assert invoice.payable == D("62222.00") and invoice.paid == 0


def test_an_exchange_whose_settlement_rounds_down(world, rates):
    sales = world.actor("sales")
    invoice_id = _sale_of(world)
    # 5.000 g × ₹8,024.69 = ₹40,123.45, less 2% (₹802.469 → ₹802.47) = ₹39,320.98
    _do(sales, add_old_gold, invoice_id, _exchange(pct="2"))
    invoice = _get(Invoice, invoice_id)
    # 1,02,345.00 − 39,320.98 = 63,024.02 → 63,024: round-off −0.02
    assert (invoice.old_gold_credit, invoice.settlement_round_off, invoice.payable) == (
        D("39320.98"),
        D("-0.02"),
        D("63024.00"),
    )


def test_the_rate_is_the_days_rate_at_the_tested_fineness(world, rates):
    sales = world.actor("sales")
    invoice_id = _sale_of(world)
    # 916 has a rate of its own (22K): 2.000 g × ₹12,000 = ₹24,000
    assert _do(sales, add_old_gold, invoice_id, _exchange("916", "2.000")).amount == D("24000.00")
    # 875 has none: 24K pro rata, ₹13,000 × 875 / 999 = ₹11,386.386… → ₹11,386.39 a gram;
    # 2.000 g = ₹22,772.78, less 2% (₹455.4556 → ₹455.46) = ₹22,317.32
    line = _do(sales, add_old_gold, invoice_id, _exchange("875", "2.000", "2"))
    assert (line.rate, line.amount) == (D("11386.39"), D("22317.32"))
    with pytest.raises(JewelError, match="No silver rate"):
        _do(sales, add_old_gold, invoice_id, replace(_exchange("925"), metal="silver"))


def test_a_pure_buy_back_is_a_voucher_alone_paid_out_in_whole_rupees(world, rates):
    manager = world.actor("manager")
    # 10.000 g at 916: ₹1,20,000.00, less 3% (₹3,600.00) = ₹1,16,400.00
    voucher = _do(manager, buy_old_gold, ASHA, "bank", "UTR 4411")
    assert (voucher.kind, voucher.status, voucher.invoice_id) == ("buyback", "issued", None)
    assert (voucher.value, voucher.deduction, voucher.amount, voucher.paid, voucher.round_off) == (
        D("120000.00"),
        D("3600.00"),
        D("116400.00"),
        D("116400.00"),
        D("0.00"),
    )
    assert NUMBER_RE.match(voucher.number) and voucher.payout_reference == "UTR 4411"
    assert _get(OldGoldLot, voucher.lot_id).on_hand == D("10.000")
    # 1.000 g tested at 875: ₹11,386.39 → paid ₹11,386 (round-off −0.39)
    small = replace(ASHA, fineness="875", gross_weight="1", net_weight="1", deduction_pct="0")
    paid = _do(manager, buy_old_gold, small, "upi", "412345678901")
    assert (paid.amount, paid.round_off, paid.paid) == (D("11386.39"), D("-0.39"), D("11386.00"))
    assert _count(Invoice) == 0  # no sale
    assert b"%PDF" in _do(manager, voucher_pdf, voucher.id)[:8]


def test_cash_payouts_to_one_person_stop_at_ten_thousand_a_day(world, rates):
    manager = world.actor("manager")
    half = replace(ASHA, gross_weight="0.500", net_weight="0.500", deduction_pct="0")  # ₹6,000
    first = _do(manager, buy_old_gold, half, "cash")
    more = replace(half, gross_weight="0.400", net_weight="0.400")  # ₹4,800: ₹10,800 in cash that day
    with pytest.raises(ValidationError, match="₹4,000 more is allowed") as refused:
        _do(manager, buy_old_gold, more, "cash")
    assert set(refused.value.fields) == {"payout_method"}
    assert _count(OldGoldVoucher) == 1 and _count(OldGoldLot) == 1 and _voucher_counter(world.mum) == 1
    second = _do(manager, buy_old_gold, more, "upi", "412345678902")  # by UPI it is fine
    other = _do(manager, buy_old_gold, replace(more, id_kind="voter_id", id_number="ABC1234567"), "cash")
    numbers = [int(v.number.rsplit("/", 1)[1]) for v in (first, second, other)]
    assert numbers == [1, 2, 3]  # the refused payout used no number


def test_a_purchase_above_two_lakh_needs_the_sellers_pan(world, rates):
    manager = world.actor("manager")
    big = replace(ASHA, gross_weight="20", net_weight="20", deduction_pct="0")  # 20 g × ₹12,000 = ₹2,40,000
    with pytest.raises(ValidationError) as refused:
        _do(manager, buy_old_gold, big, "bank", "UTR 1")
    assert set(refused.value.fields) == {"seller_pan"}
    assert _count(OldGoldVoucher) == 0 and _voucher_counter(world.mum) is None
    assert _do(manager, buy_old_gold, replace(big, seller_pan="abcde1234f"), "bank", "UTR 1").seller_pan == "ABCDE1234F"
    by_pan = replace(big, id_kind="pan", id_number="ABCDE1234F")  # the PAN shown as identity document counts
    assert _do(manager, buy_old_gold, by_pan, "bank", "UTR 2").seller_pan == "ABCDE1234F"


def test_sales_staff_see_the_sellers_documents_masked(world, rates):
    sales, manager = world.actor("sales"), world.actor("manager")
    invoice_id = _sale_of(world)
    _do(sales, add_old_gold, invoice_id, _exchange(seller_pan="ABCDE1234F"))
    _do(sales, issue_invoice, invoice_id)
    aadhaar = replace(ASHA, id_kind="aadhaar", id_number="2345 6789 0124")
    bought = _do(manager, buy_old_gold, aadhaar, "bank", "UTR 9")
    assert bought.id_number == "••••••••0124"  # only the last 4 digits of an Aadhaar are kept

    seen = _do(sales, lambda s, a: voucher_view(a, get_voucher(s, a, 1)))
    assert (seen["id_proof"], seen["pan"], seen["address"]) == ("Passport ••••4567", "••••••234F", "•••")
    full = _do(manager, lambda s, a: voucher_view(a, get_voucher(s, a, 1)))
    assert (full["id_proof"], full["pan"]) == ("Passport K1234567", "ABCDE1234F")
    with pytest.raises(PermissionDenied):
        _do(sales, get_voucher, bought.id)  # a buy-back is for those who may buy
    with pytest.raises(PermissionDenied):
        _do(sales, buy_old_gold, ASHA, "bank", "UTR 3")


BAD_ENTRIES = [
    ({"fineness": "1000"}, "fineness"),
    ({"fineness": "99"}, "fineness"),
    ({"fineness": "91.6"}, "fineness"),
    ({"fineness": "²"}, "fineness"),
    ({"metal": "brass"}, "metal"),
    ({"gross_weight": "1.2345"}, "gross_weight"),
    ({"net_weight": "0"}, "net_weight"),
    ({"net_weight": "11"}, "net_weight"),  # more than the gross 10.500 g
    ({"net_weight": "1e30"}, "net_weight"),
    ({"deduction_pct": "100"}, "deduction_pct"),
    ({"id_kind": "ration card"}, "id_kind"),
    ({"id_kind": "aadhaar", "id_number": "2345 6789 0123"}, "id_number"),  # wrong Verhoeff check digit
    ({"id_kind": "aadhaar", "id_number": "1345 6789 0124"}, "id_number"),  # starts with 1
    ({"id_kind": "pan", "id_number": "ABCDE12345"}, "id_number"),
    ({"id_kind": "passport", "id_number": "12345678"}, "id_number"),
    ({"id_kind": "voter_id", "id_number": "AB1234567"}, "id_number"),
    ({"id_kind": "driving_licence", "id_number": "MH12 2011"}, "id_number"),
    ({"seller_address": "", "seller_name": ""}, "seller_address"),
    ({"seller_pan": "ABCD1234F"}, "seller_pan"),
    ({"item_description": "x" * 301}, "item_description"),
]


@pytest.mark.parametrize(("typed", "field"), BAD_ENTRIES)
def test_bad_purity_weights_and_documents_are_refused_and_write_nothing(world, rates, typed, field):
    manager = world.actor("manager")
    with pytest.raises(ValidationError) as refused:
        _do(manager, buy_old_gold, replace(ASHA, **typed), "bank", "UTR 1")
    assert field in refused.value.fields
    invoice_id = _do(manager, create_draft, customer_name="Asha Rao").id
    with pytest.raises(ValidationError) as refused:
        _do(manager, add_old_gold, invoice_id, replace(ASHA, **typed))
    assert field in refused.value.fields
    assert _count(OldGoldVoucher) == 0 and _count(InvoiceLine) == 0 and _count(OldGoldLot) == 0
    assert _voucher_counter(world.mum) is None


def test_payout_needs_a_method_and_its_reference(world, rates):
    manager = world.actor("manager")
    for method, reference, field in (("gold", "", "payout_method"), ("bank", "", "payout_reference")):
        with pytest.raises(ValidationError) as refused:
            _do(manager, buy_old_gold, ASHA, method, reference)
        assert set(refused.value.fields) == {field}
    assert _count(OldGoldVoucher) == 0


def test_voucher_numbers_are_their_own_gapless_series_within_sixteen_characters(world, rates):
    sales, manager = world.actor("sales"), world.actor("manager")
    bought = _do(manager, buy_old_gold, ASHA, "bank", "UTR 1")
    invoice_id = _sale_of(world)
    _do(sales, add_old_gold, invoice_id, _exchange())
    _do(sales, add_old_gold, invoice_id, _exchange("916", "1.000"))
    invoice = _do(sales, issue_invoice, invoice_id)
    with read_session() as session:
        numbers = list(session.scalars(select(OldGoldVoucher.number).order_by(OldGoldVoucher.id)))
    assert numbers[0] == bought.number and all(NUMBER_RE.match(n) for n in numbers)
    assert [int(n.rsplit("/", 1)[1]) for n in numbers] == [1, 2, 3]
    assert invoice.number.rsplit("/", 1)[1].lstrip("0") == "1"  # the invoice keeps its own count
    assert len({n.rsplit("/", 1)[0] for n in numbers} | {invoice.number.rsplit("/", 1)[0]}) == 2


def test_a_line_taken_off_the_draft_takes_its_voucher_with_it(world, rates):
    from modules.billing.invoices import remove_line

    sales = world.actor("sales")
    invoice_id = _sale_of(world)
    line = _do(sales, add_old_gold, invoice_id, _exchange())
    _do(sales, remove_line, line.id)
    assert _count(OldGoldVoucher) == 0
    assert _get(Invoice, invoice_id).payable == D("102345.00")


def test_a_converted_estimate_carries_its_old_gold_voucher(world, rates):
    sales = world.actor("sales")
    estimate_id = _do(sales, create_estimate, customer_name="Asha Rao").id
    _do(sales, add_service_line, estimate_id, "Remodelling", "102345", includes_tax=True)
    _do(sales, add_old_gold, estimate_id, _exchange(seller_address="Colaba"))
    _do(sales, quote_estimate, estimate_id)
    invoice = _do(sales, convert_estimate, estimate_id)
    assert invoice.status == "issued" and invoice.payable == D("62222.00")
    with read_session() as session:
        issued = session.scalars(select(OldGoldVoucher).where(OldGoldVoucher.invoice_id == invoice.id)).one()
    assert issued.status == "issued" and NUMBER_RE.match(issued.number) and issued.amount == D("40123.45")


def test_cancelling_the_invoice_gives_the_old_gold_back_unless_it_has_left(world, rates):
    sales, manager = world.actor("sales"), world.actor("manager")
    first, second = _sale_of(world), _sale_of(world)
    for invoice_id in (first, second):
        _do(sales, add_old_gold, invoice_id, _exchange())
        _do(sales, issue_invoice, invoice_id)
    _do(manager, cancel_invoice, first, "Customer changed her mind")
    voucher = _get(OldGoldVoucher, 1)
    lot = _get(OldGoldLot, voucher.lot_id)
    assert (voucher.status, voucher.cancel_reason) == ("cancelled", "Customer changed her mind")
    assert (lot.on_hand, lot.returned) == (D("0.000"), D("5.000")) and reconciles(lot)

    melted = _get(OldGoldVoucher, 2)
    _do(manager, move_lot, melted.lot_id, "melt", "1.000", reason="Melted into a bar")
    with pytest.raises(JewelError, match="cannot go back"):
        _do(manager, cancel_invoice, second, "Wrong customer")
    assert _get(Invoice, second).status == "issued" and _get(OldGoldVoucher, 2).status == "issued"


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    return " ".join(" ".join(pages).split())


def test_the_voucher_prints_what_rule_52_asks_with_documents_masked_for_sales(world, rates):
    sales, manager = world.actor("sales"), world.actor("manager")
    invoice_id = _sale_of(world)
    _do(sales, add_old_gold, invoice_id, _exchange(seller_pan="ABCDE1234F", item_description="Old bangles"))
    invoice = _do(sales, issue_invoice, invoice_id)
    voucher = _get(OldGoldVoucher, 1)
    text = _pdf_text(_do(sales, voucher_pdf, voucher.id))
    for expected in (
        "PURCHASE VOUCHER",
        voucher.number,
        "Mumbai",  # the store
        "Asha Rao",
        "Old bangles",
        "Gold 750 (tested)",
        "5.000 g",
        "8,024.69",
        "40,123.45",
        f"Adjusted against invoice {invoice.number}",
        "Reverse charge: not applicable",
        "Passport ••••4567",
        "••••••234F",
    ):
        assert expected in text, expected
    assert "K1234567" not in text and "12 Marine Drive" not in text and "ABCDE1234F" not in text
    assert "K1234567" in _pdf_text(_do(manager, voucher_pdf, voucher.id))
