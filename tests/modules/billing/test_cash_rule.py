"""The cash rule, Income-tax Act section 269ST: no ₹2,00,000 or more in cash (a) from one person in a day,
(b) for one transaction, (c) for one event or occasion of one person, summed across invoices, bookings,
gold scheme instalments and repair payments; refunds give nothing back; concurrent counters queue.

Every figure is worked by hand in a comment: the most cash still allowed under a limit is
₹2,00,000 − ₹0.01 − the cash that limit has counted already."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from jewelerp.auth import actor as actor_clock
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import ValidationError
from modules.billing.bookings import book_piece, complete_booking
from modules.billing.invoices import add_service_line, cancel_invoice, create_draft, issue_invoice, set_occasion
from modules.billing.models import Booking, Invoice, Payment
from modules.billing.payments import cash_for, cash_room, refund_cancelled, take_payment
from modules.billing.rates import set_rate
from modules.clienteling.services import CustomerInput, create_customer
from modules.loyalty import schemes
from modules.loyalty.schemes import EnrolInput, TemplateInput
from modules.repairs_billing.money import take_job_payment
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal, Piece
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.repairs.intake import intake

PAN = "ABCDE1234F"
_HUIDS = itertools.count(1)


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _customer(world, name: str) -> int:
    return _do(world.actor("manager"), create_customer, CustomerInput(name=name, phone="9820012345"), True).id


def _sale(world, amount: str, *, occasion: str = "", **customer) -> Invoice:
    """An issued invoice of one service line whose total with GST is ``amount`` (and the customer's PAN)."""
    sales = world.actor("sales")
    invoice_id = _do(sales, create_draft, customer_pan=PAN, **customer).id
    _do(sales, add_service_line, invoice_id, "Custom work", amount, includes_tax=True)
    if occasion:
        _do(sales, set_occasion, invoice_id, occasion)
    return _do(sales, issue_invoice, invoice_id)


def _cash(world, invoice: Invoice, amount: str):
    return _do(world.actor("sales"), take_payment, invoice.id, "cash", amount)


def _refused(world, invoice: Invoice, amount: str) -> str:
    """Try to take cash; it must be refused with a message on the amount and write no payment."""
    before = _payments()
    with pytest.raises(ValidationError) as err:
        _cash(world, invoice, amount)
    assert set(err.value.fields) == {"amount"} and _payments() == before
    return err.value.fields["amount"]


def _payments() -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(Payment))


@pytest.fixture
def clock(monkeypatch):
    """``clock(days)`` moves the stores' today ``days`` from the real today."""
    real = actor_clock.utcnow()

    def move(days: int) -> None:
        monkeypatch.setattr(actor_clock, "utcnow", lambda: real + timedelta(days=days))

    return move


@pytest.fixture
def asha(world) -> int:
    return _customer(world, "Asha Rao")


# ---------------------------------------------------------------------------- (a) one person in a day


def test_a_days_cash_counts_an_invoice_a_scheme_instalment_and_a_repair_payment(world, asha):
    sales = world.actor("sales")
    invoice = _sale(world, "150000", customer_id=asha)
    _cash(world, invoice, "100000")
    template = _do(
        world.actor("manager"),
        schemes.save_template,
        TemplateInput(name="Swarna 2", instalment="50000", months="2"),
    ).id
    data = EnrolInput(str(template), str(asha), "Ravi Rao", "Son", id_kind="aadhaar", id_number="2345 6789 0123")
    enrolment = _do(sales, schemes.enrol, data)
    _do(sales, schemes.pay_instalment, enrolment.id, "cash")  # ₹50,000 in cash into the scheme
    job = intake(sales, asha, estimate="60000", deposit="")
    before = _payments()
    with pytest.raises(ValidationError) as err:
        _do(sales, take_job_payment, job.id, "cash", "50000")
    # ₹1,00,000 (invoice) + ₹50,000 (scheme) = ₹1,50,000 today; 2,00,000 − 0.01 − 1,50,000 = ₹49,999.99.
    assert err.value.fields["amount"] == (
        "Cash today from Asha Rao would reach ₹2,00,000 (section 269ST(a), one person in a day; "
        "₹1,50,000.00 received already): at most ₹49,999.99 more in cash. Take the rest by card, UPI or "
        "bank transfer."
    )
    assert _payments() == before
    # The job's bill (₹60,000) takes Asha's purchases today to ₹2,10,000: it carries her PAN (Rule 114B).
    [receipt] = _do(sales, take_job_payment, job.id, "cash", "49999.99", pan=PAN)
    assert (receipt.method, receipt.amount, receipt.customer_id) == ("cash", D("49999.99"), asha)
    # 1,50,000 + 49,999.99 = 1,99,999.99: not one paisa more today, even on another invoice.
    assert "no more cash" in _refused(world, invoice, "0.01")
    _do(sales, take_payment, invoice.id, "upi", "50000", "412345678901")  # the rest by UPI is fine


