"""Repairs from the counter to pickup: intake with a photo and the weight, the ticket PDF with its QR,
moving the job through its stages on the job page, the customer's status page showing "ready", and
delivery with the weight check: a mismatch refused, the money taken on the job's billing page (the repairs ×
billing bridge), then the weight signed off by a manager."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pypdfium2
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from jewelerp.core.models import Store
from jewelerp.db import read_session
from modules.clienteling.models import Customer
from tests.e2e.conftest import DEMO_LOGINS, TIMEOUT_MS, sign_in

STAGES = ("Estimated", "Approved", "In workshop", "Quality check", "Ready")


def _backend_url() -> str:
    """Where the harness's backend answers (the customer's status page lives there)."""
    from reflex.config import get_config

    return get_config().api_url.rstrip("/")


def _demo_customer() -> tuple[int, str]:
    with read_session() as session:
        store = session.exec(select(Store.id).where(Store.code == "MUM")).one()
        customer = session.exec(select(Customer).where(Customer.store_id == store).order_by(Customer.id)).first()
        return customer.id, customer.name


def _qr_of(pdf: bytes) -> str:
    page = pypdfium2.PdfDocument(pdf)[0]
    codes = zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil())
    return next(c.text for c in codes if c.format == zxingcpp.BarcodeFormat.QRCode)


def _photo(tmp_path, name: str, colour: tuple[int, int, int]) -> str:
    path = tmp_path / name
    Image.new("RGB", (320, 240), colour).save(path, "JPEG")
    return str(path)


def _take_in(page, base_url: str, tmp_path) -> str:
    """Fill the intake form as the counter would, forgetting the terms first; returns the job number."""
    customer_id, name = _demo_customer()
    page.goto(f"{base_url}/repairs/intake")
    page.get_by_label("Customer no.").fill(str(customer_id))
    page.get_by_label("Customer no.").press("Tab")
    expect(page.get_by_text(name).first).to_be_visible()
    page.get_by_label("Item", exact=True).fill("22K gold ring with two rubies")
    page.get_by_label("Work to do").fill("Resize from 12 to 14 and polish")
    page.get_by_label("Gross weight in (g)").fill("10.000")
    page.get_by_label("Stone 1 kind").fill("Ruby")
    page.get_by_label("Stone 1 count").fill("2")
    page.get_by_label("Stone 1 carats").fill("0.500")
    page.get_by_label("Condition notes").fill("Small dent on the shank")
    page.locator("#job-intake-photos input[type=file]").set_input_files(_photo(tmp_path, "ring.jpg", (190, 150, 60)))
    expect(page.get_by_text("Will attach: ring.jpg")).to_be_visible()
    page.get_by_label("Estimate (₹)").fill("1500")
    page.get_by_label("Deposit (₹)").fill("500")
    page.get_by_label("Promised date").fill((date.today() + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Take in job").click()
    expect(page.locator("#terms_accepted-error")).to_contain_text("must accept the estimate")
    page.get_by_label("The customer accepts the estimate and these terms").check()
    page.get_by_role("button", name="Take in job").click()
    expect(page.get_by_role("status")).to_contain_text("was taken in")
    return re.search(r"RP-MUM-\d{6}", page.get_by_role("status").inner_text()).group(0)


def _move_through_stages(page) -> None:
    for stage in STAGES:
        expect(page.get_by_label("Move to")).to_have_value(stage.lower())
        page.get_by_label("Note").fill(f"Done before {stage.lower()}")
        page.get_by_role("button", name="Move", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text(f"is now at “{stage}”")


def _status_page(browser, address: str):
    """A customer's phone with no cookies, on the status page."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(address)
    return context, phone


def test_a_repair_from_intake_to_a_signed_off_delivery(login_as, base_url, browser, tmp_path):
    page = login_as("sales")
    number = _take_in(page, base_url, tmp_path)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download ticket").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == f"{number}-ticket.pdf"
    token = re.search(r"/r/([A-Za-z0-9_-]{43})$", _qr_of(target.read_bytes())).group(1)

    page.get_by_role("link", name=f"Open {number}").click()
    expect(page.get_by_role("heading", name=number)).to_be_visible()
    expect(page.get_by_text("10.000 g").first).to_be_visible()
    page.get_by_role("button", name="Share with customer").first.click()
    expect(page.get_by_role("status")).to_contain_text("The customer can see this photo.")
    _move_through_stages(page)

    context, phone = _status_page(browser, f"{_backend_url()}/r/{token}")
    try:
        expect(phone.locator("p.stage")).to_have_text("Ready")
        expect(phone.get_by_text(number).first).to_be_visible()
        expect(phone.locator(".photos img")).to_have_count(1)
        expect(phone.get_by_text("Small dent")).to_have_count(0)  # only what the customer should see
    finally:
        context.close()

    page.get_by_label("Weight out (g)").fill("9.870")
    expect(page.get_by_label("Stone out 1 kind")).to_have_value("Ruby")
    page.get_by_role("button", name="Deliver").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Weight out 9.870 g is 0.130 g less than the 10.000 g taken in")
    expect(alert).to_contain_text("A balance of ₹1,500 is unpaid.")  # with billing, the deposit is taken there
    expect(page.get_by_label("Sign-off note")).to_have_count(0)  # sales cannot sign off
    job_address = page.url
    page.get_by_role("link", name="Billing and payments").click()
    page.get_by_label("Amount (₹)", exact=True).fill("1500")
    page.get_by_role("button", name="Take payment").click()
    expect(page.get_by_role("status")).to_contain_text("Received ₹1,500.00")
    page.get_by_role("link", name="Back to the job").click()
    page.wait_for_url(job_address)
    # loaded afresh (the tab's state still held the job as it was): typing now stays
    expect(page.get_by_text("Balance to pay: ₹0")).to_be_visible()
    expect(page.get_by_label("Stone out 1 kind")).to_have_value("Ruby")
    page.get_by_label("Weight out (g)").fill("9.870")
    page.get_by_role("button", name="Deliver").click()
    expect(page.get_by_role("alert")).to_contain_text("A manager must sign off the difference with a note.")

    from jewelerp.demo import DEMO_PASSWORD

    manager_context = browser.new_context(viewport={"width": 1280, "height": 860})
    manager_context.set_default_timeout(TIMEOUT_MS)
    try:
        manager = manager_context.new_page()
        sign_in(manager, base_url, DEMO_LOGINS["manager"], DEMO_PASSWORD)
        manager.wait_for_url(f"{base_url}/")
        manager.goto(job_address)
        expect(manager.get_by_label("Stone out 1 kind")).to_have_value("Ruby")  # the job page has loaded
        manager.get_by_label("Weight out (g)").fill("9.870")
        manager.get_by_label("Sign off a weight, stone or balance difference").check()
        manager.get_by_label("Sign-off note").fill("Metal removed to resize; customer agreed")
        manager.get_by_role("button", name="Deliver").click()
        expect(manager.get_by_role("status")).to_contain_text(f"{number} was delivered.")
        expect(manager.get_by_text("Vikram Mehta: Metal removed to resize; customer agreed")).to_be_visible()
    finally:
        manager_context.close()

    context, phone = _status_page(browser, f"{_backend_url()}/r/{token}")
    try:
        expect(phone.locator("p.stage")).to_have_text("Delivered")
    finally:
        context.close()
