"""Tax classes and old gold in the browser: an admin dates a new GST rate, a manager buys old gold with a
voucher and melts part of its lot in stock."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

VOUCHER = re.compile(r"MUM/G\d{4}/\d{5}")


def test_admin_dates_a_new_rate_for_repairs_without_touching_todays(login_as, base_url):
    page = login_as("admin")
    page.goto(f"{base_url}/billing/tax-classes")
    page.get_by_role("button", name=re.compile(r"^New rate for REPAIR")).first.click()
    expect(page.get_by_label("Code")).to_have_value("REPAIR")
    page.get_by_label("GST % without a GSTIN").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#rate_unregistered-error")).to_be_visible()  # refused, the form keeps the rest
    expect(page.get_by_label("Code")).to_have_value("REPAIR")

    later = (date.today() + timedelta(days=30)).isoformat()
    page.get_by_label("GST % without a GSTIN").fill("12")
    page.get_by_label("GST % with the buyer's GSTIN").fill("12")
    page.get_by_label("Effective from").fill(later)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Tax class REPAIR saved.")
    rows = page.get_by_role("row").filter(has_text="REPAIR")
    expect(rows.filter(has_text="12%")).to_have_count(1)
    expect(rows.filter(has_text="18%")).to_have_count(1)  # today's rate stays until the new one starts


def test_manager_buys_old_gold_and_melts_part_of_its_lot(login_as, base_url):
    page = login_as("manager")
    page.goto(f"{base_url}/billing/old-gold")
    expect(page.get_by_role("row").filter(has_text=VOUCHER).first).to_be_visible()  # loaded: typing now stays
    page.get_by_label("Old gold metal").select_option("gold")
    page.get_by_label("Tested fineness").fill("916")
    page.get_by_label("Gross weight (g)").fill("6.200")
    page.get_by_label("Net weight (g)").fill("6.000")
    page.get_by_label("Deduction %").fill("2")
    page.get_by_label("Item").fill("Old earrings, a pair")
    page.get_by_label("Seller's identity document").select_option("passport")
    page.get_by_label("Document number").fill("K1234567")
    page.get_by_label("Seller's name").fill("Farah Khan")
    page.get_by_label("Seller's address").fill("14 Hill Road, Bandra, Mumbai")
    page.get_by_label("Pay by").select_option("upi")
    page.get_by_label("Payment reference").fill("412345678912")
    page.get_by_role("button", name="Buy and issue voucher").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"Voucher MUM/G\d{4}/\d{5}: pay Farah Khan ₹[\d,]+ by upi\."))
    number = VOUCHER.search(status.inner_text()).group(0)
    assert len(number) <= 16
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download voucher {number}").click()
    assert download.value.suggested_filename.endswith(".pdf")

    page.goto(f"{base_url}/stock/old-gold")
    page.get_by_role("button", name=f"Melt: {number}").click()
    page.get_by_label("Weight (g)").fill("2.500")
    page.get_by_label("Reason").fill("Melted into a bar for the karigar")
    page.get_by_role("button", name="Melt", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"2.500 g of lot {number}")
    expect(page.get_by_role("row").filter(has_text=number)).to_contain_text("3.500")