def test_another_customer_and_another_day_are_not_counted(world, asha, clock):
    ravi = _customer(world, "Ravi Menon")
    first = _sale(world, "250000", customer_id=asha)
    _cash(world, first, "150000")
    other = _sale(world, "250000", customer_id=ravi)
    assert _cash(world, other, "150000").amount == D("150000.00")  # Ravi's cash is his own
    clock(1)
    second = _sale(world, "100000", customer_id=asha)
    assert _cash(world, second, "90000").amount == D("90000.00")  # a new day for Asha


def test_a_walk_in_is_one_person_for_each_document(world):
    """Without a customer number nobody can tell two walk-ins apart: each document is its own person."""
    first = _sale(world, "150000", customer_name="Sunita Kale")
    second = _sale(world, "150000", customer_name="Sunita Kale")
    _cash(world, first, "150000")
    assert _cash(world, second, "150000").amount == D("150000.00")


def test_a_refund_does_not_give_the_cash_back(world, asha):
    manager = world.actor("manager")
    returned = _sale(world, "150000", customer_id=asha)
    _cash(world, returned, "150000")
    _do(manager, cancel_invoice, returned.id, "Returned the same day")
    _do(manager, refund_cancelled, returned.id, "cash")
    again = _sale(world, "100000", customer_id=asha)
    # The ₹1,50,000 was received: 2,00,000 − 0.01 − 1,50,000 = ₹49,999.99 even after the refund.
    assert "at most ₹49,999.99 more in cash" in _refused(world, again, "50000")
    assert _cash(world, again, "49999.99").amount == D("49999.99")


# ---------------------------------------------------------------------------- (b) one transaction


