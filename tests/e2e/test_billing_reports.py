"""Report pages: the manager sees the month's sales and exports them to Excel; the GST summary; sales staff
may not open reports; a customer's invoices on her 360 page."""

from __future__ import annotations

import re
from decimal import Decimal

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from jewelerp.money import format_inr


def _manager_in_mumbai():
    from jewelerp.auth.service import build_actor
    from jewelerp.core.models import Store, User
    from jewelerp.db import read_session

    with read_session() as session:
        user = session.scalars(select(User).where(User.email == "manager@demo.jewelerp.in")).one()
        store = session.scalars(select(Store).where(Store.code == "MUM")).one()
        return build_actor(session, user.id, store.id)


def _sell_today(actor, customer_id: int | None = None) -> str:
    """Issue a Mumbai invoice for the lightest in-stock piece and a polishing charge; returns its number."""
    from jewelerp.db import unit_of_work
    from modules.billing.invoices import add_piece_line, add_service_line, create_draft, issue_invoice
    from modules.stock.models import Piece

    with unit_of_work(actor) as session:
        piece = session.scalars(
            select(Piece)
            .where(Piece.store_id == actor.store_id, Piece.status == "in_stock", Piece.net_weight > 0)
            .order_by(Piece.net_weight, Piece.id)
        ).first()
        invoice = create_draft(session, actor, customer_id=customer_id, customer_name="Report Test")
        add_piece_line(session, actor, invoice.id, piece.id)
        add_service_line(session, actor, invoice.id, "Polishing", "350")
        return issue_invoice(session, actor, invoice.id).number


def _this_month(actor):
    from jewelerp.db import read_session
    from modules.billing.reports import daily_sales, this_month

    with read_session() as session:
        return daily_sales(session, actor, *this_month(actor))


def test_manager_sees_the_months_sales_and_exports_them(login_as, base_url, tmp_path):
    manager = _manager_in_mumbai()
    _sell_today(manager)
    report = _this_month(manager)
    page = login_as("manager")
    page.get_by_role("link", name="Sales report").click()
    page.wait_for_url(f"{base_url}/billing/reports/sales")
    table = page.get_by_role("table", name="Sales by day, salesperson and category")
    expect(table).to_contain_text(manager.user_name)
    expect(table).to_contain_text("Services")
    total = table.get_by_role("row").filter(has_text=re.compile(r"^Total"))
    expect(total).to_contain_text(format_inr(report.total, paise=True))
    expect(page.get_by_label("Stores")).to_be_visible()  # the manager works in two stores

    with page.expect_download() as download:
        page.get_by_role("button", name="Export to Excel").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert re.fullmatch(r"sales-\d{4}-\d{2}-01-to-\d{4}-\d{2}-\d{2}\.xlsx", target.name)
    rows = list(load_workbook(target).active.values)
    assert rows[1][:3] == ("Date", "Salesperson", "Category")
    total_row = next(row for row in rows if row[0] == "Total")
    assert Decimal(str(total_row[6])).quantize(Decimal("0.01")) == report.total

    page.get_by_label("Stores").select_option("all")
    page.get_by_role("button", name="Show").click()
    expect(table.get_by_role("columnheader", name="Store", exact=True)).to_be_visible()

    page.get_by_label("To", exact=True).fill("2020-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#date_to-error")).to_contain_text("cannot come before the first day")


def test_gst_summary_shows_the_supplies_by_hsn(login_as, base_url):
    _sell_today(_manager_in_mumbai())
    page = login_as("manager")
    page.goto(f"{base_url}/billing/reports/gst")
    table = page.get_by_role("table", name="GST summary")
    for text in ("Intra-state", "B2C", "27 · Maharashtra", "7113", "3%", "9987", "18%", "Net"):
        expect(table).to_contain_text(text)


def test_sales_staff_may_not_open_reports(login_as, base_url):
    page = login_as("sales")
    expect(page.get_by_role("link", name="Sales report")).to_have_count(0)
    page.goto(f"{base_url}/billing/reports/sales")
    expect(page.get_by_text("You do not have permission to open this page.")).to_be_visible()


def test_the_customer_page_lists_her_invoices(login_as, base_url):
    from jewelerp.db import read_session
    from modules.clienteling.models import Customer

    manager = _manager_in_mumbai()
    with read_session() as session:
        customer = session.scalars(
            select(Customer).where(Customer.store_id == manager.store_id).order_by(Customer.id)
        ).first()
    number = _sell_today(manager, customer_id=customer.id)
    page = login_as("sales")
    page.goto(f"{base_url}/clienteling/customers/{customer.id}")
    section = page.get_by_role("heading", name="Invoices", exact=True).locator("xpath=..")
    expect(section.get_by_role("row").filter(has_text=number)).to_contain_text("Issued")
