"""Customer import: a manager previews a .csv, imports the good rows and downloads the rows to fix."""

from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import expect

CSV = (
    "Name,Mobile,Email,Date of birth\n"
    "Importa Testcase,97000 12301,,23-04-1990\n"
    "Importb Testcase,,importb.testcase@example.in,\n"
    "Importc Badphone,12345,,\n"
)


def test_manager_previews_imports_and_downloads_the_rows_to_fix(login_as, base_url, tmp_path):
    source = tmp_path / "customers.csv"
    source.write_text(CSV, encoding="utf-8")
    page = login_as("manager")
    page.goto(f"{base_url}/clienteling/import")
    expect(page.get_by_role("button", name="Preview")).to_be_enabled()  # the page has loaded its state
    page.get_by_label("Customer file").set_input_files(str(source))
    expect(page.get_by_text("customers.csv")).to_be_visible()
    page.get_by_role("button", name="Preview").click()

    rows = page.get_by_role("table", name="Rows in the file")
    bad = rows.get_by_role("row").filter(has_text="Importc Badphone")
    expect(bad).to_contain_text("Phone: This is not a valid phone number")
    expect(bad.get_by_role("cell", name="4", exact=True)).to_be_visible()  # its row in the sheet
    expect(rows.get_by_role("row").filter(has_text="Importa Testcase")).to_contain_text("Ready")

    page.get_by_role("button", name="Import 2 customers").click()
    expect(page.get_by_role("status")).to_contain_text("Imported 2 customers; 1 row needs fixing.")
    left = page.get_by_role("table", name="Rows not imported")
    expect(left.get_by_role("row")).to_have_count(2)  # the heading and the bad row
    expect(page.get_by_role("button", name="Import 2 customers")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download error report").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    sheet = list(load_workbook(target).active.values)
    assert sheet[0][:4] == ("Row", "Status", "Problem", "Name") and len(sheet) == 2
    assert sheet[1][0] == "4" and sheet[1][3] == "Importc Badphone"

    page.goto(f"{base_url}/clienteling/customers")
    page.get_by_label("Search customers").fill("importa testcase")
    expect(page.get_by_role("cell", name="Importa Testcase")).to_be_visible()
    expect(page.get_by_text("1–1 of 1")).to_be_visible()
