"""Platform page flows: sign-in, menu from enabled modules, module switches, access, sign-out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from jewelerp.demo import DEMO_PASSWORD
from tests.e2e.conftest import sign_in


def test_wrong_password_shows_an_error_and_stays_on_login(page, base_url):
    sign_in(page, base_url, "manager@demo.jewelerp.in", "not-the-password-1")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    expect(page).to_have_url(re.compile(r"/login"))


def test_pages_need_a_session(page, base_url):
    page.goto(f"{base_url}/admin/users")
    page.wait_for_url(re.compile(r"/login\?next=/admin/users"))
    page.get_by_label("Email").fill("admin@demo.jewelerp.in")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/users/?$"))
    expect(page.get_by_role("cell", name="manager@demo.jewelerp.in", exact=True)).to_be_visible()


def test_manager_signs_in_and_sees_the_shell(login_as):
    page = login_as("manager")
    menu = page.get_by_role("navigation", name="Main menu").first
    expect(menu.get_by_role("link", name="Home")).to_be_visible()
    expect(menu.get_by_role("link", name="Audit log")).to_be_visible()
    expect(menu.get_by_role("link", name="Modules")).to_have_count(0)  # admin only
    expect(page.get_by_role("button", name="User menu")).to_contain_text("Vikram Mehta")


def test_sales_cannot_open_admin_pages(login_as, base_url):
    page = login_as("sales")
    menu = page.get_by_role("navigation", name="Main menu").first
    expect(menu.get_by_role("link", name="Staff")).to_have_count(0)
    page.goto(f"{base_url}/admin/modules")
    expect(page.get_by_text("You do not have permission to open this page.")).to_be_visible()
    expect(page.get_by_role("switch")).to_have_count(0)


def test_logout_ends_the_session(login_as, base_url):
    page = login_as("designer")
    page.get_by_role("button", name="User menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto(f"{base_url}/")
    page.wait_for_url(re.compile(r"/login"))
