"""Clienteling flows: search by phone, export, add with a bad phone first, masked details,
a visit with a follow-up that lands on the salesperson's list, segment lists."""

from __future__ import annotations

import re
from datetime import date, timedelta

from openpyxl import load_workbook
from playwright.sync_api import expect


def test_search_by_phone_and_export_the_filtered_rows(login_as, base_url, tmp_path):
    page = login_as("manager")
    page.goto(f"{base_url}/clienteling/customers")
    expect(page.get_by_text(re.compile(r"1–25 of 1\d\d"))).to_be_visible()
    page.get_by_label("Search customers").fill("98-01-000-007")
    expect(page.get_by_text("1–1 of 1")).to_be_visible()
    expect(page.get_by_role("cell", name="+91 98010 00007")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export to Excel").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name.startswith("customers-") and target.suffix == ".xlsx"
    rows = list(load_workbook(target).active.values)
    assert rows[0][0] == "Customers — Search: 98-01-000-007"
    assert rows[1][:2] == ("Name", "Phone") and len(rows) == 3 and rows[2][1] == "+91 98010 00007"


def test_sales_adds_a_customer_after_fixing_the_phone_and_sees_masks(login_as, base_url):
    page = login_as("sales")
    page.goto(f"{base_url}/clienteling/customers")
    page.get_by_role("button", name="New customer").click()
    page.get_by_label("Name", exact=True).fill("Ira Kapoor")
    page.get_by_label("Phone", exact=True).fill("12345")
    page.get_by_role("button", name="Save customer").click()
    expect(page.locator("#phone-error")).to_contain_text("not a valid phone number")
    page.get_by_label("Search customers").fill("Ira Kapoor")
    expect(page.get_by_text("Nothing matches.")).to_be_visible()  # nothing was saved
    page.get_by_label("Phone", exact=True).fill("98765 43210")
    page.get_by_role("button", name="Save customer").click()
    page.wait_for_url(re.compile(r"/clienteling/customers/\d+$"))
    expect(page.get_by_role("heading", name="Ira Kapoor")).to_be_visible()
    expect(page.get_by_text("+91 •••••• 3210")).to_be_visible()  # sales has no PII permission
    page.goto(f"{base_url}/clienteling/customers")
    page.get_by_label("Search customers").fill("765 432")  # without PII a part of a phone matches nothing
    expect(page.get_by_text("Nothing matches.")).to_be_visible()
    page.get_by_label("Search customers").fill("98765-43210")  # the whole number does, in any format
    expect(page.get_by_role("link", name="Ira Kapoor")).to_be_visible()
    expect(page.get_by_role("cell", name="+91 •••••• 3210")).to_be_visible()


def test_a_visit_with_a_follow_up_shows_on_my_follow_ups(login_as, base_url):
    page = login_as("sales")
    page.goto(f"{base_url}/clienteling/customers")
    page.get_by_role("button", name="New customer").click()
    page.get_by_label("Name", exact=True).fill("Gauri Menon")
    page.get_by_label("Phone", exact=True).fill("+91 99887 76655")
    page.get_by_role("button", name="Save customer").click()
    page.wait_for_url(re.compile(r"/clienteling/customers/\d+$"))
    due = date.today() + timedelta(days=2)
    page.get_by_label("Channel").select_option("visit")
    page.get_by_label("Outcome").select_option("interested")
    page.get_by_label("What was said").fill("Loved the emerald choker")
    page.get_by_label("Follow up on").fill(due.isoformat())
    page.get_by_label("Follow-up reason").fill("Send photos of matching earrings")
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("status")).to_contain_text("Logged. Follow-up added.")
    expect(page.get_by_role("cell", name="Loved the emerald choker")).to_be_visible()
    page.get_by_role("navigation", name="Main menu").first.get_by_role("link", name="My follow-ups").click()
    page.wait_for_url(re.compile(r"/clienteling/follow-ups"))
    row = page.get_by_role("row").filter(has_text="Gauri Menon")
    expect(row).to_contain_text("Send photos of matching earrings")
    expect(row).to_contain_text(due.strftime("%d %b %Y"))
    row.get_by_role("button", name="Done: Gauri Menon").click()
    expect(page.get_by_role("status")).to_contain_text("Marked done.")
    expect(page.get_by_role("row").filter(has_text="Gauri Menon")).to_have_count(0)


