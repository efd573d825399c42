"""Advance bookings: the piece reserved against a numbered advance, the instalment schedule, the rate
lock, completion into an invoice with the advances applied, cancellation under the refund rule, and
a failure midway that leaves nothing behind."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import delete, func, select

from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from modules.billing import payments
from modules.billing.bookings import (
    book_piece,
    booking_detail,
    cancel_booking,
    complete_booking,
    monthly_plan,
    pay_instalment,
)
from modules.billing.invoices import lines_of
from modules.billing.models import BillingMetalRate, Booking, BookingInstalment, Invoice, NumberCounter, Payment
from modules.billing.rates import set_rate
from modules.billing.tag_price import piece_price
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal, Movement, Piece
from tests.modules.stock.huids import new_huid


@pytest.fixture
def gold(world) -> int:
    """Gold 22K at ₹11,500 yesterday and ₹12,000 today in MUM."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        metal = session.scalars(select(Metal).where(Metal.metal == "gold", Metal.fineness == 916)).one().id
        set_rate(session, manager, metal, "11500", manager.today() - timedelta(days=1))
        set_rate(session, manager, metal, "12000")
    return metal


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _piece(world, gold: int, net: str = "5.120", actor=None) -> int:
    from modules.stock.pieces import PieceInput, receive_piece

    actor = actor or world.actor("manager")
    with unit_of_work(actor) as session:
        category = session.scalars(select(Category).where(Category.code == "RING")).one()
        data = PieceInput(
            str(category.id),
            str(gold),
            net,
            making_rule="percent",
            making_value="12",
            wastage_pct="10",
            huid=new_huid(),
        )
        return receive_piece(session, actor, data).id


def _book(world, piece: int, actor=None, **overrides) -> Booking:
    values = {
        "piece_id": piece,
        "customer_name": "Kavya Iyer",
        "advance_amount": "10000",
        "method": "cash",
        "reference": "",
    }
    return _do(actor or world.actor("sales"), book_piece, **(values | overrides))


def _status(piece_id: int) -> str:
    with read_session() as session:
        return session.get(Piece, piece_id).status


def _get(model, row_id):
    with read_session() as session:
        return session.get(model, row_id)


def _count(model, *where) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _price_today(world, piece: int) -> D:
    return _do(world.actor("sales"), piece_price, piece).total


def test_monthly_plan_counts_months_from_the_start_day():
    assert monthly_plan(date(2026, 1, 31), "3", "5,000") == [
        (date(2026, 2, 28), D("5000.00")),
        (date(2026, 3, 31), D("5000.00")),
        (date(2026, 4, 30), D("5000.00")),
    ]
    assert monthly_plan(date(2026, 1, 31), "", "") == []
    for count, amount, key in (("x", "1", "instalments"), ("25", "1", "instalments"), ("2", "0", "instalment_amount")):
        with pytest.raises(ValidationError) as err:
            monthly_plan(date(2026, 1, 31), count, amount)
        assert set(err.value.fields) == {key}


def test_a_booking_reserves_the_piece_and_takes_a_numbered_advance(world, gold):
    sales = world.actor("sales")
    piece = _piece(world, gold)
    today = sales.today()
    plan = monthly_plan(today, 2, "20000")
    booking = _book(world, piece, instalments=plan, customer_pan="abcde1234f")
    assert booking.number.startswith("MUM/A") and booking.number.endswith("/00001")
    assert (booking.status, booking.rate_locked, booking.locked_on, booking.customer_pan) == (
        "open",
        False,
        None,
        "ABCDE1234F",
    )
    assert booking.quoted == _price_today(world, piece)
    assert _status(piece) == "reserved"
    with read_session() as session:
        movement = session.scalars(select(Movement).where(Movement.piece_id == piece, Movement.kind == "reserve")).one()
        assert movement.reference == booking.number
    detail = _do(sales, booking_detail, booking.id)
    assert detail.advances == D("10000.00")
    (receipt,) = detail.payments
    assert (receipt.kind, receipt.method, receipt.amount) == ("receipt", "cash", D("10000.00"))
    assert receipt.receipt.startswith("MUM/R") and receipt.receipt.endswith("/00001")
    with read_session() as session:
        assert session.scalars(select(Payment.booking_id)).one() == booking.id
    assert [(x.due_on, x.amount, x.status) for x in detail.schedule] == [
        (today, D("10000.00"), "paid"),
        (plan[0][0], D("20000.00"), "due"),
        (plan[1][0], D("20000.00"), "due"),
    ]


