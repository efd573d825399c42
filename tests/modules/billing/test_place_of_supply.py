"""Place of supply (issue 13, item 1): over the counter the store's state whatever the customer's home state,
the delivery state when goods are sent, a registered buyer's own state; states chosen by GST code; a GSTIN
checked against its state (check character, first two digits); bad input refused with nothing written."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from jewelerp.core.models import Store
from jewelerp.core.stores import StoreInput, save_store
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import ValidationError
from modules.billing.bookings import book_piece, complete_booking
from modules.billing.invoices import add_piece_line, add_service_line, create_draft, issue_invoice, set_recipient
from modules.billing.models import Booking, Invoice
from modules.billing.rates import set_rate
from modules.billing.supply import Recipient, is_inter_state, place_of_supply, state_label
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.stock.huids import new_huid

MUMBAI = "27"
GUJARAT_FIRM = "24AAACR5055K1ZD"  # valid, registered in Gujarat (24)
MUMBAI_FIRM = "27AABCU9603R1ZN"  # valid, registered in Maharashtra (27)
AHMEDABAD = "5 CG Road, Ahmedabad 380009"


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _count(model) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _supplied(state: str = "", gstin: str = "", ship_to: str = "") -> SimpleNamespace:
    return SimpleNamespace(customer_state_code=state, customer_gstin=gstin, ship_to_state_code=ship_to)


# ---------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("invoice", "place", "igst"),
    [
        (_supplied(), MUMBAI, False),  # a walk-in at the counter
        (_supplied(state="24"), MUMBAI, False),  # a visitor from Gujarat takes the piece at the counter
        (_supplied(state="24", ship_to="24"), "24", True),  # sent to Gujarat: movement ends there
        (_supplied(state=MUMBAI, ship_to="29"), "29", True),  # a Mumbai customer's gift sent to Karnataka
        (_supplied(state="24", gstin=GUJARAT_FIRM), "24", True),  # a registered buyer of Gujarat at the counter
        (_supplied(state=MUMBAI, gstin=MUMBAI_FIRM, ship_to="24"), MUMBAI, False),  # bill-to-ship-to: s.10(1)(b)
    ],
)
def test_the_place_of_supply_and_whether_igst_applies(invoice, place, igst):
    assert place_of_supply(MUMBAI, invoice) == place
    assert is_inter_state(MUMBAI, place) is igst


def test_states_read_as_code_and_name():
    assert state_label("24") == "24 · Gujarat"
    assert state_label("", " tamil   nadu ") == "tamil nadu"  # typed on a record from before the list
    assert state_label("42") == ""


# ---------------------------------------------------------------------------- on invoices


@pytest.fixture
def ring(world):
    """A 22K ring (5.000 g, ₹1,000 making, its HUID) at ₹12,000/g: taxable 60,000 + 1,000 + 45 hallmark."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        gold = session.scalars(select(Metal.id).where(Metal.metal == "gold", Metal.fineness == 916)).one()
        category = session.scalars(select(Category.id).where(Category.code == "RING")).one()
        set_rate(session, manager, gold, "12000")

    def make() -> int:
        data = PieceInput(str(category), str(gold), "5.000", making_rule="flat", making_value="1000", huid=new_huid())
        with unit_of_work(manager) as session:
            return receive_piece(session, manager, data).id

    return make


def test_a_visitor_from_another_state_at_the_counter_pays_cgst_and_sgst(world, ring):
    sales = world.actor("sales")
    invoice = _do(sales, create_draft, customer_name="Nirav Shah", recipient=Recipient(AHMEDABAD, "24")).id
    _do(sales, add_piece_line, invoice, ring())
    issued = _do(sales, issue_invoice, invoice)
    # 61,045.00 taxable; 1.5% = 915.675 -> 915.68 CGST and SGST; 62,876.36 -> 62,876
    assert (issued.customer_state_code, issued.customer_address, issued.place_of_supply) == ("24", AHMEDABAD, "27")
    assert (issued.cgst, issued.sgst, issued.igst, issued.total) == (D("915.68"), D("915.68"), D("0"), D("62876"))


def test_goods_sent_to_another_state_pay_igst(world, ring):
    sales = world.actor("sales")
    sent = Recipient("12 Marine Drive, Mumbai", MUMBAI, "", AHMEDABAD, "24")
    invoice = _do(sales, create_draft, customer_name="Asha Rao", recipient=sent).id
    _do(sales, add_piece_line, invoice, ring())
    issued = _do(sales, issue_invoice, invoice)
    # 3% of 61,045 = 1,831.35 IGST; 62,876.35 -> 62,876
    assert (issued.place_of_supply, issued.cgst, issued.igst, issued.total) == ("24", D("0"), D("1831.35"), D("62876"))
    assert (issued.ship_to_address, issued.ship_to_state_code) == (AHMEDABAD, "24")


