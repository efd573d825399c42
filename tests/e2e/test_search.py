"""The header search box: a customer by a phone typed with spaces, a piece by its HUID, the keyboard
(Ctrl+K, arrows, Enter, Escape) and a phone-sized window."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from jewelerp.core.models import Store
from jewelerp.db import read_session
from modules.clienteling.models import Customer
from modules.stock.models import Piece

PHONE = "+919801000007"  # the demo's seventh Mumbai customer


def _mumbai_customer() -> Customer:
    with read_session() as session:
        return session.exec(select(Customer).where(Customer.phone == PHONE)).one()


def _mumbai_piece_with_huid() -> Piece:
    with read_session() as session:
        mumbai = session.exec(select(Store).where(Store.code == "MUM")).one()
        stmt = select(Piece).where(Piece.store_id == mumbai.id, Piece.huid.is_not(None)).order_by(Piece.id)
        return session.exec(stmt).first()


def test_a_phone_typed_with_spaces_finds_the_customer_and_a_click_opens_them(login_as, base_url):
    customer = _mumbai_customer()
    page = login_as("manager")
    box = page.get_by_role("combobox", name="Search everything")
    box.fill("98010 00007")
    results = page.get_by_role("listbox", name="Search results")
    expect(results.get_by_text("Customers")).to_be_visible()
    option = results.get_by_role("option", name=re.compile(re.escape(customer.name)))
    expect(option).to_contain_text("+91 98010 00007")
    option.click()
    page.wait_for_url(f"{base_url}/clienteling/customers/{customer.id}")
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    expect(box).to_have_value("")


def test_ctrl_k_focuses_the_box_and_a_huid_opens_its_piece_with_enter(login_as, base_url):
    piece = _mumbai_piece_with_huid()
    page = login_as("sales")
    page.goto(f"{base_url}/clienteling/customers")
    page.get_by_label("Search customers").focus()
    page.keyboard.press("Control+k")
    box = page.get_by_role("combobox", name="Search everything")
    expect(box).to_be_focused()
    page.keyboard.type(piece.huid.lower())
    option = page.get_by_role("option", name=re.compile(piece.sku))
    expect(option).to_contain_text(f"HUID {piece.huid}")
    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "search-hit-0")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/stock/pieces/{piece.id}")
    expect(page.get_by_role("heading", name=piece.sku)).to_be_visible()


def test_escape_closes_the_list_and_junk_finds_nothing(login_as):
    page = login_as("manager")
    box = page.get_by_role("combobox", name="Search everything")
    box.fill("zzqx no such thing")
    results = page.get_by_role("listbox", name="Search results")
    expect(results.get_by_text("Nothing found in this store.")).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Escape")
    expect(results).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.fill("--")  # punctuation searches nothing and opens no list
    page.wait_for_timeout(600)
    expect(results).to_be_hidden()


def test_the_box_fits_a_phone_sized_window(login_as, base_url):
    customer = _mumbai_customer()
    page = login_as("manager")
    page.set_viewport_size({"width": 375, "height": 740})
    box = page.get_by_role("combobox", name="Search everything")
    box.fill("+91 98010 00007")
    results = page.get_by_role("listbox", name="Search results")
    expect(results.get_by_role("option", name=re.compile(re.escape(customer.name)))).to_be_visible()
    for element in (box, results):
        area = element.bounding_box()
        assert area["x"] >= 0 and area["x"] + area["width"] <= 375, area  # nothing runs off the screen
    results.get_by_role("option", name=re.compile(re.escape(customer.name))).click()
    page.wait_for_url(f"{base_url}/clienteling/customers/{customer.id}")
