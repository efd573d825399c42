"""The customer number on invoices, estimates and bookings is read through clienteling's services: an
unknown number is refused with nothing written, a blank name comes from the customer, a merged customer's
documents go to the customer kept, walk-ins need no number, and clienteling cannot be switched off under
billing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jewelerp.core.module_states import disable_module
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, ValidationError
from modules.billing.bookings import book_piece
from modules.billing.estimates import create_estimate
from modules.billing.invoices import create_draft
from modules.billing.models import Booking, Invoice, Payment
from modules.billing.rates import set_rate
from modules.billing.supply import Recipient
from modules.clienteling.merge import merge_customers
from modules.clienteling.services import CustomerInput, create_customer
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal, Piece
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.stock.huids import new_huid


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _customer(actor, name: str, phone: str) -> int:
    return _do(actor, lambda s, a: create_customer(s, a, CustomerInput(name=name, phone=phone)).id)


def _count(model) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def piece(world) -> int:
    """A 22K ring in MUM with today's rate."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        gold = session.scalars(select(Metal).where(Metal.metal == "gold", Metal.fineness == 916)).one().id
        ring = session.scalars(select(Category).where(Category.code == "RING")).one().id
        set_rate(session, manager, gold, "12000")
        return receive_piece(session, manager, PieceInput(str(ring), str(gold), "2.000", huid=new_huid())).id


def test_an_unknown_customer_number_is_refused_and_nothing_is_written(world):
    sales = world.actor("sales")
    for start in (create_draft, create_estimate):
        with pytest.raises(ValidationError) as refused:
            _do(sales, start, customer_id=4242, customer_name="Meera Shah")
        assert refused.value.fields == {"customer_id": "No customer has number 4242."}
    assert _count(Invoice) == 0


def test_a_blank_name_is_taken_from_the_customer_and_a_typed_name_is_kept(world):
    sales = world.actor("sales")
    meera = _customer(sales, "Meera  Shah", "9820012345")
    draft = _do(sales, create_draft, customer_id=meera)
    estimate = _do(sales, create_estimate, customer_id=meera, recipient=Recipient(state_code="24"))
    gift = _do(sales, create_draft, customer_id=meera, customer_name="  Anil   Shah ")
    assert (draft.customer_id, draft.customer_name, draft.customer_state_code) == (meera, "Meera Shah", "")
    assert (estimate.customer_name, estimate.customer_state_code, estimate.kind) == ("Meera Shah", "24", "estimate")
    assert (gift.customer_id, gift.customer_name) == (meera, "Anil Shah")


def test_a_customer_of_another_store_may_be_billed(world):
    delhi = _customer(world.actor("manager", world.dl), "Ira Kapoor", "9811012345")
    draft = _do(world.actor("sales"), create_draft, customer_id=delhi)
    assert (draft.customer_id, draft.customer_name, draft.store_id) == (delhi, "Ira Kapoor", world.mum)


def test_a_merged_customer_is_billed_as_the_customer_kept(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    kept = _customer(sales, "Kavya Iyer", "9820022222")
    duplicate = _customer(sales, "Kavya R. Iyer", "9820033333")
    _do(manager, merge_customers, kept, duplicate)
    draft = _do(sales, create_draft, customer_id=duplicate)
    assert (draft.customer_id, draft.customer_name) == (kept, "Kavya Iyer")


def test_a_walk_in_needs_no_number_and_may_stay_nameless(world):
    draft = _do(world.actor("sales"), create_draft)
    assert (draft.customer_id, draft.customer_name) == (None, "")


def test_a_booking_takes_the_customers_name_and_refuses_an_unknown_number(world, piece):
    sales = world.actor("sales")
    with pytest.raises(ValidationError) as refused:
        _do(sales, book_piece, piece_id=piece, customer_id=777, customer_name="", advance_amount="2000", method="cash")
    assert refused.value.fields == {"customer_id": "No customer has number 777."}
    with read_session() as session:
        assert session.get(Piece, piece).status == "in_stock"
    assert (_count(Booking), _count(Payment)) == (0, 0)
    with pytest.raises(ValidationError, match="customer's name"):  # a walk-in booking still needs a name
        _do(sales, book_piece, piece_id=piece, customer_name=" ", advance_amount="2000", method="cash")

    neha = _customer(sales, "Neha Gupta", "9820044444")
    booking = _do(
        sales, book_piece, piece_id=piece, customer_id=neha, customer_name="", advance_amount="2000", method="cash"
    )
    assert (booking.customer_id, booking.customer_name) == (neha, "Neha Gupta")
    with read_session() as session:
        receipt = session.scalars(select(Payment).where(Payment.booking_id == booking.id)).one()
    assert receipt.customer_id == neha


def test_clienteling_cannot_be_disabled_while_billing_needs_it(world):
    admin = world.actor("admin")
    with pytest.raises(JewelError, match="Clienteling cannot be disabled: .*Billing"):
        _do(admin, disable_module, "clienteling", world.mum)
