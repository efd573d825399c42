"""The Home dashboard: a manager of two branches filters it by branch and by dates, the cards change and the
filters stay in the address (a reload keeps them); an impossible range is named and no card is shown; on a
tablet a card's chart keeps a readable width."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select


def _manager():
    from jewelerp.auth.service import build_actor
    from jewelerp.core.models import Store, User
    from jewelerp.db import read_session

    with read_session() as session:
        user = session.scalars(select(User).where(User.email == "manager@demo.jewelerp.in")).one()
        stores = {s.code: s.id for s in session.scalars(select(Store))}
        return build_actor(session, user.id, stores["MUM"]), stores


def _sales(actor, start, end, *store_ids: int) -> str:
    """The "Sales in the period" figure the service computes for these filters."""
    from jewelerp.dashboard import DashboardFilters
    from jewelerp.db import read_session
    from modules.billing.cards import sales_period_card

    with read_session() as session:
        return sales_period_card(session, actor, DashboardFilters(start, end, store_ids)).value


def _figure(page, title: str):
    return page.get_by_role("region", name=title, exact=True).get_by_role("heading")


def test_a_manager_filters_the_dashboard_by_branch_and_dates(login_as, base_url):
    manager, stores = _manager()
    today = manager.today()
    month = today.replace(day=1)
    mumbai = _sales(manager, month, today, stores["MUM"])
    both = _sales(manager, month, today, stores["MUM"], stores["DEL"])
    earlier_from, earlier_to = today - timedelta(days=40), today - timedelta(days=31)
    earlier = _sales(manager, earlier_from, earlier_to, stores["MUM"], stores["DEL"])
    assert len({mumbai, both, earlier}) == 3  # the demo sells in both branches every day

    page = login_as("manager")
    expect(_figure(page, "Sales in the period")).to_have_text(mumbai)
    expect(page.get_by_label("Branch", exact=True)).to_have_value(str(stores["MUM"]))  # the branch shown
    expect(page.get_by_role("region", name="Branch comparison")).to_have_count(0)

    page.get_by_label("Branch", exact=True).select_option(label="All my branches")
    page.get_by_role("button", name="Show").click()
    expect(_figure(page, "Sales in the period")).to_have_text(both)
    expect(page.get_by_role("region", name="Branch comparison")).to_be_visible()
    expect(page.get_by_role("region", name="Branch comparison").get_by_role("img")).to_be_visible()  # its chart
    expect(page).to_have_url(re.compile(r"branch=all"))

    page.get_by_label("From", exact=True).fill(earlier_from.isoformat())
    page.get_by_label("To", exact=True).fill(earlier_to.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(_figure(page, "Sales in the period")).to_have_text(earlier)
    expect(page).to_have_url(re.compile(rf"from={earlier_from.isoformat()}&to={earlier_to.isoformat()}&branch=all"))

    page.reload()  # the address keeps the filters
    expect(_figure(page, "Sales in the period")).to_have_text(earlier)
    expect(page.get_by_label("From", exact=True)).to_have_value(earlier_from.isoformat())
    expect(page.get_by_label("Branch", exact=True)).to_have_value("all")


def test_an_impossible_range_is_named_and_shows_no_card(login_as, base_url):
    page = login_as("manager")
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet held upright: two cards a row
    chart = page.get_by_role("img", name="Sales in the period chart")
    expect(chart.locator("svg").first).to_be_visible()
    assert chart.bounding_box()["width"] >= 320
    page.get_by_label("From", exact=True).fill("2026-11-30")
    page.get_by_label("To", exact=True).fill("2026-11-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The last day comes before the first day")).to_be_visible()
    expect(page.get_by_role("region", name="Sales in the period")).to_have_count(0)
    page.goto(f"{base_url}/?from=2026-11-30&to=2026-11-01")  # a shared link with the same range
    expect(page.get_by_text("The last day comes before the first day")).to_be_visible()
    expect(page.get_by_role("region", name="Sales in the period")).to_have_count(0)