def _gold_piece(world) -> int:
    """A 22K ring of 20 g net (gold at ₹12,000 a gram today: about ₹2,90,000 with making and wastage)."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        gold = session.scalars(select(Metal).where(Metal.metal == "gold", Metal.fineness == 916)).one().id
        set_rate(session, manager, gold, "12000")
        ring = session.scalars(select(Category).where(Category.code == "RING")).one().id
        data = PieceInput(
            str(ring), str(gold), "20.000", making_rule="percent", making_value="12", huid=f"Q{next(_HUIDS):05d}"
        )
        return receive_piece(session, manager, data).id


def test_a_transaction_counts_its_booking_advance_across_days(world, asha, clock):
    sales = world.actor("sales")
    booking = _do(
        sales,
        book_piece,
        piece_id=_gold_piece(world),
        customer_id=asha,
        customer_name="",
        customer_pan=PAN,
        rate_lock=True,
        advance_amount="120000",
        method="cash",
    )
    clock(1)  # the next day: the day's cash is nothing yet, the sale's is the advance
    invoice = _do(world.actor("manager"), complete_booking, booking.id)
    assert (invoice.status, invoice.booking_id) == ("issued", booking.id)
    # ₹1,20,000 advance; 2,00,000 − 0.01 − 1,20,000 = ₹79,999.99.
    assert _refused(world, invoice, "80000") == (
        f"Cash for invoice {invoice.number} and its booking would reach ₹2,00,000 (section 269ST(b), one "
        "transaction; ₹1,20,000.00 received already): at most ₹79,999.99 more in cash. Take the rest by card, "
        "UPI or bank transfer."
    )
    assert _cash(world, invoice, "79999.99").amount == D("79999.99")


def test_a_booking_refused_for_its_cash_advance_writes_nothing(world, asha):
    piece = _gold_piece(world)
    with pytest.raises(ValidationError) as err:
        _do(
            world.actor("sales"),
            book_piece,
            piece_id=piece,
            customer_id=asha,
            customer_name="",
            customer_pan=PAN,
            advance_amount="200000",
            method="cash",
        )
    assert (
        "would reach ₹2,00,000 (section 269ST(b), one transaction): at most ₹1,99,999.99"
        in (err.value.fields["amount"])
    )
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Booking)) == 0
        assert session.get(Piece, piece).status == "in_stock"
    assert _payments() == 0


def test_a_walk_ins_invoice_is_one_transaction_across_days(world, clock):
    invoice = _sale(world, "300000", customer_name="Farah Sheikh")
    _cash(world, invoice, "150000")
    clock(1)
    # 2,00,000 − 0.01 − 1,50,000 = ₹49,999.99 on the next day too.
    assert "269ST(b), one transaction; ₹1,50,000.00 received already): at most ₹49,999.99" in _refused(
        world, invoice, "50000"
    )


def test_a_schemes_cash_instalments_of_every_month_are_one_transaction(world, asha, clock):
    sales = world.actor("sales")
    template = _do(
        world.actor("manager"),
        schemes.save_template,
        TemplateInput(name="Swarna 3", instalment="90000", months="3"),
    ).id
    data = EnrolInput(str(template), str(asha), "Ravi Rao", "Son", PAN, "aadhaar", "2345 6789 0123")
    enrolment = _do(sales, schemes.enrol, data)
    _do(sales, schemes.pay_instalment, enrolment.id, "cash")
    clock(31)
    _do(world.actor("sales"), schemes.pay_instalment, enrolment.id, "cash")
    clock(62)
    with pytest.raises(ValidationError) as err:
        _do(world.actor("sales"), schemes.pay_instalment, enrolment.id, "cash")
    # 2 × ₹90,000 = ₹1,80,000 in cash; 2,00,000 − 0.01 − 1,80,000 = ₹19,999.99.
    assert err.value.fields["amount"].startswith(f"Cash for scheme {enrolment.number} would reach ₹2,00,000")
    assert (
        "(section 269ST(b), one transaction; ₹1,80,000.00 received already): at most ₹19,999.99"
        in (err.value.fields["amount"])
    )
    paid = _do(world.actor("sales"), schemes.pay_instalment, enrolment.id, "card", "4821")
    assert (paid.seq, paid.method) == (3, "card")


# ---------------------------------------------------------------------------- (c) one event or occasion


def test_an_occasion_counts_the_customers_cash_for_it_across_days_and_invoices(world, asha, clock):
    wedding = _sale(world, "150000", customer_id=asha, occasion="Wedding of Asha, Dec 2026")
    _cash(world, wedding, "120000")
    clock(1)
    same = _sale(world, "100000", customer_id=asha, occasion="  wedding of ASHA,  dec 2026 ")  # case, spaces
    other = _sale(world, "100000", customer_id=asha)
    assert _cash(world, other, "80000").amount == D("80000.00")  # not for the wedding: today ₹80,000
    # The wedding's ₹1,20,000 is the tightest count (today's is ₹80,000): 2,00,000 − 0.01 − 1,20,000.
    assert _refused(world, same, "80000") == (
        "Cash from Asha Rao for the occasion “wedding of ASHA, dec 2026” would reach ₹2,00,000 (section "
        "269ST(c), one event or occasion; ₹1,20,000.00 received already): at most ₹79,999.99 more in cash. "
        "Take the rest by card, UPI or bank transfer."
    )
    assert _cash(world, same, "79999.99").amount == D("79999.99")
    ravi = _customer(world, "Ravi Menon")
    his = _sale(world, "150000", customer_id=ravi, occasion="Wedding of Asha, Dec 2026")
    assert _cash(world, his, "120000").amount == D("120000.00")  # a guest's cash is the guest's own


def test_an_occasion_is_bounded_and_only_set_on_a_draft(world, asha):
    sales = world.actor("sales")
    draft = _do(sales, create_draft, customer_id=asha).id
    with pytest.raises(ValidationError) as err:
        _do(sales, set_occasion, draft, "W" * 81)
    assert set(err.value.fields) == {"occasion"}
    with read_session() as session:
        assert session.get(Invoice, draft).occasion == ""


# ---------------------------------------------------------------------------- what the page shows, and two counters


def test_the_payment_form_shows_the_cash_still_allowed(world, asha):
    invoice = _sale(world, "150000", customer_id=asha)
    _cash(world, invoice, "45000")
    sales = world.actor("sales")
    with read_session() as session:
        fresh = session.get(Invoice, invoice.id)
        room = cash_room(session, sales, cash_for(fresh), sales.today())
    # 2,00,000 − 0.01 − 45,000 = ₹1,54,999.99 (the invoice's cash and the day's are the same ₹45,000).
    assert room.hint() == "Cash still allowed: ₹1,54,999.99 (section 269ST(b), one transaction)."


def test_two_counters_taking_cash_from_one_customer_at_once_cannot_both_pass(world, asha):
    invoices = [_sale(world, "150000", customer_id=asha) for _ in range(2)]
    barrier = threading.Barrier(2)
    taken: list[D] = []
    refused: list[str] = []

    def pay(invoice: Invoice) -> None:
        actor = world.actor("sales")
        barrier.wait()
        try:
            taken.append(_do(actor, take_payment, invoice.id, "cash", "120000").amount)
        except ValidationError as exc:
            refused.append(exc.fields["amount"])

    threads = [threading.Thread(target=pay, args=(invoice,)) for invoice in invoices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 1,20,000 + 1,20,000 = 2,40,000 would break (a): one passes, the other is told ₹79,999.99 remain.
    assert taken == [D("120000.00")]
    assert len(refused) == 1 and "269ST(a)" in refused[0] and "at most ₹79,999.99" in refused[0]
