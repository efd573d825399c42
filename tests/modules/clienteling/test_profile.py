"""Profiles: every field validated, consent times, sizes, privacy on edit and view, family, occasions, wishes."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from jewelerp.core.models import AuditLog
from jewelerp.db import read_session
from jewelerp.errors import NotFound, ValidationError
from modules.clienteling.family import RelativeInput, add_occasion, add_relative, family_rows, occasion_rows
from modules.clienteling.models import Customer
from modules.clienteling.services import CustomerInput, create_customer, customer_profile, update_customer
from modules.clienteling.sizes import us_ring_size
from modules.clienteling.wishlist import add_wish, wish_rows
from tests.modules.clienteling.helpers import add_customer, run
from tests.modules.stock.huids import new_huid


def _input(**overrides) -> CustomerInput:
    base = {"name": "Ananya Iyer", "phone": "98200 10001", "email": "ananya@example.in"}
    return CustomerInput(**{**base, **overrides})


def test_full_profile_is_stored_with_sizes_preferences_and_budget(world):
    sales = world.actor("sales")
    data = _input(
        address="12 Linking Road, Bandra",
        gender="Female",
        date_of_birth="1990-04-23",
        anniversary="2015-11-30",
        pref_metals="Gold, Platinum",
        pref_stones="diamond",
        pref_styles="temple",
        price_min="₹50,000",
        price_max="2,00,000",
        ring_size_in="14",
        bangle_size="2.6",
        chain_length_in="18",
        necklace_length_in="16",
        consent_whatsapp=True,
    )
    customer = run(sales, lambda s, a: create_customer(s, a, data))
    assert (customer.birth_month, customer.birth_day, customer.anniversary_month) == (4, 23, 11)
    assert str(customer.price_min) == "50000.00" and str(customer.price_max) == "200000.00"
    assert customer.pref_metals == "gold, platinum" and customer.gender == "female"
    assert customer.consent_whatsapp and customer.consent_whatsapp_at is not None
    assert not customer.consent_email and customer.consent_email_at is None
    assert us_ring_size(14) == "7" and us_ring_size(22) == "10"


def test_every_bad_field_is_named_and_nothing_is_saved(world):
    sales = world.actor("sales")
    bad = _input(
        gender="x",
        price_min="lots",
        price_max="-5",
        ring_size_in="99",
        bangle_size="3.0",
        chain_length_in="five",
        alt_phone="123",
    )
    with pytest.raises(ValidationError) as err:
        run(sales, lambda s, a: create_customer(s, a, bad))
    assert set(err.value.fields) == {
        "gender",
        "price_min",
        "price_max",
        "ring_size_in",
        "bangle_size",
        "chain_length_in",
        "alt_phone",
    }
    with pytest.raises(ValidationError, match="must not be below the lowest"):
        run(sales, lambda s, a: create_customer(s, a, _input(price_min="90000", price_max="10000")))
    with read_session() as session:
        assert session.exec(select(Customer)).all() == []


def test_withdrawing_consent_records_when(world):
    manager = world.actor("manager")
    customer = add_customer(manager, name="Ravi Shah", phone="9820010002", consent_sms=True)
    given = customer.consent_sms_at
    later = run(
        manager, lambda s, a: update_customer(s, a, customer.id, _input(name="Ravi Shah", phone="9820010002", email=""))
    )
    assert not later.consent_sms and later.consent_sms_at > given


def test_a_role_without_pii_sees_masks_and_cannot_overwrite_contact_details(world):
    manager, sales = world.actor("manager"), world.actor("sales")
    customer = add_customer(
        manager,
        name="Zoya Khan",
        phone="98200 10003",
        email="zoya@example.in",
        address="Flat 4, Pali Hill",
        date_of_birth="1988-02-14",
    )
    masked = run(sales, lambda s, a: customer_profile(s, a, customer.id))
    assert masked["phone"] == "+91 •••••• 0003" and masked["email"] == "z•••@example.in"
    assert masked["address"] == "•••" and masked["date_of_birth"] == "••/02"
    form = CustomerInput(
        name="Zoya Khan",
        phone=masked["phone"],
        email=masked["email"],
        address="•••",
        date_of_birth=masked["date_of_birth"],
        tags="vip",
    )
    run(sales, lambda s, a: update_customer(s, a, customer.id, form))
    with read_session() as session:
        stored = session.get(Customer, customer.id)
    assert (stored.phone, stored.email, stored.address) == ("+919820010003", "zoya@example.in", "Flat 4, Pali Hill")
    assert stored.date_of_birth.isoformat() == "1988-02-14" and stored.tags == "vip"


def test_full_profile_views_and_edits_are_audited(world):
    manager = world.actor("manager")
    customer = add_customer(manager, name="Meera Nair", phone="9820010004")
    full = run(manager, lambda s, a: customer_profile(s, a, customer.id))
    assert full["phone"] == "+91 98200 10004"
    run(
        manager,
        lambda s, a: update_customer(
            s, a, customer.id, _input(name="Meera Nair", phone="9820010004", email="", tags="bridal")
        ),
    )
    with read_session() as session:
        rows = session.exec(
            select(AuditLog).where(
                AuditLog.record_type == "clienteling_customer", AuditLog.record_id == str(customer.id)
            )
        ).all()
    actions = [r.action for r in rows]
    assert actions == ["create", "view", "update"]
    assert json.loads(rows[-1].changes)["tags"] == ["", "bridal"]
    assert rows[1].user_name == "Manager"


def test_family_and_occasions_with_their_own_dates_and_sizes(world):
    sales = world.actor("sales")
    customer = add_customer(sales, name="Arjun Mehta", phone="9820010005", date_of_birth="1985-06-01")
    run(
        sales,
        lambda s, a: add_relative(
            s,
            a,
            customer.id,
            RelativeInput("Kavya Mehta", "Spouse", "1987-09-12", "2012-02-20", "12", "rose gold", "minimal"),
        ),
    )
    with pytest.raises(ValidationError) as err:
        run(sales, lambda s, a: add_relative(s, a, customer.id, RelativeInput("", "cousin-in-law")))
    assert set(err.value.fields) == {"relative_name", "relation"}
    run(sales, lambda s, a: add_occasion(s, a, customer.id, "Son's graduation", "2027-05-15"))
    with read_session() as session:
        family = family_rows(session, world.actor("sales"), customer.id)
        dates = occasion_rows(session, world.actor("sales"), customer.id)
    assert family[0]["ring_size"] == "IN 12 / US 6" and family[0]["birthday"] == "12 Sep"  # masked year
    assert [d["what"] for d in dates] == [
        "Kavya Mehta's anniversary",
        "Son's graduation",
        "Arjun Mehta's birthday",
        "Kavya Mehta's birthday (spouse)",
    ]


def test_wishlist_takes_words_or_a_stock_item_checked_by_the_stock_module(world):
    from jewelerp.core.module_states import disable_module
    from jewelerp.registry import get_registry
    from modules.stock.masters import ensure_default_masters
    from modules.stock.models import Category, Metal
    from modules.stock.pieces import PieceInput, receive_piece

    sales, manager = world.actor("sales"), world.actor("manager")
    customer = add_customer(sales, name="Neha Gupta", phone="9820010006")
    run(sales, lambda s, a: add_wish(s, a, customer.id, "Emerald drop earrings"))
    with pytest.raises(NotFound, match="No piece with SKU MUM-999999"):
        run(sales, lambda s, a: add_wish(s, a, customer.id, "", "mum-999999"))

    def receive(session, actor):
        ensure_default_masters(session)
        ring = session.exec(select(Category).where(Category.code == "RING")).one()
        gold = session.exec(select(Metal).where(Metal.metal == "gold", Metal.fineness == 916)).one()
        return receive_piece(session, actor, PieceInput(str(ring.id), str(gold.id), "5.120", huid=new_huid()))

    piece = run(manager, receive)
    run(sales, lambda s, a: add_wish(s, a, customer.id, "", piece.sku.lower()))
    admin = world.actor("admin")
    for name in [*reversed(get_registry().dependents("stock")), "stock"]:  # what needs stock goes first
        run(admin, lambda s, a, name=name: disable_module(s, a, name, world.mum))
    with pytest.raises(NotFound, match="No stock module is enabled"):
        run(world.actor("sales"), lambda s, a: add_wish(s, a, customer.id, "", piece.sku))
    with read_session() as session:
        rows = wish_rows(session, world.actor("sales"), customer.id)
    assert [(w["text"], w["ref"]) for w in rows] == [
        (f"{piece.sku}: Ring, gold 22K, 5.120 g", piece.sku),
        ("Emerald drop earrings", ""),
    ]


def test_photo_is_checked_shrunk_and_replaced(world, tmp_path):
    import io

    from PIL import Image

    from jewelerp.errors import PermissionDenied
    from modules.clienteling.photos import save_photo

    sales = world.actor("sales")
    customer = add_customer(sales, name="Riya Verma", phone="9820010007")
    big = io.BytesIO()
    Image.new("RGB", (2000, 1000), "gold").save(big, "PNG")
    first = run(sales, lambda s, a: save_photo(s, a, customer.id, big.getvalue(), tmp_path))
    with Image.open(tmp_path / first) as stored:
        assert stored.format == "JPEG" and stored.size == (800, 400)
    second = run(sales, lambda s, a: save_photo(s, a, customer.id, big.getvalue(), tmp_path))
    assert not (tmp_path / first).exists() and (tmp_path / second).exists() and first != second
    with pytest.raises(ValidationError, match="not a photo"):
        run(sales, lambda s, a: save_photo(s, a, customer.id, b"%PDF-1.4 not an image", tmp_path))
    with pytest.raises(PermissionDenied):
        run(world.actor("designer"), lambda s, a: save_photo(s, a, customer.id, big.getvalue(), tmp_path))
    with read_session() as session:
        assert session.get(Customer, customer.id).photo == second
