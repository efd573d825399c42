"""Stock flows: a manager receives a piece, certifies it, prints its tag, checks and revokes its
public page, and transfers it to Delhi, where it is received; the list, its search and tag
printing; masters with a field error first."""

from __future__ import annotations

import re
import secrets
import string
from datetime import date

from playwright.sync_api import expect

from jewelerp.db import unit_of_work
from modules.stock.masters import ensure_default_masters


def _backend_url() -> str:
    """Where the harness's backend answers (the public certificate pages live there)."""
    from reflex.config import get_config

    return get_config().api_url.rstrip("/")


def _new_huid() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(6))


def _receive_a_ring(page, base_url: str, huid: str) -> str:
    """Fill the receive form by its labels, fixing a bad weight first; returns the new SKU."""
    with unit_of_work() as session:  # the demo normally has them; make sure the drop-downs are filled
        ensure_default_masters(session)
    page.goto(f"{base_url}/stock/receive")
    page.get_by_label("Category").select_option(label="Ring")
    page.get_by_label("Metal and purity").select_option(label="Gold 22K (916)")
    page.get_by_label("Gross weight (g)").fill("6.2505")
    page.get_by_label("Stone weight (g)").fill("0.250")
    page.get_by_label("HUID", exact=True).fill(huid)
    page.get_by_label("Size").fill("14")
    page.get_by_label("Description").fill("Solitaire ring, e2e")
    page.get_by_label("Making charge", exact=True).fill("450")
    page.get_by_label("Wastage %").fill("8")
    page.get_by_label("Cost price (₹)").fill("48000")
    page.get_by_label("Stone 1 kind").select_option("diamond")
    page.get_by_label("Stone 1 carats").fill("0.250")
    page.get_by_label("Stone 1 value (₹)").fill("45000.505")
    page.get_by_role("button", name="Receive piece").click()
    expect(page.locator("#gross_weight-error")).to_contain_text("at most 3 decimals")
    expect(page.locator("#stone_1-error")).to_contain_text("value is rupees, 0 or more with at most 2 decimals")
    page.get_by_label("Gross weight (g)").fill("6.250")
    page.get_by_label("Stone 1 value (₹)").fill("45,000")
    page.get_by_role("button", name="Receive piece").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"Received MUM-\d{6}\."))
    sku = re.search(r"MUM-\d{6}", status.inner_text()).group(0)
    page.get_by_role("link", name=f"Open {sku}").click()
    page.wait_for_url(re.compile(r"/stock/pieces/\d+$"))
    expect(page.get_by_role("heading", name=sku)).to_be_visible()
    expect(page.get_by_role("cell", name="₹45,000", exact=True)).to_be_visible()  # the stone line's value
    return sku