def test_a_gstin_gives_the_customers_state_when_none_is_chosen(world):
    sales = world.actor("sales")
    draft = _do(sales, create_draft, recipient=Recipient(AHMEDABAD, "", " 24aaacr5055k1zd "))
    assert (draft.customer_gstin, draft.customer_state_code, draft.place_of_supply) == (GUJARAT_FIRM, "24", "24")


@pytest.mark.parametrize(
    ("recipient", "field"),
    [
        (Recipient(state_code="42"), "customer_state_code"),  # no state has code 42
        (Recipient(state_code="28"), "customer_state_code"),  # Andhra Pradesh before 2014: not for new records
        (Recipient(state_code="Gujarat"), "customer_state_code"),  # a name is not a code
        (Recipient(AHMEDABAD, MUMBAI, GUJARAT_FIRM), "customer_gstin"),  # a GSTIN of another state
        (Recipient(AHMEDABAD, "24", "24AAACR5055K1ZE"), "customer_gstin"),  # a wrong check character
        (Recipient(AHMEDABAD, "24", "24AAACR5055K"), "customer_gstin"),  # too short
        (Recipient(ship_to_address=AHMEDABAD), "ship_to_state_code"),  # sent where?
        (Recipient(ship_to_state_code="24"), "ship_to_address"),
        (Recipient(ship_to_address=AHMEDABAD, ship_to_state_code="99x"), "ship_to_state_code"),
        (Recipient(address="x" * 301), "customer_address"),
    ],
)
def test_bad_customer_details_are_refused_and_nothing_is_written(world, recipient, field):
    sales = world.actor("sales")
    with pytest.raises(ValidationError) as err:
        _do(sales, create_draft, customer_name="Nirav Shah", recipient=recipient)
    assert field in err.value.fields
    assert _count(Invoice) == 0


def test_changing_a_draft_to_a_bad_gstin_changes_nothing(world):
    sales = world.actor("sales")
    invoice = _do(sales, create_draft, recipient=Recipient(AHMEDABAD, "24")).id
    _do(sales, add_service_line, invoice, "Polishing", "1000")
    with pytest.raises(ValidationError) as err:
        _do(sales, set_recipient, invoice, Recipient(AHMEDABAD, "29", GUJARAT_FIRM))
    assert "registered in Gujarat (24), not Karnataka" in err.value.fields["customer_gstin"]
    with read_session() as session:
        draft = session.get(Invoice, invoice)
        assert (draft.customer_state_code, draft.customer_gstin, draft.place_of_supply) == ("24", "", MUMBAI)
        assert (draft.cgst, draft.igst) == (D("90.00"), D("0.00"))


# ---------------------------------------------------------------------------- bookings


def test_a_booking_keeps_the_state_code_and_its_invoice_is_taxed_at_the_counter(world, ring):
    sales, manager = world.actor("sales"), world.actor("manager")
    values = {"customer_name": "Nirav Shah", "advance_amount": "10000", "method": "cash"}
    with pytest.raises(ValidationError) as err:
        _do(sales, book_piece, piece_id=ring(), customer_state_code="42", **values)
    assert set(err.value.fields) == {"customer_state_code"}
    assert _count(Booking) == 0
    booking = _do(sales, book_piece, piece_id=ring(), customer_state_code="24", **values)
    assert (booking.customer_state_code, booking.customer_state) == ("24", "")
    invoice = _do(manager, complete_booking, booking.id)
    assert (invoice.customer_state_code, invoice.place_of_supply, invoice.igst) == ("24", MUMBAI, D("0.00"))
    assert invoice.cgst == D("915.68")


# ---------------------------------------------------------------------------- stores


def test_a_store_is_in_a_state_chosen_by_code_and_its_gstin_must_be_of_that_state(world):
    admin = world.actor("admin")
    pune = _do(admin, save_store, StoreInput("PUN", "Pune", "FC Road", gstin=MUMBAI_FIRM, state_code=MUMBAI))
    assert (pune.state_code, pune.state) == (MUMBAI, "Maharashtra")
    assert StoreInput("NSK", "Nashik", "", "Maharashtra").state_code == MUMBAI  # a name gives its code
    for data, field in (
        (StoreInput("SRT", "Surat", gstin=MUMBAI_FIRM, state_code="24"), "gstin"),  # Maharashtra's GSTIN
        (StoreInput("SRT", "Surat", gstin="24AAACR5055K1ZE", state_code="24"), "gstin"),  # wrong check character
        (StoreInput("SRT", "Surat", state_code="42"), "state_code"),
        (StoreInput("SRT", "Surat", "", "Gujrat"), "state_code"),  # a misspelt name gives no code
    ):
        with pytest.raises(ValidationError) as err:
            _do(admin, save_store, data)
        assert set(err.value.fields) == {field}
    with read_session() as session:
        assert session.scalars(select(Store).where(Store.code == "SRT")).first() is None
