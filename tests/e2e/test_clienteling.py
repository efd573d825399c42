"""Customer list flows: search by phone in any format, add with errors, export to Excel."""

from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import expect


def test_search_by_phone_and_export_the_filtered_rows(login_as, base_url, tmp_path):
    page = login_as("manager")
    page.goto(f"{base_url}/clienteling/customers")
    expect(page.get_by_text("1–25 of 150")).to_be_visible()
    page.get_by_label("Search customers").fill("98-01-000-007")
    expect(page.get_by_text("1–1 of 1")).to_be_visible()
    phone = page.get_by_role("cell", name="+91 98010 00007")
    expect(phone).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export to Excel").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name.startswith("customers-") and target.suffix == ".xlsx"
    rows = list(load_workbook(target).active.values)
    assert rows[0][:2] == ("Name", "Phone") and len(rows) == 2 and rows[1][1] == "+91 98010 00007"


def test_sales_adds_a_customer_after_fixing_the_phone(login_as, base_url):
    page = login_as("sales")
    page.goto(f"{base_url}/clienteling/customers")
    page.get_by_role("button", name="New customer").click()
    page.get_by_label("Name", exact=True).fill("Ira Kapoor")
    page.get_by_label("Phone", exact=True).fill("12345")
    page.get_by_role("button", name="Save customer").click()
    expect(page.locator("#phone-error")).to_contain_text("not a valid phone number")
    page.get_by_label("Phone", exact=True).fill("98765 43210")
    page.get_by_role("button", name="Save customer").click()
    expect(page.get_by_role("status")).to_contain_text("Ira Kapoor was added.")
    page.get_by_label("Search customers").fill("ira kapoor")
    expect(page.get_by_role("cell", name="Ira Kapoor")).to_be_visible()
    expect(page.get_by_role("cell", name="+91 •••••• 3210")).to_be_visible()  # sales sees masked phones
