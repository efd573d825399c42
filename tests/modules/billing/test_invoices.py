"""Invoices: gapless numbering per store and financial year, issue with pieces sold in the same
transaction, old gold credited after tax, the PAN rule, immutability, credit notes, and the event
that feeds clienteling's segments."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from jewelerp.core.models import EventDelivery
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from modules.billing.invoices import (
    add_old_gold,
    add_piece_line,
    add_service_line,
    cancel_invoice,
    create_draft,
    issue_invoice,
    remove_line,
    set_customer_pan,
)
from modules.billing.models import CreditNote, Invoice, InvoiceLine, NumberCounter
from modules.billing.numbering import CREDIT_NOTE, INVOICE, Series, financial_year, next_number
from modules.billing.old_gold import OldGoldEntry
from modules.billing.pricing import Discount, PriceInput, price
from modules.billing.rates import set_rate
from modules.billing.supply import Recipient
from modules.clienteling.models import Customer, Purchase
from modules.clienteling.services import CustomerInput, create_customer
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal, Piece
from tests.modules.stock.huids import new_huid


@pytest.fixture
def metals(world) -> dict[tuple[str, int], int]:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        ids = {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))}
        set_rate(session, manager, ids[("gold", 916)], "12000")
        set_rate(session, manager, ids[("gold", 750)], "9800")
    return ids


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _piece(world, metals, net: str = "5.120") -> int:
    from modules.stock.pieces import PieceInput, receive_piece

    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        category = session.scalars(select(Category).where(Category.code == "RING")).one()
        data = PieceInput(
            str(category.id),
            str(metals[("gold", 916)]),
            net,
            making_rule="percent",
            making_value="12",
            wastage_pct="10",
            huid=new_huid(),
        )
        return receive_piece(session, manager, data).id


def _status(piece_id: int) -> str:
    with read_session() as session:
        return session.get(Piece, piece_id).status


def _invoice(invoice_id: int) -> Invoice:
    with read_session() as session:
        return session.get(Invoice, invoice_id)


def _counter(store_id: int, series: Series = INVOICE) -> int | None:
    with read_session() as session:
        return session.scalars(
            select(NumberCounter.last).where(NumberCounter.store_id == store_id, NumberCounter.series == series.key)
        ).first()


def _sale(world, metals, actor=None, **customer) -> tuple[int, int]:
    """A draft with one piece; returns (invoice id, piece id)."""
    actor = actor or world.actor("sales")
    piece = _piece(world, metals)
    invoice = _do(actor, create_draft, **customer).id
    _do(actor, add_piece_line, invoice, piece)
    return invoice, piece


# ---------------------------------------------------------------------------- numbering


def test_financial_year_runs_april_to_march():
    assert financial_year(date(2026, 4, 1)) == "2026-27"
    assert financial_year(date(2027, 3, 31)) == "2026-27"
    assert financial_year(date(2027, 4, 1)) == "2027-28"
    assert financial_year(date(2099, 12, 31)) == "2099-00"


def test_numbers_are_gapless_per_store_series_and_financial_year(world):
    def take(store, code, series, on):
        with unit_of_work() as session:
            return next_number(session, store, code, series, on)

    march, april = date(2027, 3, 31), date(2027, 4, 1)
    assert take(world.mum, "MUM", INVOICE, march) == "MUM/2627/000001"
    assert take(world.mum, "MUM", INVOICE, march) == "MUM/2627/000002"
    assert take(world.dl, "DEL", INVOICE, march) == "DEL/2627/000001"
    assert take(world.mum, "MUM", CREDIT_NOTE, march) == "MUM/C2627/00001"
    assert take(world.mum, "MUM", INVOICE, april) == "MUM/2728/000001"  # April starts a new year
    assert take(world.mum, "MUM", INVOICE, march) == "MUM/2627/000003"
    with pytest.raises(RuntimeError), unit_of_work() as session:  # a rolled-back transaction gives the number back
        next_number(session, world.mum, "MUM", INVOICE, march)
        raise RuntimeError
    assert take(world.mum, "MUM", INVOICE, march) == "MUM/2627/000004"


# ---------------------------------------------------------------------------- issue


def test_a_one_piece_invoice_equals_the_pricing_engine_and_marks_the_piece_sold(world, metals):
    sales = world.actor("sales")
    invoice_id, piece = _sale(world, metals, customer_name="Asha Rao", recipient=Recipient(state_code="27"))
    issued = _do(sales, issue_invoice, invoice_id)
    engine = price(
        PriceInput(
            rate=D("12000"),
            net_weight=D("5.120"),
            wastage_pct=D("10"),
            making_rule="percent",
            making_value=D("12"),
            hallmark_charge=D("45.00"),
        )
    )
    assert issued.place_of_supply == "27"
    assert issued.number.startswith("MUM/") and issued.number.endswith("/000001")
    assert (issued.taxable, issued.cgst, issued.sgst, issued.igst) == (
        engine.taxable,
        engine.amount("cgst"),
        engine.amount("sgst"),
        D("0.00"),
    )
    assert (issued.round_off, issued.total, issued.payable) == (engine.round_off, engine.total, engine.total)
    assert _status(piece) == "sold"
    with read_session() as session:
        line = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)).one()
        assert line.rate == D("12000.00") and line.net_weight == D("5.120") and '"total"' in line.breakdown


def test_a_registered_buyer_in_another_state_pays_igst_and_a_discount_is_priced_by_the_engine(world, metals):
    sales = world.actor("sales")
    piece = _piece(world, metals)
    bengaluru = Recipient("12 MG Road, Bengaluru", "29", "29AAPFU0939F1ZR", "12 MG Road, Bengaluru", "29")
    invoice_id = _do(sales, create_draft, recipient=bengaluru).id
    _do(sales, add_piece_line, invoice_id, piece, Discount("percent", D("5")))
    _do(sales, add_service_line, invoice_id, "Engraving", "500")
    inv = _invoice(invoice_id)
    assert inv.cgst == inv.sgst == D("0.00") and inv.igst > 0
    engine = price(
        PriceInput(
            rate=D("12000"),
            net_weight=D("5.120"),
            wastage_pct=D("10"),
            making_rule="percent",
            making_value=D("12"),
            hallmark_charge=D("45.00"),
            discount=Discount("percent", D("5")),
            inter_state=True,
        )
    )
    assert inv.place_of_supply == "29"
    assert inv.taxable == engine.taxable + D("500.00")
    assert inv.igst == engine.amount("igst") + D("90.00")  # the engraving is a repair service: 18% of 500


def test_a_discount_on_making_comes_off_the_making_charges_only(world, metals):
    sales = world.actor("sales")
    piece = _piece(world, metals)
    invoice_id = _do(sales, create_draft).id
    _do(sales, add_piece_line, invoice_id, piece, making_discount=Discount("percent", D("50")))
    full = price(
        PriceInput(
            rate=D("12000"),
            net_weight=D("5.120"),
            wastage_pct=D("10"),
            making_rule="percent",
            making_value=D("12"),
            hallmark_charge=D("45.00"),
        )
    )
    making = full.amount("making")
    assert _invoice(invoice_id).taxable == full.taxable - (making / 2).quantize(D("0.01"))


def test_old_gold_is_valued_less_deduction_and_credited_after_tax(world, metals):
    sales = world.actor("sales")
    invoice_id, _piece_id = _sale(world, metals)
    before = _invoice(invoice_id)
    line = _do(sales, add_old_gold, invoice_id, _old_gold("750", "4.000", "2"))
    assert line.amount == D("38416.00")  # 4 g × ₹9,800 = ₹39,200 less 2% (₹784)
    after = _invoice(invoice_id)
    assert (after.taxable, after.cgst, after.total) == (before.taxable, before.cgst, before.total)  # no effect on GST
    assert after.old_gold_credit == D("38416.00") and after.payable == after.total - D("38416.00")
    for bad in ({"net": "0"}, {"net": "1.2345"}, {"net": "2", "pct": "101"}):
        with pytest.raises(ValidationError):
            _do(sales, add_old_gold, invoice_id, _old_gold("750", **bad))
    with pytest.raises(JewelError, match="No silver rate"):
        _do(sales, add_old_gold, invoice_id, _old_gold("925", "1", metal="silver"))


def _old_gold(fineness: str, net: str = "1", pct: str = "0", metal: str = "gold") -> OldGoldEntry:
    """Old gold as typed at the counter (gross = net), sold by Asha Rao who shows her passport."""
    return OldGoldEntry(metal, fineness, net, net, pct, "passport", "K1234567", "Asha Rao", "12 Marine Drive, Mumbai")


def test_a_sale_of_two_lakh_or_more_needs_the_customers_pan(world, metals):
    sales = world.actor("sales")
    piece = _piece(world, metals, net="20.000")
    invoice_id = _do(sales, create_draft, customer_name="Big Buyer").id
    _do(sales, add_piece_line, invoice_id, piece)
    assert _invoice(invoice_id).total >= D("200000")
    with pytest.raises(ValidationError) as err:
        _do(sales, issue_invoice, invoice_id)
    assert set(err.value.fields) == {"customer_pan"}
    assert _invoice(invoice_id).number is None and _status(piece) == "in_stock" and _counter(world.mum) is None
    with pytest.raises(ValidationError):
        _do(sales, set_customer_pan, invoice_id, "ABCD1234F")
    _do(sales, set_customer_pan, invoice_id, "abcde1234f")
    assert _do(sales, issue_invoice, invoice_id).customer_pan == "ABCDE1234F"


def test_a_failed_issue_uses_no_number_and_writes_nothing(world, metals):
    sales = world.actor("sales")
    first, piece = _sale(world, metals)
    second = _do(sales, create_draft).id
    _do(sales, add_piece_line, second, piece)  # the same piece on two drafts
    _do(sales, add_service_line, second, "Polishing", "300")
    assert _do(sales, issue_invoice, first).number.endswith("/000001")
    with pytest.raises(JewelError, match="sold"):
        _do(sales, issue_invoice, second)
    failed = _invoice(second)
    assert (failed.status, failed.number, failed.issued_at) == ("draft", None, None)
    assert _counter(world.mum) == 1
    _do(sales, remove_line, _line_of(second, "piece"))
    assert _do(sales, issue_invoice, second).number.endswith("/000002")  # no gap


def _line_of(invoice_id: int, kind: str) -> int:
    with read_session() as session:
        return session.scalars(
            select(InvoiceLine.id).where(InvoiceLine.invoice_id == invoice_id, InvoiceLine.kind == kind)
        ).one()


def test_twenty_concurrent_issues_get_twenty_distinct_consecutive_numbers(world, metals):
    drafts = [_sale(world, metals)[0] for _ in range(20)]
    actors = [world.actor("sales") for _ in drafts]
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(drafts))

    def issue(actor, invoice_id):
        try:
            barrier.wait()
            numbers.append(_do(actor, issue_invoice, invoice_id).number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=pair) for pair in zip(actors, drafts, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(int(n.rsplit("/", 1)[1]) for n in numbers) == list(range(1, 21))
    assert _counter(world.mum) == 20


# ---------------------------------------------------------------------------- immutability and cancellation


def test_an_issued_invoice_refuses_any_change(world, metals):
    sales = world.actor("sales")
    invoice_id, _ = _sale(world, metals)
    _do(sales, issue_invoice, invoice_id)
    other = _piece(world, metals)
    for fn, args in (
        (add_piece_line, (invoice_id, other)),
        (add_service_line, (invoice_id, "Polishing", "100")),
        (add_old_gold, (invoice_id, _old_gold("916"))),
        (set_customer_pan, (invoice_id, "ABCDE1234F")),
        (remove_line, (_line_of(invoice_id, "piece"),)),
        (issue_invoice, (invoice_id,)),
    ):
        with pytest.raises(JewelError, match="cannot be changed"):
            _do(sales, fn, *args)


def test_permissions_are_checked_in_the_service(world, metals):
    invoice_id, _ = _sale(world, metals)
    with pytest.raises(PermissionDenied):
        _do(world.actor("designer"), create_draft)
    _do(world.actor("sales"), issue_invoice, invoice_id)
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), cancel_invoice, invoice_id, "Customer changed mind")


def test_cancel_writes_a_numbered_credit_note_and_returns_the_piece(world, metals):
    sales, manager = world.actor("sales"), world.actor("manager")
    invoice_id, piece = _sale(world, metals)
    number = _do(sales, issue_invoice, invoice_id).number
    with pytest.raises(ValidationError):
        _do(manager, cancel_invoice, invoice_id, "  ")
    note = _do(manager, cancel_invoice, invoice_id, "Customer returned the ring")
    year = number.split("/")[1]  # MUM/2627/000001: the credit notes are MUM/C2627/00001, ...
    assert note.number == f"MUM/C{year}/00001"
    assert _invoice(invoice_id).status == "cancelled" and _invoice(invoice_id).number == number
    assert _status(piece) == "in_stock"
    with pytest.raises(JewelError, match="already cancelled"):
        _do(manager, cancel_invoice, invoice_id, "again")
    second, _ = _sale(world, metals)
    _do(sales, issue_invoice, second)
    assert _do(manager, cancel_invoice, second, "Wrong size").number == f"MUM/C{year}/00002"
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(CreditNote)) == 2


def test_clienteling_counts_the_purchase_and_the_credit_note_takes_it_back(world, metals):
    sales, manager = world.actor("sales"), world.actor("manager")
    customer = _do(sales, create_customer, CustomerInput(name="Meera Shah", phone="9820012345")).id
    invoice_id, _ = _sale(world, metals, customer_id=customer, customer_name="Meera Shah")
    issued = _do(sales, issue_invoice, invoice_id)
    with read_session() as session:
        row = session.get(Customer, customer)
        assert row.purchases_12m == 1 and row.spend_12m == issued.taxable  # the value before tax
        event = session.scalars(select(EventDelivery).where(EventDelivery.module == "clienteling")).one()
        purchase = session.scalars(select(Purchase).where(Purchase.ref == issued.number)).one()
    assert event.payload["invoice_date"] == issued.invoice_date.isoformat()  # the sale event names its date
    assert purchase.sold_on == issued.invoice_date
    _do(manager, cancel_invoice, invoice_id, "Returned")
    with read_session() as session:
        assert session.get(Customer, customer).purchases_12m == 0
