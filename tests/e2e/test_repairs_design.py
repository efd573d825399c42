"""Custom work in the browser: a designer-manager uploads two design versions of a custom order, metal is
refused until the customer's approval is recorded and issued after it, the piece comes back with too much
loss and the alert shows; a karigar is added and gets metal by job number; the workshop reports export."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from jewelerp.core.models import Store
from jewelerp.db import read_session
from modules.repairs.models import Job


def _job(kind: str, stage: str) -> Job:
    """A demo job of the Mumbai branch at ``stage``."""
    with read_session() as session:
        store = session.exec(select(Store).where(Store.code == "MUM")).one()
        return session.exec(
            select(Job).where(Job.store_id == store.id, Job.kind == kind, Job.stage == stage).order_by(Job.id)
        ).first()


def _sketch(path) -> str:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (250, 250, 245)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_design_versions_approval_then_metal_and_a_loss_alert(login_as, base_url, tmp_path):
    job = _job("custom", "enquiry")
    page = login_as("manager")
    page.goto(f"{base_url}/repairs/jobs/{job.id}")
    expect(page.get_by_role("heading", name="Design versions")).to_be_visible()
    expect(page.get_by_text("No design versions yet.")).to_be_visible()

    for number, kind, name in ((1, "Sketch", "sketch.png"), (2, "CAD render", "render.pdf")):
        if not page.get_by_label("Design kind").is_visible():
            page.get_by_text("Upload a new version").click()
        page.get_by_label("Design kind").select_option(label=kind)
        page.get_by_label("Design remarks").fill(f"Idea {number}")
        if name.endswith(".pdf"):
            (tmp_path / name).write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
            source = str(tmp_path / name)
        else:
            source = _sketch(tmp_path / name)
        page.locator("#design-file input[type=file]").set_input_files(source)
        expect(page.get_by_text(f"Will upload: {name}")).to_be_visible()
        page.get_by_role("button", name="Upload version").click()
        expect(page.get_by_role("status")).to_contain_text(f"Design version {number} uploaded.")
    expect(page.get_by_role("img", name="Version 1 of the design")).to_be_visible()
    expect(page.get_by_role("link", name="Open PDF")).to_be_visible()

    page.get_by_label("Issue to", exact=True).select_option(label="Sunil Verma")
    page.get_by_label("Weight issued (g)").fill("5.000")
    page.get_by_label("Fineness issued").select_option("750")
    page.get_by_role("button", name="Issue metal", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("only after the customer approves a design version")

    page.get_by_text("Record the customer's approval").click()
    page.get_by_label("Approved version").select_option(label="Version 2")
    page.get_by_label("Approved by (customer's name)").fill(job.customer_name)
    page.get_by_role("button", name="Record approval").click()
    expect(page.get_by_role("status")).to_contain_text(f"Version 2 recorded as approved by {job.customer_name}.")
    expect(page.get_by_text(f"Approved by {job.customer_name} on ")).to_be_visible()

    page.get_by_label("Issue to", exact=True).select_option(label="Sunil Verma")
    page.get_by_label("Weight issued (g)").fill("5.000")
    page.get_by_label("Fineness issued").select_option("750")
    page.get_by_role("button", name="Issue metal", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"5.000 g (3.750 g fine) issued for {job.number}.")

    page.get_by_label("Returned by", exact=True).select_option(label="Sunil Verma")
    page.get_by_label("Piece weight (g)").fill("4.700")
    page.get_by_label("Scrap weight (g)").fill("0.100")
    page.get_by_label("Fineness returned").select_option("750")
    page.get_by_role("button", name="Receive", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("loss 0.150 g fine (4.00%)")
    expect(page.get_by_role("alert")).to_contain_text("Loss above allowance: Sunil Verma lost 4.00%")
    expect(page.get_by_role("cell", name="Closed, loss above allowance")).to_be_visible()


def test_a_new_karigar_gets_metal_by_job_number(login_as, base_url):
    job = _job("custom", "making")
    page = login_as("manager")
    page.goto(f"{base_url}/repairs/karigars")
    page.get_by_role("button", name="New karigar").click()
    page.get_by_label("Name", exact=True).fill("Gopal Joshi")
    page.get_by_label("Loss allowance (%)").fill("150")
    page.get_by_role("button", name="Save karigar").click()
    expect(page.locator("#loss_allowance_pct-error")).to_contain_text("0 to 100")
    page.get_by_label("Loss allowance (%)").fill("1.25")
    page.get_by_role("button", name="Save karigar").click()
    page.wait_for_url(re.compile(r"/repairs/karigars/\d+$"))
    expect(page.get_by_role("heading", name="Gopal Joshi")).to_be_visible()
    expect(page.get_by_label("Fine metal held")).to_have_text("0.000 g")

    page.get_by_label("Job number").fill("CO-NOWHERE-1")
    page.get_by_label("Weight issued (g)").fill("2.000")
    page.get_by_role("button", name="Issue metal", exact=True).click()
    expect(page.locator("#job-error")).to_contain_text("No job numbered CO-NOWHERE-1")
    page.get_by_label("Job number").fill(job.number.lower())
    page.get_by_label("Fineness issued").select_option("916")
    page.get_by_role("button", name="Issue metal", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"2.000 g (1.832 g fine) issued for {job.number}.")
    expect(page.get_by_label("Fine metal held")).to_have_text("1.832 g")
    expect(page.get_by_role("link", name=job.number)).to_be_visible()  # the ledger row links to the job

    page.get_by_label("Job", exact=True).select_option(value=str(job.id))
    page.get_by_label("Scrap weight (g)").fill("0.500")
    page.get_by_label("Fineness returned").select_option("916")
    page.get_by_role("button", name="Receive", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("0.458 g of the 1.832 g fine issued is back")
    expect(page.get_by_label("Fine metal held")).to_have_text("1.374 g")


def test_workshop_reports_show_and_export(login_as, base_url):
    page = login_as("manager")
    page.goto(f"{base_url}/repairs/reports")
    expect(page.get_by_role("cell", name="In workshop")).to_be_visible()
    page.get_by_label("Report", exact=True).select_option(label="Metal loss per karigar")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("columnheader", name="Above allowance")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export to Excel").click()
    assert download.value.suggested_filename.startswith("metal-loss-")
    page.get_by_label("From", exact=True).fill("2026-12-01")
    page.get_by_label("To", exact=True).fill("2026-11-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#date_to-error")).to_contain_text("comes before the first day")
