"""Payments: split and partial payments, the balance guard (also under concurrency), references, the
section 269ST cash rule, gapless receipt numbers, refunds of a cancelled invoice, and dues with ageing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from jewelerp.events import emit as real_emit
from modules.billing import payments
from modules.billing.invoices import add_old_gold, add_service_line, cancel_invoice, create_draft, issue_invoice
from modules.billing.models import Invoice, Payment
from modules.billing.old_gold import OldGoldEntry
from modules.billing.payments import (
    dues,
    payments_of,
    refund_cancelled,
    take_payment,
    take_split,
)
from modules.billing.rates import set_rate
from modules.clienteling.services import CustomerInput, create_customer
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Metal


@pytest.fixture
def metals(world) -> dict[tuple[str, int], int]:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        ids = {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))}
        set_rate(session, manager, ids[("gold", 750)], "9800")
    return ids


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _issued(world, taxable: str = "100000", actor=None, **customer) -> Invoice:
    """An issued invoice of one line made to order (goods, JEWELLERY at 3%): payable = taxable + 3% GST
    (₹1,03,000 by default)."""
    actor = actor or world.actor("sales")
    invoice_id = _do(actor, create_draft, **customer).id
    _do(actor, add_service_line, invoice_id, "Custom work", taxable, "JEWELLERY")
    return _do(actor, issue_invoice, invoice_id)


def _customer(world, name: str) -> int:
    return _do(world.actor("manager"), create_customer, CustomerInput(name=name, phone="9820012345")).id


def _invoice(invoice_id: int) -> Invoice:
    with read_session() as session:
        return session.get(Invoice, invoice_id)


def _count_payments() -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(Payment))


def test_a_split_payment_cash_and_card_settles_the_invoice(world):
    sales = world.actor("sales")
    asha = _customer(world, "Asha Rao")
    invoice = _issued(world, customer_name="Asha Rao", customer_id=asha)
    assert invoice.payable == D("103000.00")
    cash = _do(sales, take_payment, invoice.id, "cash", "50,000")
    card = _do(sales, take_payment, invoice.id, "card", "53000.00", "4821")
    assert cash.receipt_number.endswith("/00001") and card.receipt_number.endswith("/00002")
    assert cash.receipt_number.startswith("MUM/R")
    paid = _invoice(invoice.id)
    assert paid.paid == D("103000.00") and payments.balance(paid) == 0
    assert (card.customer_id, card.method, card.reference, card.on) == (asha, "card", "4821", sales.today())
    with pytest.raises(JewelError, match="fully paid"):
        _do(sales, take_payment, invoice.id, "upi", "1", "412345678901")
    rows = _do(sales, payments_of, invoice.id)
    assert [(r.method, r.amount) for r in rows] == [("cash", D("50000.00")), ("card", D("53000.00"))]


def test_take_split_is_all_or_nothing(world):
    sales = world.actor("sales")
    invoice = _issued(world)
    with pytest.raises(ValidationError) as err:
        _do(sales, take_split, invoice.id, [("cash", "3000", ""), ("upi", "100000", "")])
    assert set(err.value.fields) == {"reference"}
    assert _count_payments() == 0 and _invoice(invoice.id).paid == 0
    done = _do(sales, take_split, invoice.id, [("cash", "3000", ""), ("upi", "100000", "412345678901")])
    assert [p.receipt_number[-5:] for p in done] == ["00001", "00002"]  # the failed try used no number
    assert _invoice(invoice.id).paid == D("103000.00")


def test_a_partial_payment_leaves_a_due_and_an_overpayment_is_refused(world):
    sales = world.actor("sales")
    invoice = _issued(world)
    _do(sales, take_payment, invoice.id, "bank", "40000", "HDFCN52026050112345")
    assert payments.balance(_invoice(invoice.id)) == D("63000.00")
    with pytest.raises(ValidationError, match="more than the balance of ₹63,000.00") as err:
        _do(sales, take_payment, invoice.id, "card", "63000.01", "4821")
    assert set(err.value.fields) == {"amount"}
    assert _invoice(invoice.id).paid == D("40000.00") and _count_payments() == 1


@pytest.mark.parametrize(
    ("method", "amount", "reference", "field"),
    [
        ("card", "1000", "", "reference"),
        ("card", "1000", "48211", "reference"),
        ("upi", "1000", "", "reference"),
        ("bank", "1000", "x", "reference"),
        ("cheque", "1000", "", "method"),
        ("cash", "0", "", "amount"),
        ("cash", "-5", "", "amount"),
        ("cash", "10.001", "", "amount"),
        ("cash", "ten", "", "amount"),
    ],
)
def test_bad_tenders_are_refused_with_a_field_message(world, method, amount, reference, field):
    invoice = _issued(world)
    with pytest.raises(ValidationError) as err:
        _do(world.actor("sales"), take_payment, invoice.id, method, amount, reference)
    assert field in err.value.fields
    assert _count_payments() == 0


def test_cash_of_two_lakh_is_refused_and_one_rupee_less_is_taken(world):
    sales = world.actor("sales")
    invoice = _issued(world, "300000", customer_pan="ABCDE1234F")
    with pytest.raises(ValidationError, match="section 269ST") as err:
        _do(sales, take_payment, invoice.id, "cash", "200000")
    assert "would reach ₹2,00,000" in err.value.fields["amount"]
    assert _count_payments() == 0
    assert _do(sales, take_payment, invoice.id, "cash", "199999").amount == D("199999.00")
    # The rule is per sale too: one more rupee in cash on the same invoice would reach ₹2,00,000.
    with pytest.raises(ValidationError, match=r"269ST\(b\), one transaction; ₹1,99,999.00 received already"):
        _do(sales, take_payment, invoice.id, "cash", "1")
    _do(sales, take_payment, invoice.id, "upi", "109001", "412345678901")
    assert payments.balance(_invoice(invoice.id)) == 0


def test_old_gold_shows_as_a_credit_and_only_the_payable_is_due(world, metals):
    sales = world.actor("sales")
    invoice_id = _do(sales, create_draft).id
    _do(sales, add_service_line, invoice_id, "Custom work", "100000", "JEWELLERY")  # goods at 3%
    seller = OldGoldEntry("gold", "750", "2.000", "2.000", "0", "pan", "ABCDE1234F", "Asha Rao", "12 Marine Drive")
    _do(sales, add_old_gold, invoice_id, seller)  # 2 g × ₹9,800 (the 18K rate) = ₹19,600
    invoice = _do(sales, issue_invoice, invoice_id)
    assert invoice.payable == D("103000.00") - D("19600.00")
    with pytest.raises(ValidationError):
        _do(sales, take_payment, invoice_id, "cash", "103000")
    _do(sales, take_payment, invoice_id, "cash", "83400")
    rows = _do(sales, payments_of, invoice_id)
    assert [(r.kind, r.method, r.amount) for r in rows] == [
        ("credit", "old_gold", D("19600.00")),
        ("receipt", "cash", D("83400.00")),
    ]


def test_concurrent_payments_cannot_overpay(world):
    invoice = _issued(world)
    actors = [world.actor("sales") for _ in range(6)]
    barrier = threading.Barrier(len(actors))
    taken: list[str] = []
    refused: list[BaseException] = []

    def pay(actor):
        try:
            barrier.wait()
            taken.append(_do(actor, take_payment, invoice.id, "card", "40000", "4821").receipt_number)
        except JewelError as exc:
            refused.append(exc)

    threads = [threading.Thread(target=pay, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(taken) == 2 and len(refused) == 4  # ₹1,03,000 holds two payments of ₹40,000
    assert sorted(n[-5:] for n in taken) == ["00001", "00002"]
    assert _invoice(invoice.id).paid == D("80000.00")


def test_the_conditional_update_refuses_what_a_stale_read_would_allow(world):
    """The guard in SQL, not the Python check: an invoice object read before another payment."""
    sales = world.actor("sales")
    invoice = _issued(world)
    _do(sales, take_payment, invoice.id, "card", "100000", "4821")
    with pytest.raises(JewelError, match="more than the balance"), unit_of_work(sales) as session:
        stale = session.merge(invoice, load=False)  # still says paid = 0
        payments.add_paid(session, stale, D("5000"))
    assert _invoice(invoice.id).paid == D("100000.00")


def test_drafts_cancelled_invoices_other_stores_and_other_roles_are_refused(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    draft = _do(sales, create_draft).id
    with pytest.raises(JewelError, match="Issue the invoice"):
        _do(sales, take_payment, draft, "cash", "100")
    invoice = _issued(world)
    with pytest.raises(NotFound):
        _do(world.actor("manager", world.dl), take_payment, invoice.id, "cash", "100")
    with pytest.raises(PermissionDenied):
        _do(world.actor("designer"), take_payment, invoice.id, "cash", "100")
    with pytest.raises(PermissionDenied):
        _do(world.actor("designer"), payments_of, invoice.id)
    _do(manager, cancel_invoice, invoice.id, "Wrong item")
    with pytest.raises(JewelError, match="cancelled"):
        _do(sales, take_payment, invoice.id, "cash", "100")
    assert _count_payments() == 0


def test_a_cancelled_invoice_refunds_what_was_paid_once(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    invoice = _issued(world)
    _do(sales, take_payment, invoice.id, "cash", "30000")
    _do(sales, take_payment, invoice.id, "upi", "20000", "412345678901")
    with pytest.raises(JewelError, match="Only a cancelled invoice"):
        _do(manager, refund_cancelled, invoice.id, "cash")
    _do(manager, cancel_invoice, invoice.id, "Customer changed her mind")
    with pytest.raises(PermissionDenied):
        _do(sales, refund_cancelled, invoice.id, "cash")
    refund = _do(manager, refund_cancelled, invoice.id, "bank")
    assert (refund.kind, refund.amount, refund.receipt_number) == ("refund", D("50000.00"), None)
    assert _invoice(invoice.id).paid == 0
    with pytest.raises(JewelError, match="Nothing is left to refund"):
        _do(manager, refund_cancelled, invoice.id, "bank")


def test_every_receipt_emits_a_payment_event(world, monkeypatch):
    seen = []

    def spy(session, actor, record, event, payload, registry=None):
        seen.append((record, event, payload))
        return real_emit(session, actor, record, event, payload, registry)

    monkeypatch.setattr(payments, "emit", spy)
    meera = _customer(world, "Meera Shah")
    invoice = _issued(world, customer_id=meera)
    receipt = _do(world.actor("sales"), take_payment, invoice.id, "cash", "1000")
    assert seen == [
        (
            "billing.payment",
            "received",
            {
                "receipt": receipt.receipt_number,
                "number": invoice.number,
                "invoice": invoice.id,
                "booking": None,
                "customer_id": meera,
                "amount": "1000.00",
                "method": "cash",
            },
        )
    ]


# ---------------------------------------------------------------------------- dues


def _issued_days_ago(world, days: int, taxable: str, **customer) -> Invoice:
    """An invoice issued at noon, store time, ``days`` days before the store's today."""
    manager = world.actor("manager")
    invoice = _issued(world, taxable, actor=manager, **customer)
    day = manager.today() - timedelta(days=days)
    with unit_of_work(manager) as session:
        row = session.get(Invoice, invoice.id)
        row.issued_at = datetime.combine(day, time(12), ZoneInfo(manager.time_zone)).astimezone(UTC)
        session.add(row)
    return invoice


