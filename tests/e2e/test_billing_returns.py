"""The accountant's exports: a manager picks this month on the GST returns page, sees the GSTR-1 tables and
downloads the JSON (parsed here) and the Tally XML; sales staff may not open the page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal

from playwright.sync_api import expect

from tests.e2e.test_billing_reports import _manager_in_mumbai, _sell_today


def _month_figures(actor):
    from jewelerp.db import read_session
    from jewelerp.reports import this_month
    from modules.billing.reports import gst_summary

    with read_session() as session:
        return gst_summary(session, actor, *this_month(actor))


def test_manager_downloads_the_months_gstr1_and_tally_vouchers(login_as, base_url, tmp_path):
    manager = _manager_in_mumbai()
    number = _sell_today(manager)
    summary = _month_figures(manager)
    month = manager.today().strftime("%Y-%m")
    page = login_as("manager")
    page.get_by_role("link", name="GST returns").click()
    page.wait_for_url(f"{base_url}/billing/reports/returns")
    page.get_by_label("Month", exact=True).fill(month)
    page.get_by_label("Store", exact=True).select_option(label="MUM · Maharashtra")
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table", name="GSTR-1 tables")
    expect(table.get_by_role("row").filter(has_text="B2C small rows (table 7)")).to_be_visible()
    expect(page.get_by_text("GSTIN 27AAPFU0939F1ZV")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download GSTR-1 JSON").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == f"GSTR1-27AAPFU0939F1ZV-{month[5:]}{month[:4]}.json"
    data = json.loads(target.read_text())
    assert (data["gstin"], data["fp"]) == ("27AAPFU0939F1ZV", f"{month[5:]}{month[:4]}")
    invoices = next(d for d in data["doc_issue"]["doc_det"] if d["doc_num"] == 1)
    assert invoices["docs"][-1]["to"] == number  # the invoice just issued is the last of the month's series
    rows = [r for r in data["b2cs"]] + [i for g in data["b2b"] + data["b2cl"] for i in g["inv"]]
    assert rows, "the month's sales are in the file"
    hsn = data["hsn"]["hsn_b2b"] + data["hsn"]["hsn_b2c"]
    assert sum(Decimal(str(r["txval"])) for r in hsn) == summary.net("taxable")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download Tally XML").click()
    xml_path = tmp_path / download.value.suggested_filename
    download.value.save_as(xml_path)
    root = ET.parse(xml_path).getroot()
    assert root.findtext("HEADER/TALLYREQUEST") == "Import Data"
    assert number in [v.findtext("VOUCHERNUMBER") for v in root.iter("VOUCHER")]


def test_sales_staff_may_not_open_the_returns_page(login_as, base_url):
    page = login_as("sales")
    expect(page.get_by_role("link", name="GST returns")).to_have_count(0)
    page.goto(f"{base_url}/billing/reports/returns")
    expect(page.get_by_text("You do not have permission to open this page.")).to_be_visible()
