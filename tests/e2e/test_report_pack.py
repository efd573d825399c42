"""The report pack in the browser: the manager opens stock ageing, narrows it to one category and sees the
figures change, downloads it as Excel (numbers as numbers); the sales comparison regroups by salesperson."""

from __future__ import annotations

import re
from datetime import timedelta
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


def _age_one_piece(actor) -> tuple[int, str]:
    """Date the first Mumbai piece in stock as received 400 days ago; returns its category's id and name."""
    from jewelerp.db import unit_of_work
    from modules.stock.models import Category, Piece

    with unit_of_work(actor) as session:
        piece = session.scalars(
            select(Piece).where(Piece.store_id == actor.store_id, Piece.status == "in_stock").order_by(Piece.id)
        ).first()
        piece.created_at = piece.created_at - timedelta(days=400)
        session.add(piece)
        return piece.category_id, session.get(Category, piece.category_id).name


def _ageing(actor, category: str = ""):
    from jewelerp.db import read_session
    from jewelerp.reports import ReportRequest
    from modules.stock.ageing import ageing_table

    today = actor.today()
    with read_session() as session:
        return ageing_table(session, actor, ReportRequest(today, today, False, {"category": category}))


def test_stock_ageing_narrows_to_a_category_and_exports_numbers(login_as, base_url, tmp_path):
    manager = _manager_in_mumbai()
    category_id, category = _age_one_piece(manager)
    every, one = _ageing(manager), _ageing(manager, str(category_id))
    assert every.footer[0]["pieces"] > one.footer[0]["pieces"] > 0  # the filter must change what is shown
    page = login_as("manager")
    page.get_by_role("link", name="Stock ageing").click()
    page.wait_for_url(f"{base_url}/stock/reports/ageing")
    table = page.get_by_role("table", name="Stock by days in stock and category")
    total = table.get_by_role("row").filter(has_text=re.compile(r"^Total"))
    expect(total).to_contain_text(f"{every.footer[0]['pieces']:,}")
    expect(table).to_contain_text("Over 365 days")
    expect(page.get_by_role("img", name="Chart: Stock by days in stock and category")).to_be_visible()

    page.get_by_label("Category", exact=True).select_option(label=category)
    page.get_by_role("button", name="Show").click()
    expect(total).to_contain_text(format_inr(one.footer[0]["value"], paise=True))
    expect(total).to_contain_text(f"{one.footer[0]['pieces']:,}")
    expect(table.get_by_role("row").filter(has_text="Over 365 days")).to_contain_text(category)

    with page.expect_download() as download:
        page.get_by_role("button", name="Export to Excel").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    rows = list(load_workbook(target).active.values)
    assert rows[0][0].startswith("Stock ageing")
    assert rows[1] == ("Days in stock", "Category", "Pieces", "Net weight (g)", "Value today (₹)")
    total_at = next(n for n, row in enumerate(rows) if row[0] == "Total")
    assert {row[1] for row in rows[2:total_at]} == {category}
    total_row = rows[total_at]
    assert total_row[2] == one.footer[0]["pieces"]
    assert Decimal(str(total_row[4])).quantize(Decimal("0.01")) == one.footer[0]["value"]


def _sell_today(actor) -> None:
    """Issue a Mumbai invoice for a polishing charge of ₹1,234."""
    from jewelerp.db import unit_of_work
    from modules.billing.invoices import add_service_line, create_draft, issue_invoice

    with unit_of_work(actor) as session:
        invoice = create_draft(session, actor, customer_name="Report Pack")
        add_service_line(session, actor, invoice.id, "Polishing", "1234")
        issue_invoice(session, actor, invoice.id)


def _comparison(actor, group: str):
    from jewelerp.db import read_session
    from jewelerp.reports import ReportRequest, this_month
    from modules.billing.sales_compare import comparison_table

    with read_session() as session:
        return comparison_table(session, actor, ReportRequest(*this_month(actor), False, {"group": group}))


def test_sales_comparison_regroups_by_salesperson(login_as, base_url):
    manager = _manager_in_mumbai()
    _sell_today(manager)
    by_branch, by_person = _comparison(manager, "branch"), _comparison(manager, "salesperson")
    mine = next(row for row in by_person.rows if row["group"] == manager.user_name)
    page = login_as("manager")
    page.get_by_role("link", name="Sales comparison").click()
    page.wait_for_url(f"{base_url}/billing/reports/comparison")
    table = page.get_by_role("table", name="Sales this period and a year earlier")
    expect(table.get_by_role("columnheader", name="Branch")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="MUM")).to_contain_text(
        format_inr(by_branch.rows[0]["this_period"], paise=True)
    )

    page.get_by_label("Group by", exact=True).select_option(label="Salesperson")
    page.get_by_role("button", name="Show").click()
    expect(table.get_by_role("columnheader", name="Salesperson")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text=manager.user_name)).to_contain_text(
        format_inr(mine["this_period"], paise=True)
    )
