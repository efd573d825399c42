"""Service cases: a manager opens a case from the customer 360 page and assigns it to the salesperson, who sees
it in the bell and in "My cases" and adds a note."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import update
from sqlmodel import select

from jewelerp.core.models import Store, User
from jewelerp.db import unit_of_work, utcnow
from jewelerp.demo import DEMO_PASSWORD
from jewelerp.notifications.models import Notification
from modules.clienteling.models import Customer
from tests.e2e.conftest import DEMO_LOGINS, sign_in


def test_a_case_opened_on_a_customer_reaches_the_assigned_salesperson(login_as, base_url):
    with unit_of_work() as session:
        store = session.exec(select(Store.id).where(Store.code == "MUM")).one()
        customer = session.exec(select(Customer).where(Customer.store_id == store).order_by(Customer.id)).first()
        sales = session.exec(select(User).where(User.email == DEMO_LOGINS["sales"])).one()
        session.execute(update(Notification).where(Notification.user_id == sales.id).values(read_at=utcnow()))
        customer_id, sales_id, sales_name = customer.id, sales.id, sales.name

    page = login_as("manager")
    page.goto(f"{base_url}/clienteling/customers/{customer_id}")
    page.get_by_label("Kind of case").select_option("complaint")
    page.get_by_label("How it came in").select_option("phone")
    page.get_by_label("Priority").select_option("high")
    page.get_by_label("Subject").fill("Earring back keeps slipping")
    page.get_by_role("button", name="Open case").click()
    opened = page.get_by_role("status").filter(has_text=re.compile(r"Case CS-MUM-\d{6} opened\."))
    expect(opened).to_be_visible()
    number = re.search(r"CS-MUM-\d{6}", opened.inner_text()).group(0)
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=number)).to_be_visible()
    page.get_by_label("Assigned to").select_option(str(sales_id))
    expect(page.get_by_text(re.compile(rf"assigned the case to {sales_name}\."))).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, base_url, DEMO_LOGINS["sales"], DEMO_PASSWORD)
    page.wait_for_url(f"{base_url}/")
    bell = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell).to_have_accessible_name("Notifications: 1 unread")
    bell.click()
    page.wait_for_url(re.compile(r"/notifications/?$"))
    expect(
        page.get_by_role("button", name=re.compile(rf"^Mark read: Case {number} assigned to you by"))
    ).to_be_visible()
    page.get_by_role("link", name="My cases").click()
    page.get_by_label("Search my cases").fill(number)
    page.get_by_role("link", name=number).click()
    page.get_by_label("Note", exact=True).fill("Called her: bringing the earrings in tomorrow.")
    page.get_by_label("Show this note to the customer").check()
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Called her: bringing the earrings in tomorrow.")).to_be_visible()
    expect(page.get_by_text("Shown to the customer")).to_be_visible()
