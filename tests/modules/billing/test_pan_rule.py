"""The PAN rule, Income-tax Rules 1962, Rule 114B table item 18: a sale of goods or services "exceeding two lakh
rupees per transaction" carries the buyer's PAN; a customer's invoices of one day are read as one purchase.

Invoices are made of one service line whose amount includes GST (18%), so each total is the amount typed:
e.g. ₹1,50,000 → taxable 1,50,000 × 100 / 118 = ₹1,27,118.64, CGST = SGST = 9% of it = ₹11,440.68 each,
total 1,27,118.64 + 22,881.36 = ₹1,50,000.00."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from jewelerp.auth import actor as actor_clock
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import ValidationError
from modules.billing.invoices import (
    add_service_line,
    cancel_invoice,
    create_draft,
    issue_invoice,
    pan_required,
    set_customer_pan,
)
from modules.billing.models import Invoice, NumberCounter
from modules.clienteling.services import CustomerInput, create_customer

PAN = "ABCDE1234F"


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _customer(world, name: str) -> int:
    return _do(world.actor("manager"), create_customer, CustomerInput(name=name, phone="9820012345"), True).id


def _draft(world, amount: str, **customer) -> int:
    """A draft of one service line whose total with GST is ``amount``."""
    sales = world.actor("sales")
    invoice_id = _do(sales, create_draft, **customer).id
    _do(sales, add_service_line, invoice_id, "Custom work", amount, includes_tax=True)
    return invoice_id


def _issue(world, invoice_id: int) -> Invoice:
    return _do(world.actor("sales"), issue_invoice, invoice_id)


def _numbers_taken() -> int:
    with read_session() as session:
        return session.scalar(select(func.coalesce(func.sum(NumberCounter.last), 0)))


@pytest.fixture
def clock(monkeypatch):
    """``clock(days)`` moves the stores' today ``days`` from the real today."""
    real = actor_clock.utcnow()

    def move(days: int) -> None:
        monkeypatch.setattr(actor_clock, "utcnow", lambda: real + timedelta(days=days))

    return move


def test_the_threshold_is_exceeding_two_lakh_as_rule_114b_says():
    assert not pan_required(D("200000.00"))  # "exceeding two lakh rupees": exactly ₹2,00,000 needs none
    assert pan_required(D("200000.01")) and pan_required(D("200001"))


def test_one_sale_above_two_lakh_needs_the_pan_and_one_of_two_lakh_does_not(world):
    exact = _draft(world, "200000", customer_name="Big Buyer")
    assert _issue(world, exact).total == D("200000.00")
    above = _draft(world, "200001", customer_name="Big Buyer")
    numbers = _numbers_taken()
    with pytest.raises(ValidationError) as err:
        _issue(world, above)
    assert err.value.fields == {
        "customer_pan": "A sale of more than ₹2,00,000 needs the customer's PAN (Rule 114B), e.g. ABCDE1234F."
    }
    assert _numbers_taken() == numbers  # nothing issued, no number used
    _do(world.actor("sales"), set_customer_pan, above, PAN)
    assert _issue(world, above).total == D("200001.00")


def test_a_customers_purchases_of_one_day_together_need_the_pan(world, clock):
    asha, ravi = _customer(world, "Asha Rao"), _customer(world, "Ravi Menon")
    first = _issue(world, _draft(world, "150000", customer_id=asha))
    second = _draft(world, "60000", customer_id=asha)
    with pytest.raises(ValidationError) as err:
        _issue(world, second)
    # ₹1,50,000 issued today + ₹60,000 = ₹2,10,000, more than ₹2,00,000.
    day = first.invoice_date
    assert err.value.fields["customer_pan"] == (
        f"With this sale, Asha Rao's purchases on {day:%d %b %Y} come to ₹2,10,000.00, more than ₹2,00,000: "
        "that needs the customer's PAN (Rule 114B), e.g. ABCDE1234F."
    )
    with read_session() as session:
        assert (session.get(Invoice, second).status, session.get(Invoice, second).number) == ("draft", None)
    assert _issue(world, _draft(world, "60000", customer_id=ravi)).customer_pan == ""  # Ravi's day is his own
    assert _issue(world, _draft(world, "60000", customer_name="Walk-in")).customer_pan == ""  # one bill each
    _do(world.actor("sales"), set_customer_pan, second, "abcde1234f")
    assert _issue(world, second).customer_pan == PAN
    clock(1)
    assert _issue(world, _draft(world, "60000", customer_id=asha)).customer_pan == ""  # a new day


def test_a_cancelled_invoice_is_no_purchase(world):
    asha = _customer(world, "Asha Rao")
    returned = _issue(world, _draft(world, "150000", customer_id=asha))
    _do(world.actor("manager"), cancel_invoice, returned.id, "Returned")
    # Only ₹60,000 stands today: no PAN.
    assert _issue(world, _draft(world, "60000", customer_id=asha)).customer_pan == ""
