"""Admin page flows: stores, roles, settings, jobs and changing one's password."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from jewelerp.auth.service import system_actor
from jewelerp.core.roles import set_grant
from jewelerp.core.users import UserInput, create_user
from jewelerp.db import unit_of_work
from tests.e2e.conftest import sign_in


def test_store_form_shows_errors_beside_fields_then_saves(login_as, base_url):
    page = login_as("admin")
    page.goto(f"{base_url}/admin/stores")
    page.get_by_role("button", name="New store").click()
    page.get_by_label("Code").fill("P")
    page.get_by_label("GSTIN").fill("12345")
    page.get_by_role("button", name="Save store").click()
    expect(page.locator("#code-error")).to_have_text("Code must be 2 to 8 letters or digits, e.g. MUM.")
    expect(page.locator("#name-error")).to_have_text("Enter the store's name.")
    expect(page.locator("#gstin-error")).to_contain_text("A GSTIN is 15 characters")
    expect(page.locator("#state_code-error")).to_contain_text("Choose the state the store is in")
    page.get_by_label("Code").fill("pun")
    page.get_by_label("Name", exact=True).fill("FC Road, Pune")
    page.get_by_label("State").select_option("27")
    page.get_by_label("GSTIN").fill("27AAPFU0939F1ZV")
    page.get_by_role("button", name="Save store").click()
    expect(page.get_by_role("status")).to_contain_text("Store saved.")
    expect(page.get_by_role("cell", name="PUN", exact=True)).to_be_visible()


def test_revoking_a_permission_takes_the_page_away(login_as, browser, base_url):
    page = login_as("admin")
    page.goto(f"{base_url}/admin/roles")
    box = page.get_by_role("checkbox", name="Manager: Read the audit log")
    expect(box).to_be_checked()
    try:
        box.click()
        expect(page.get_by_role("status")).to_contain_text("core.audit.view revoked from manager.")
        other = browser.new_context().new_page()
        sign_in(other, base_url, "manager@demo.jewelerp.in", "jewel-demo-2026")
        other.wait_for_url(f"{base_url}/")
        expect(other.get_by_role("link", name="Staff").first).to_be_visible()
        expect(other.get_by_role("link", name="Audit log")).to_have_count(0)
        other.goto(f"{base_url}/admin/audit")
        expect(other.get_by_text("You do not have permission to open this page.")).to_be_visible()
        other.context.close()
    finally:
        with unit_of_work() as session:
            set_grant(session, system_actor(session, 1), "manager", "core.audit.view", True)


def test_bad_setting_is_refused_and_a_good_one_saved(login_as, base_url):
    page = login_as("manager")
    page.goto(f"{base_url}/admin/settings")
    field = page.get_by_label("Phone country when no +code is typed")
    expect(field).to_have_value("IN")
    field.fill("AE")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 1 setting(s).")
    page.reload()
    expect(page.get_by_label("Phone country when no +code is typed")).to_have_value("AE")
    page.get_by_label("Phone country when no +code is typed").fill("IN")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 1 setting(s).")


def test_admin_runs_a_job_and_sees_the_run(login_as, base_url):
    page = login_as("admin")
    page.goto(f"{base_url}/admin/jobs")
    page.get_by_role("button", name="Run now: Delete old sessions, login tries and job runs").click()
    expect(page.get_by_role("status")).to_contain_text("core.purge_stale_records: ok (all stores)")
    expect(page.get_by_role("cell", name="manual").first).to_be_visible()


def test_change_password_checks_the_current_one(page, base_url):
    with unit_of_work() as session:
        create_user(session, None, UserInput("Neha Joshi", "neha@demo.jewelerp.in"), "first-pass-11", {"DEL": "sales"})
    sign_in(page, base_url, "neha@demo.jewelerp.in", "first-pass-11")
    page.wait_for_url(f"{base_url}/")
    page.get_by_role("button", name="User menu").click()
    page.get_by_role("menuitem", name="Change password").click()
    page.wait_for_url(re.compile(r"/account/password"))
    page.get_by_label("Current password").fill("wrong-pass-11")
    page.get_by_label("New password", exact=True).fill("second-pass-22")
    page.get_by_label("Repeat new password").fill("second-pass-22")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current-error")).to_have_text("Your current password is not right.")
    page.get_by_label("Current password").fill("first-pass-11")
    page.get_by_label("New password", exact=True).fill("second-pass-22")
    page.get_by_label("Repeat new password").fill("second-pass-22")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed.")
    page.goto(f"{base_url}/")  # this browser stays signed in
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