def test_receive_tag_public_page_revoke_and_transfer(login_as, base_url, browser, tmp_path):
    page = login_as("manager")
    huid = _new_huid()
    sku = _receive_a_ring(page, base_url, huid)
    expect(page.get_by_text("In stock", exact=True).first).to_be_visible()
    expect(page.get_by_text("6.000 g", exact=True)).to_be_visible()  # net = gross − stones
    expect(page.get_by_text("₹48,000")).to_be_visible()  # managers see the cost

    report = str(secrets.randbelow(10**9) + 10**9)
    page.get_by_text("Add a certificate").click()
    page.get_by_label("Lab", exact=True).select_option("GIA")
    page.get_by_label("Report number").fill(report)
    page.get_by_label("Report date").fill(date.today().isoformat())
    page.get_by_label("Carat weight").fill("0.250")
    page.get_by_label("Colour", exact=True).fill("G")
    page.get_by_label("Clarity", exact=True).fill("VS1")
    scan = tmp_path / "gia-report.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.locator("#certificate-file input[type=file]").set_input_files(str(scan))
    expect(page.get_by_text("Will attach: gia-report.pdf")).to_be_visible()
    page.get_by_role("button", name="Add certificate").click()
    expect(page.get_by_role("status")).to_contain_text(f"Certificate {report} added.")
    expect(page.get_by_text("Will attach: gia-report.pdf")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("button", name="Print tag").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == f"tag-{sku}.pdf" and target.read_bytes().startswith(b"%PDF-")

    link = page.get_by_role("link", name="Public page link")
    token = re.search(r"/c/([A-Za-z0-9_-]+)$", link.inner_text()).group(1)
    public_address = f"{_backend_url()}/c/{token}"
    stranger = browser.new_context()  # no cookies: a customer scanning the tag
    try:
        public = stranger.new_page()
        public.goto(public_address)
        expect(public.get_by_text(sku).first).to_be_visible()
        expect(public.get_by_text(report).first).to_be_visible()
        expect(public.get_by_text("48,000")).to_have_count(0)  # never the cost
        report_file = public.locator("a[href*='/file/']").first  # the attached lab report
        href = report_file.get_attribute("href")
        file_address = href if href.startswith("http") else f"{_backend_url()}{href}"
        assert public.request.get(file_address).body().startswith(b"%PDF-")
    finally:
        stranger.close()

    page.get_by_role("button", name="Revoke public link").click()
    expect(page.get_by_role("status")).to_contain_text("The public link was revoked.")
    expect(page.get_by_role("button", name="Print tag")).to_have_count(0)
    stranger = browser.new_context()  # a fresh phone (the page may sit in a browser's cache for a minute)
    try:
        public = stranger.new_page()
        public.goto(public_address)
        expect(public.get_by_role("heading", name="Not found")).to_be_visible()
        expect(public.get_by_text(sku)).to_have_count(0)
    finally:
        stranger.close()

    page.get_by_role("button", name="Transfer to another branch").click()
    page.get_by_label("Send to branch").select_option(label="DEL · Karol Bagh, Delhi")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text(f"{sku}: transfer to another branch recorded.")
    expect(page.get_by_text("In transit to DEL", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Transfer to another branch")).to_have_count(0)

    page.get_by_label("Current store").click()
    page.get_by_role("option", name="DEL · Karol Bagh, Delhi").click()
    expect(page.get_by_label("Current store")).to_contain_text("DEL")
    expect(page.get_by_text("Arriving", exact=True)).to_be_visible()
    page.get_by_role("button", name="Receive a transfer").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text(f"{sku}: receive a transfer recorded.")
    expect(page.get_by_text("In stock", exact=True).first).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Receive a transfer")).to_contain_text("DEL")


def test_stock_list_search_and_tags_for_the_rows_shown(login_as, base_url, tmp_path):
    page = login_as("manager")
    huid = _new_huid()
    sku = _receive_a_ring(page, base_url, huid)
    page.get_by_role("navigation", name="Main menu").first.get_by_role("link", name="Stock", exact=True).click()
    page.wait_for_url(re.compile(r"/stock/pieces$"))
    expect(page.get_by_text(re.compile(r"^1–25 of"))).to_be_visible()  # the list has loaded: typing now stays
    page.get_by_label("Search pieces").fill(huid.lower())
    expect(page.get_by_text("1–1 of 1")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=sku)
    expect(row).to_contain_text("Gold 22K (916)")
    expect(row).to_contain_text("6.000 g")
    expect(row).to_contain_text("₹48,000")
    with page.expect_download() as download:
        page.get_by_role("button", name="Print tags").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.suffix == ".pdf" and target.read_bytes().startswith(b"%PDF-")
    expect(page.get_by_label("Search pieces")).to_have_value(huid.lower())  # printing keeps the list as it was
    expect(page.get_by_text("1–1 of 1")).to_be_visible()
    page.get_by_label("Weights").select_option("50+")
    expect(page.get_by_text("Nothing matches.")).to_be_visible()
    page.get_by_label("Weights").select_option("5-10")
    row.get_by_role("link", name=sku).click()
    page.wait_for_url(re.compile(r"/stock/pieces/\d+$"))
    expect(page.get_by_role("heading", name=sku)).to_be_visible()


def test_sales_sees_no_cost_and_no_movements(login_as, base_url):
    page = login_as("sales")
    page.goto(f"{base_url}/stock/pieces")
    expect(page.get_by_role("link", name="Receive stock")).to_have_count(0)
    first = page.get_by_role("row").nth(1)
    expect(first).not_to_contain_text("₹")
    first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/stock/pieces/\d+$"))
    expect(page.get_by_role("heading", name="Movements")).to_be_visible()
    expect(page.get_by_text("Cost price")).to_have_count(0)
    expect(page.get_by_role("heading", name="Move this piece")).to_have_count(0)


def test_manager_adds_a_karigar_after_fixing_the_gstin(login_as, base_url):
    page = login_as("manager")
    page.goto(f"{base_url}/stock/masters")
    page.get_by_role("tab", name="Parties").click()
    page.get_by_role("button", name="New party").click()
    page.get_by_label("Kind").select_option("karigar")
    page.get_by_label("Name", exact=True).fill("Suresh Soni (e2e)")
    page.get_by_label("GSTIN").fill("27ABC")
    page.get_by_role("button", name="Save party").click()
    expect(page.locator("#gstin-error")).to_contain_text("15 characters")
    page.get_by_label("GSTIN").fill("27AAPFU0939F1ZV")
    page.get_by_role("button", name="Save party").click()
    expect(page.get_by_role("status")).to_contain_text("Party saved.")
    row = page.get_by_role("row").filter(has_text="Suresh Soni (e2e)")
    expect(row).to_contain_text("Karigar")
    page.get_by_role("tab", name="Metals").click()
    expect(page.get_by_role("cell", name="Gold 22K (916)", exact=True)).to_be_visible()