def test_dues_are_aged_by_the_store_date_of_issue(world):
    manager = world.actor("manager")
    asha = {"customer_id": _customer(world, "Asha Rao"), "customer_name": "Asha Rao"}
    _issued_days_ago(world, 0, "1000", **asha)  # ₹1,030
    _issued_days_ago(world, 30, "2000", **asha)  # ₹2,060, still 0–30
    _issued_days_ago(world, 31, "3000", **asha)  # ₹3,090
    _issued_days_ago(world, 61, "4000", **asha)  # ₹4,120
    old = _issued_days_ago(world, 91, "5000", **asha)  # ₹5,150
    _do(manager, take_payment, old.id, "cash", "150")
    paid_up = _issued_days_ago(world, 5, "1000", **asha)
    _do(manager, take_payment, paid_up.id, "cash", "1030")
    _issued_days_ago(world, 45, "10000", customer_name="Walk-in Ravi")
    cancelled = _issued_days_ago(world, 10, "9000", **asha)
    _do(manager, cancel_invoice, cancelled.id, "Returned")
    _issued(world, "7000", actor=world.actor("manager", world.dl), **asha)  # another store

    rows = _do(manager, dues)
    assert [(r["customer_id"], r["customer_name"]) for r in rows] == [
        (asha["customer_id"], "Asha Rao"),
        (None, "Walk-in Ravi"),
    ]
    asha_row, walk_in = rows
    assert asha_row["invoices"] == 5
    assert (asha_row["days_0_30"], asha_row["days_31_60"], asha_row["days_61_90"], asha_row["over_90"]) == (
        D("3090.00"),
        D("3090.00"),
        D("4120.00"),
        D("5000.00"),
    )
    assert asha_row["total"] == D("15300.00")
    assert walk_in["days_31_60"] == walk_in["total"] == D("10300.00")
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), dues)


