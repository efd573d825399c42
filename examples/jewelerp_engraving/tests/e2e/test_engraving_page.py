"""The engraving page: an admin switches the add-on on for MUM; a salesperson's text that cannot be engraved
is refused beside its field, then the request is recorded and listed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
TOO_LONG = "Ira & Kabir, 12.12.2026, forever and always"  # 43 characters
FITS = "Ira & Kabir 12.12.2026"


def _enable_for_mumbai(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/modules")
    switch = page.get_by_role("switch", name="Engraving in MUM", exact=True)
    expect(switch).not_to_be_checked()
    switch.click()
    expect(page.get_by_role("status")).to_contain_text("Enabled in MUM: Engraving")
    expect(switch).to_be_checked()


def _sign_out(page) -> None:
    page.get_by_role("button", name="User menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/?$"))  # the production build adds the slash


def test_enabled_for_mumbai_a_salesperson_records_a_request_after_fixing_the_text(login_as, base_url, ring_sale):
    page = login_as("admin")
    _enable_for_mumbai(page, base_url)
    _sign_out(page)
    page = login_as("sales")
    page.get_by_role("navigation", name="Main menu").first.get_by_role("link", name="Engraving").click()
    page.wait_for_url(re.compile(r"/engraving/?$"))
    page.get_by_label("Invoice number").fill(ring_sale.number)
    page.get_by_label("Piece SKU").fill(ring_sale.sku)
    page.get_by_label("Text to engrave").fill(TOO_LONG)
    page.get_by_label("Font").select_option(label="Classic serif")
    page.get_by_label("Due date").fill((ring_sale.today + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Save request").click()
    expect(page.locator("#text-error")).to_contain_text("Keep it to 40 characters (this is 43).")
    expect(page.get_by_role("cell", name=ring_sale.sku)).to_have_count(0)
    page.get_by_label("Text to engrave").fill(FITS)  # the other fields kept what was typed
    page.get_by_role("button", name="Save request").click()
    expect(page.get_by_role("status")).to_contain_text(f"Engraving on {ring_sale.sku} recorded")
    row = page.get_by_role("row").filter(has_text=FITS)
    expect(row).to_contain_text(ring_sale.number)
    expect(row).to_contain_text("Classic serif")
    expect(row.get_by_role("button", name=f"Done: {ring_sale.sku}")).to_be_visible()
