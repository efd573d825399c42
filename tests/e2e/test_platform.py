"""Platform page flows: sign-in, menu from enabled modules, module switches, access, sign-out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from jewelerp import ASSETS
from jewelerp.demo import DEMO_PASSWORD
from jewelerp.registry import get_registry
from tests.e2e.conftest import sign_in


def test_wrong_password_shows_an_error_and_stays_on_login(page, base_url):
    sign_in(page, base_url, "manager@demo.jewelerp.in", "not-the-password-1")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    expect(page).to_have_url(re.compile(r"/login"))


def test_pages_need_a_session(page, base_url):
    page.goto(f"{base_url}/admin/users")
    page.wait_for_url(re.compile(r"/login\?next=/admin/users"))
    page.get_by_label("Email", exact=True).fill("admin@demo.jewelerp.in")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
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


def test_admin_disables_a_module_and_its_menu_and_pages_go(login_as, base_url):
    page = login_as("admin")
    menu = page.get_by_role("navigation", name="Main menu").first
    expect(menu.get_by_role("link", name="Customers", exact=True)).to_be_visible()
    page.goto(f"{base_url}/admin/modules")
    switch = page.get_by_role("switch", name="Clienteling in MUM")
    registry = get_registry()  # repairs, billing and what needs them go first (bridges switch themselves)
    needing = [registry.module(n) for n in reversed(registry.dependents("clienteling"))]
    dependents = [f"{m.title} in MUM" for m in needing if not m.auto_install]
    expect(switch).to_be_checked()
    try:
        for name in dependents:
            dependent = page.get_by_role("switch", name=name, exact=True)
            dependent.click()
            expect(dependent).not_to_be_checked()
        switch.click()
        expect(page.get_by_role("status")).to_contain_text("Clienteling disabled in MUM. Its data is kept.")
        expect(switch).not_to_be_checked()
        page.goto(f"{base_url}/")
        expect(page.get_by_role("heading", name="Home")).to_be_visible()
        expect(menu.get_by_role("link", name="Customers", exact=True)).to_have_count(0)
        page.goto(f"{base_url}/clienteling/customers")
        expect(page.get_by_text("Clienteling is not enabled in this store.")).to_be_visible()
        expect(page.get_by_role("table")).to_have_count(0)
    finally:
        page.goto(f"{base_url}/admin/modules")
        for name in ("Clienteling in MUM", *reversed(dependents)):
            switch = page.get_by_role("switch", name=name, exact=True)
            if not switch.is_checked():
                switch.click()
            expect(switch).to_be_checked()
    page.goto(f"{base_url}/clienteling/customers")
    expect(page.get_by_role("cell").first).to_be_visible()


def test_admin_creates_staff_with_field_errors_first_and_sees_it_audited(login_as, base_url):
    page = login_as("admin")
    page.goto(f"{base_url}/admin/users")
    page.get_by_role("button", name="New account").click()
    page.get_by_label("Name", exact=True).fill("Karan Malhotra")
    page.get_by_label("Email", exact=True).fill("karan-at-example")
    page.get_by_label("Password", exact=True).fill("karan-pass-22")
    page.get_by_label("Role in MUM · Zaveri Bazaar, Mumbai").select_option("sales")
    page.get_by_role("button", name="Save account").click()
    expect(page.locator("#email-error")).to_have_text("Enter an email address like name@example.com.")
    page.get_by_label("Email", exact=True).fill("karan@demo.jewelerp.in")
    page.get_by_role("button", name="Save account").click()
    expect(page.get_by_role("status")).to_contain_text("Account saved.")
    expect(page.get_by_role("cell", name="karan@demo.jewelerp.in", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="MUM: sales", exact=True).last).to_be_visible()
    page.goto(f"{base_url}/admin/audit")
    page.get_by_label("Search audit log").fill("karan")
    expect(page.get_by_role("cell", name="Anita Rao").first).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile(r"email: karan@demo\.jewelerp\.in"))).to_be_visible()


def test_manager_switches_store_from_the_header(login_as, base_url):
    page = login_as("manager")
    expect(page.get_by_text("You are working in MUM · Zaveri Bazaar, Mumbai.")).to_be_visible()
    page.get_by_role("combobox", name="Current store").click()
    page.get_by_role("option", name="DEL · Karol Bagh, Delhi").click()
    expect(page.get_by_text("You are working in DEL · Karol Bagh, Delhi.")).to_be_visible()
    page.goto(f"{base_url}/clienteling/customers")
    expect(page.get_by_role("cell", name="DEL").first).to_be_visible()
    expect(page.get_by_role("cell", name="MUM", exact=True)).to_have_count(0)


def test_the_logo_and_favicon_come_from_the_cards_assets_folder(page, base_url):
    page.goto(f"{base_url}/login")
    expect(page.locator('img[src="/logo.svg"]')).to_be_visible()
    page.wait_for_function("document.querySelector('img[src=\"/logo.svg\"]').naturalWidth > 0")  # it loaded
    icon = page.request.get(f"{base_url}/favicon.ico")
    assert icon.ok and icon.body() == (ASSETS / "favicon.ico").read_bytes()