def test_manager_sees_full_details_and_opens_a_segment_list(login_as, base_url):
    page = login_as("manager")
    page.goto(f"{base_url}/clienteling/segments")
    page.get_by_role("link", name=re.compile(r"^VIP ")).click()  # the segment card: its name is its text
    page.wait_for_url(re.compile(r"segment=vip"))
    expect(page.get_by_label("Segments")).to_have_value("vip")
    first = page.get_by_role("row").nth(1)
    expect(first).to_contain_text("VIP")
    first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/clienteling/customers/\d+$"))
    expect(page.get_by_text(re.compile(r"^\+91 9[89]\d{3} \d{5}$")).first).to_be_visible()  # unmasked for managers
    expect(page.get_by_role("heading", name="Purchases reported")).to_be_visible()


def test_manager_edits_a_profile_and_adds_a_photo(login_as, base_url, tmp_path):
    from PIL import Image

    picture = tmp_path / "face.png"
    Image.new("RGB", (300, 300), "orange").save(picture)
    page = login_as("manager")
    page.goto(f"{base_url}/clienteling/customers/3")
    page.get_by_role("button", name="Edit profile").click()
    page.get_by_label("Ring size (Indian)").fill("16")
    page.get_by_label("Budget up to (₹)").fill("3,50,000")
    page.get_by_label("WhatsApp").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_contain_text("Profile saved.")
    expect(page.get_by_text("₹3,50,000")).to_be_visible()
    expect(page.get_by_text("whatsapp").first).to_be_visible()
    page.locator("#customer-photo input[type=file]").set_input_files(str(picture))
    page.get_by_role("button", name="Save photo").click()
    expect(page.get_by_role("status")).to_contain_text("Photo saved.")
    expect(page.get_by_role("img", name=re.compile(r"^Photo of "))).to_be_visible()


def _member_with_an_earlier_invoice() -> tuple[int, int, str, str]:
    """A Mumbai loyalty member whose purchases include an invoice of an earlier day: (customer id, member id,
    invoice number, the invoice's date as the page shows it)."""
    from sqlmodel import select

    from jewelerp.core.models import Store
    from jewelerp.db import read_session
    from modules.billing.models import Invoice
    from modules.clienteling.models import Purchase
    from modules.loyalty.models import Member

    with read_session() as session:
        mumbai = session.exec(select(Store.id).where(Store.code == "MUM")).one()
        customer, member, number, on = session.exec(
            select(Purchase.customer_id, Member.id, Invoice.number, Invoice.invoice_date)
            .join(Member, Member.customer_id == Purchase.customer_id)
            .join(Invoice, Invoice.number == Purchase.ref)
            .where(Invoice.store_id == mumbai, Invoice.invoice_date < date.today() - timedelta(days=2))
            .order_by(Invoice.id)
        ).first()
    return customer, member, number, f"{on:%d %b %Y}"


def test_the_360_page_dates_purchases_by_invoice_and_links_the_loyalty_account(login_as, base_url):
    customer, member, number, invoice_date = _member_with_an_earlier_invoice()
    page = login_as("manager")
    page.goto(f"{base_url}/clienteling/customers/{customer}")
    purchases = page.get_by_role("region", name="Purchases reported")
    expect(purchases.get_by_role("row").filter(has_text=number)).to_contain_text(invoice_date)  # not today's
    loyalty = page.get_by_role("region", name="Loyalty points")
    expect(loyalty).not_to_contain_text("/loyalty/members/")
    page.get_by_role("link", name="Open the loyalty account").click()
    page.wait_for_url(f"{base_url}/loyalty/members/{member}")