def test_the_schedule_is_paid_first_in_and_shows_what_is_overdue(world, gold):
    sales = world.actor("sales")
    booking = _book(world, _piece(world, gold), instalments=monthly_plan(sales.today(), 2, "20000"))
    second = _do(sales, pay_instalment, booking.id, "upi", "15000", "412345678901")
    assert second.receipt_number.startswith("MUM/R") and second.receipt_number.endswith("/00002")
    schedule = _do(sales, booking_detail, booking.id).schedule
    assert [(x.status, x.covered) for x in schedule] == [
        ("paid", D("10000.00")),
        ("part paid", D("15000.00")),
        ("due", D("0.00")),
    ]
    with unit_of_work(sales) as session:  # as if booked 40 days ago: the first instalment is now past due
        for row in session.scalars(select(BookingInstalment).where(BookingInstalment.booking_id == booking.id)):
            row.due_on -= timedelta(days=40)
            session.add(row)
    schedule = _do(sales, booking_detail, booking.id).schedule
    assert [x.status for x in schedule] == ["paid", "overdue", "due"]


def test_bad_booking_input_is_refused_with_field_messages_and_changes_nothing(world, gold):
    piece = _piece(world, gold)
    with pytest.raises(ValidationError) as err:
        _book(
            world,
            piece,
            customer_name=" ",
            customer_pan="ABC",
            method="card",
            reference="",
            instalments=[(world.actor("sales").today(), D("100"))],
        )
    assert set(err.value.fields) == {"customer_name", "customer_pan", "reference", "instalments"}
    with pytest.raises(ValidationError, match="section 269ST"):
        _book(world, piece, advance_amount="200000")
    big = _piece(world, gold, net="20.000")
    with pytest.raises(ValidationError, match="needs the customer's PAN"):
        _book(world, big)
    assert _count(Booking) == 0 and _count(Payment) == 0 and _status(piece) == "in_stock"


def test_a_rate_lock_prices_the_invoice_at_the_locked_days_rate(world, gold):
    sales = world.actor("sales")
    piece = _piece(world, gold)
    booking = _book(world, piece, rate_lock=True)
    assert booking.locked_on == sales.today() and booking.quoted == _price_today(world, piece)
    yesterday = sales.today() - timedelta(days=1)
    with unit_of_work(sales) as session:  # as if it had been booked, and locked, yesterday
        row = session.get(Booking, booking.id)
        row.locked_on = yesterday
        session.add(row)
    _do(sales, pay_instalment, booking.id, "card", "20000", "4821")
    invoice = _do(sales, complete_booking, booking.id)
    (line,) = _do(sales, lines_of, invoice.id)
    assert line.rate == D("11500.00") and line.piece_id == piece
    assert (invoice.status, invoice.priced_on, invoice.invoice_date) == ("issued", yesterday, sales.today())
    assert invoice.booking_id == booking.id and invoice.number.endswith("/000001")
    assert _status(piece) == "sold"
    assert _get(Invoice, invoice.id).paid == D("30000.00")
    done = _get(Booking, booking.id)
    assert (done.status, done.invoice_id, done.refund) == ("completed", invoice.id, D("0.00"))
    with read_session() as session:
        applied = session.scalars(select(Payment).where(Payment.kind == "applied")).one()
    assert (applied.invoice_id, applied.booking_id, applied.method, applied.amount, applied.receipt_number) == (
        invoice.id,
        booking.id,
        "advance",
        D("30000.00"),
        None,
    )
    rows = _do(sales, payments.payments_of, invoice.id)
    assert [(r.kind, r.amount) for r in rows] == [("applied", D("30000.00"))]
    with pytest.raises(JewelError, match="completed"):
        _do(sales, pay_instalment, booking.id, "cash", "100")


