"""HUID (BIS Hallmarking of Gold Jewellery and Gold Artefacts Order 2020, as amended): gold jewellery of
14K, 18K, 20K, 22K, 23K and 24K needs its HUID when received and when sold, while the store setting
``stock.huid_mandatory`` is on; coins and bars (bullion) and articles under 2 g are exempt, silver and
platinum never need one; a piece taken in without one gets it recorded before it can be sold."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from modules.billing.invoices import add_piece_line, create_draft, issue_invoice
from modules.billing.models import Invoice
from modules.billing.rates import set_rate
from modules.stock.hallmark import HUID_SETTING
from modules.stock.ledger import move, sell_piece
from modules.stock.masters import CategoryInput, ensure_default_masters, save_category
from modules.stock.models import Category, Metal, Movement, Piece, SkuCounter
from modules.stock.pieces import PieceInput, receive_piece, record_huid
from tests.modules.stock.huids import new_huid


@pytest.fixture
def ids(world) -> dict[str, int]:
    """Category codes and metals ("gold916", "silver925" ...) of the default masters."""
    with unit_of_work() as session:
        ensure_default_masters(session)
        found = {c.code: c.id for c in session.scalars(select(Category))}
        found |= {f"{m.metal}{m.fineness}": m.id for m in session.scalars(select(Metal))}
    return found


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _receive(world, ids, metal="gold916", category="RING", gross="5.000", huid=""):
    data = PieceInput(str(ids[category]), str(ids[metal]), gross, huid=huid)
    return _do(world.actor("manager"), receive_piece, data)


def _mandatory(world, on: bool) -> None:
    manager = world.actor("manager")
    _do(manager, lambda s, a: set_setting(s, a, a.store_id, HUID_SETTING, "yes" if on else "no"))


def _pieces() -> int:
    with read_session() as session:
        return session.scalar(select(func.count(Piece.id)))


def test_a_22k_ring_without_a_huid_is_refused_beside_the_field_and_nothing_is_written(world, ids):
    with pytest.raises(ValidationError) as err:
        _receive(world, ids)
    assert set(err.value.fields) == {"huid"}
    assert err.value.fields["huid"].startswith("Gold 22K (916) jewellery of 2 g or more is taken in only with")
    with read_session() as session:
        assert session.scalar(select(func.count(Movement.id))) == 0
        assert session.get(SkuCounter, world.mum) is None  # not even a SKU number was used
    assert _pieces() == 0
    assert _receive(world, ids, huid=" ab12cd ").huid == "AB12CD"


def test_with_the_setting_off_a_22k_ring_is_taken_in_without_a_huid(world, ids):
    _mandatory(world, False)
    assert _receive(world, ids).huid is None


@pytest.mark.parametrize("metal", ["gold585", "gold750", "gold833", "gold916", "gold958", "gold999"])
def test_every_grade_of_the_order_needs_one_20k_and_23k_included(world, ids, metal):
    with pytest.raises(ValidationError) as err:
        _receive(world, ids, metal=metal)
    assert set(err.value.fields) == {"huid"}
    assert _receive(world, ids, metal=metal, huid=new_huid()).huid


@pytest.mark.parametrize("metal", ["silver925", "silver999", "platinum950"])
def test_silver_and_platinum_never_need_one(world, ids, metal):
    assert _receive(world, ids, metal=metal, gross="25.000").huid is None


def test_bullion_coins_and_articles_under_two_grams_are_exempt(world, ids):
    assert _receive(world, ids, metal="gold999", category="COIN", gross="10.000").huid is None  # clause 2(3)(g)
    bars = _do(world.actor("manager"), save_category, CategoryInput("BAR", "Gold bar", hsn="7108")).id
    assert _receive(world, ids | {"BAR": bars}, metal="gold999", category="BAR", gross="100.000").huid is None
    assert _receive(world, ids, gross="1.999").huid is None  # clause 2(3)(b): less than two grams
    with pytest.raises(ValidationError):
        _receive(world, ids, gross="2.000")  # two grams is not less than two grams


def test_an_old_piece_without_a_huid_is_not_sold_until_its_huid_is_recorded(world, ids):
    _mandatory(world, False)
    old = _receive(world, ids)  # taken in before the rule applied
    _mandatory(world, True)
    sales, manager = world.actor("sales"), world.actor("manager")
    with pytest.raises(JewelError, match=rf"{old.sku} has no HUID: Gold 22K \(916\) jewellery is sold only with"):
        _do(sales, sell_piece, old.id, "MUM/2627/000001")
    with pytest.raises(PermissionDenied):
        _do(sales, record_huid, old.id, "QX12AB")
    _do(manager, record_huid, old.id, "qx12ab")
    assert _do(sales, sell_piece, old.id, "MUM/2627/000001").status_after == "sold"
    with pytest.raises(JewelError, match="is sold: its HUID stays as it was invoiced"):
        _do(manager, record_huid, old.id, "QX12AC")


def test_a_recorded_huid_is_checked_like_one_typed_at_receipt(world, ids):
    manager = world.actor("manager")
    taken = _receive(world, ids, huid="AB12CD")
    _mandatory(world, False)
    piece = _receive(world, ids)
    for typed, message in (("", "Enter the HUID"), ("AB-12C", "6 letters or digits"), ("ab12cd", "already on")):
        with pytest.raises(ValidationError) as err:
            _do(manager, record_huid, piece.id, typed)
        assert set(err.value.fields) == {"huid"} and message in err.value.fields["huid"]
    with read_session() as session:
        assert session.get(Piece, piece.id).huid is None
    assert _do(manager, record_huid, taken.id, "AB12CD").huid == "AB12CD"  # its own HUID again is fine
    with pytest.raises(JewelError, match="not at this branch"):
        _do(world.actor("manager", world.dl), record_huid, piece.id, "ZZ99ZZ")


def test_billing_cannot_issue_an_invoice_for_a_piece_without_its_huid(world, ids):
    _mandatory(world, False)
    old = _receive(world, ids)
    _mandatory(world, True)
    manager, sales = world.actor("manager"), world.actor("sales")
    _do(manager, set_rate, ids["gold916"], "12000")
    draft = _do(sales, create_draft, customer_name="Walk-in customer")
    _do(sales, add_piece_line, draft.id, old.id)
    with pytest.raises(JewelError, match="has no HUID"):
        _do(sales, issue_invoice, draft.id)
    with read_session() as session:
        assert session.get(Invoice, draft.id).status == "draft" and session.get(Invoice, draft.id).number is None
        assert session.get(Piece, old.id).status == "in_stock"


def test_a_reserved_piece_still_needs_its_huid_to_be_sold(world, ids):
    _mandatory(world, False)
    old = _receive(world, ids)
    _mandatory(world, True)
    sales = world.actor("sales")
    _do(sales, move, old.id, "reserve")  # reserving is not selling
    with pytest.raises(JewelError, match="has no HUID"):
        _do(sales, move, old.id, "sale")