def test_the_dues_lists_sort_by_every_sortable_column_and_export(world):
    from jewelerp.ui.table_query import TableQuery
    from modules.billing.payment_pages import DUES, OPEN_DUES

    manager = world.actor("manager")
    _issued_days_ago(world, 40, "1000", customer_name="Asha Rao")
    _issued_days_ago(world, 2, "5000", customer_name="Bela Das")
    with read_session() as session:
        for spec in (DUES, OPEN_DUES):
            for column in (c for c in spec.columns if c.sortable):
                for descending in (False, True):
                    rows, total = spec.fetch(session, manager, TableQuery(sort=column.key, descending=descending))
                    assert total == 2 and len(rows) == 2
        rows, _total = DUES.fetch(session, manager, TableQuery(sort="total", descending=False))
        assert [r["customer"] for r in rows] == ["Bela Das", "Asha Rao"]  # the largest balance first
        assert rows[0]["days_0_30"] == "₹5,150.00" and rows[1]["days_31_60"] == "₹1,030.00"
        rows, _total = OPEN_DUES.fetch(session, manager, TableQuery(search="asha"))
        assert [(r["customer"], r["balance"], r["age"]) for r in rows] == [("Asha Rao", "₹1,030.00", "40 days")]
        assert len(list(DUES.iter_rows(session, manager, TableQuery()))) == 2