def test_without_a_lock_the_invoice_is_priced_today_and_the_balance_stays_due(world, gold):
    sales = world.actor("sales")
    piece = _piece(world, gold)
    booking = _book(world, piece)
    invoice = _do(sales, complete_booking, booking.id)
    assert _do(sales, lines_of, invoice.id)[0].rate == D("12000.00")
    assert invoice.payable == _price_today(world, piece)
    assert payments.balance(_get(Invoice, invoice.id)) == invoice.payable - D("10000.00")


def test_locked_advances_stay_within_the_locked_price(world, gold):
    sales = world.actor("sales")
    piece = _piece(world, gold)
    price = _price_today(world, piece)
    with pytest.raises(ValidationError, match="more than the locked price"):
        _book(world, piece, rate_lock=True, advance_amount=str(price + 1), method="card", reference="4821")
    booking = _book(world, piece, rate_lock=True, advance_amount=str(price - 100), method="card", reference="4821")
    with pytest.raises(ValidationError, match="more than the locked price"):
        _do(sales, pay_instalment, booking.id, "cash", "101")
    _do(sales, pay_instalment, booking.id, "cash", "100")


def test_advances_above_the_invoice_are_refunded_on_completion(world, gold):
    sales = world.actor("sales")
    piece = _piece(world, gold)
    booking = _book(world, piece, advance_amount="100000", method="bank", reference="HDFCN52026050112345")
    invoice = _do(sales, complete_booking, booking.id, refund_method="upi")
    excess = D("100000.00") - invoice.payable
    assert _get(Invoice, invoice.id).paid == invoice.payable
    with read_session() as session:
        refund = session.scalars(select(Payment).where(Payment.kind == "refund")).one()
    assert (refund.method, refund.amount, refund.invoice_id) == ("upi", excess, invoice.id)
    assert _get(Booking, booking.id).refund == excess


def test_cancellation_refunds_the_advances_less_the_forfeit_and_releases_the_piece(world, gold):
    sales = world.actor("sales")
    _do(world.actor("admin"), set_setting, world.mum, "billing.booking_forfeit_pct", "25")
    piece = _piece(world, gold)
    booking = _book(world, piece)
    _do(sales, pay_instalment, booking.id, "upi", "6000", "412345678901")
    detail = _do(sales, booking_detail, booking.id)
    assert (detail.refund_on_cancel, detail.forfeit_pct) == (D("12000.00"), D("25"))
    with pytest.raises(ValidationError):
        _do(sales, cancel_booking, booking.id, "  ", "cash")
    cancelled = _do(sales, cancel_booking, booking.id, "Customer moved away", "bank", "HDFC123456")
    assert (cancelled.status, cancelled.refund, cancelled.cancel_reason) == (
        "cancelled",
        D("12000.00"),
        "Customer moved away",
    )
    assert _status(piece) == "in_stock"
    with read_session() as session:
        refund = session.scalars(select(Payment).where(Payment.kind == "refund")).one()
        release = session.scalars(select(Movement).where(Movement.kind == "unreserve")).one()
    assert (refund.method, refund.amount, refund.reference, refund.receipt_number) == (
        "bank",
        D("12000.00"),
        "HDFC123456",
        None,
    )
    assert release.reference == booking.number
    with pytest.raises(JewelError, match="cancelled"):
        _do(sales, complete_booking, booking.id)


def test_a_failure_midway_leaves_no_booking_payment_or_stock_change(world, gold, monkeypatch):
    piece = _piece(world, gold)

    def broken(*_args, **_kwargs):
        raise RuntimeError("a listener failed")

    monkeypatch.setattr(payments, "emit", broken)  # fails after the number, the reservation and the booking
    with pytest.raises(RuntimeError):
        _book(world, piece)
    assert _count(Booking) == 0 and _count(Payment) == 0 and _count(BookingInstalment) == 0
    assert _count(Movement, Movement.kind == "reserve") == 0 and _status(piece) == "in_stock"
    assert _count(NumberCounter, NumberCounter.series == "ADV") == 0


