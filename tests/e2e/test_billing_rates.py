"""Metal rates page: a manager fixes a bad rate and sees the saved rate in today's table."""

from __future__ import annotations

from playwright.sync_api import expect


def test_manager_enters_todays_rate(login_as, base_url):
    page = login_as("manager")
    page.get_by_role("link", name="Metal rates").click()
    page.wait_for_url(f"{base_url}/billing/rates")
    page.get_by_label("Metal and purity").select_option(label="Platinum 950")
    page.get_by_label("Rate (₹ per gram)").fill("44OO")
    page.get_by_role("button", name="Save rate").click()
    expect(page.locator("#rate-error")).to_contain_text("Enter rupees per gram")
    page.get_by_label("Rate (₹ per gram)").fill("4412.50")
    page.get_by_role("button", name="Save rate").click()
    expect(page.get_by_role("status")).to_contain_text("Rate saved: ₹4,412.50/g")
    today = page.get_by_role("table", name="Today's rates")
    expect(today.get_by_role("row", name="Platinum 950")).to_contain_text("₹4,412.50/g")