def test_a_failed_completion_leaves_the_booking_open_and_the_piece_reserved(world, gold):
    sales = world.actor("sales")
    piece = _piece(world, gold)
    booking = _book(world, piece)
    with unit_of_work(sales) as session:  # today's rate is gone: the unlocked booking cannot be priced
        session.execute(delete(BillingMetalRate).where(BillingMetalRate.on == sales.today()))
    with pytest.raises(JewelError, match="No gold 22K rate"):
        _do(sales, complete_booking, booking.id)
    assert _get(Booking, booking.id).status == "open" and _status(piece) == "reserved"
    assert _count(Invoice) == 0 and _count(Payment) == 1


def test_a_sale_above_the_approval_amount_waits_for_a_manager(world, gold):
    sales, manager = world.actor("sales"), world.actor("manager")
    _do(world.actor("admin"), set_setting, world.mum, "billing.approval_amount", "50000")
    piece = _piece(world, gold)
    booking = _book(world, piece)
    draft = _do(sales, complete_booking, booking.id)
    assert (draft.status, draft.approval) == ("draft", "pending")
    assert _get(Booking, booking.id).status == "open" and _status(piece) == "reserved"
    assert _do(sales, complete_booking, booking.id).id == draft.id  # still waiting
    invoice = _do(manager, complete_booking, booking.id)
    assert (invoice.id, invoice.status, invoice.approval) == (draft.id, "issued", "approved")
    assert _get(Booking, booking.id).status == "completed" and _status(piece) == "sold"


def test_cancelling_a_booking_that_waits_for_approval_empties_its_draft(world, gold):
    sales = world.actor("sales")
    _do(world.actor("admin"), set_setting, world.mum, "billing.approval_amount", "50000")
    piece = _piece(world, gold)
    booking = _book(world, piece)
    draft = _do(sales, complete_booking, booking.id)
    _do(sales, cancel_booking, booking.id, "Changed her mind", "cash")
    assert _do(sales, lines_of, draft.id) == [] and _status(piece) == "in_stock"


def test_permissions_stores_and_branches_are_checked(world, gold):
    piece = _piece(world, gold)
    with pytest.raises(PermissionDenied):
        _book(world, piece, actor=world.actor("designer"))
    booking = _book(world, piece)
    delhi = world.actor("manager", world.dl)
    for fn, args in (
        (booking_detail, ()),
        (pay_instalment, ("cash", "100")),
        (complete_booking, ()),
        (cancel_booking, ("Wrong store", "cash")),
    ):
        with pytest.raises(NotFound):
            _do(delhi, fn, booking.id, *args)
    with pytest.raises(JewelError, match="not at this branch"):
        _book(world, _piece(world, gold), actor=delhi)
    with pytest.raises(JewelError, match="reserved"):
        _book(world, piece)  # already booked
    assert _count(Booking) == 1


def test_a_booked_piece_sells_only_through_its_booking(world, gold):
    from modules.billing.invoices import add_piece_line, create_draft, issue_invoice

    sales = world.actor("sales")
    piece = _piece(world, gold)
    draft = _do(sales, create_draft, customer_name="Walk-in").id
    _do(sales, add_piece_line, draft, piece)  # in stock when added
    _book(world, piece)  # then booked for Kavya
    with pytest.raises(JewelError, match="reserved for an advance booking"):
        _do(sales, issue_invoice, draft)
    other = _do(sales, create_draft, customer_name="Someone else").id
    with pytest.raises(JewelError, match="reserved for an advance booking"):
        _do(sales, add_piece_line, other, piece)
    assert _status(piece) == "reserved"
    assert _get(Invoice, draft).status == "draft"
