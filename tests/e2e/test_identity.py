"""Identity flows in the browser: a forgotten password reset from the mail the SMTP server received, a new
address confirmed from its mail, signing out everywhere, two-factor set up and asked for."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import select

from jewelerp.core.models import Store, StoreSetting
from jewelerp.core.users import UserInput, create_user
from jewelerp.db import read_session, unit_of_work
from jewelerp.testing import send_mail_through
from tests.e2e.conftest import sign_in

FIRST = "first-pass-11"
SECOND = "second-pass-22"
BUSY_MS = 15_000  # the suite runs the browser tests beside the PostgreSQL and add-on tests on 2 cores


@pytest.fixture
def mail(smtp_inbox):
    """Every demo store sends its mail to the test SMTP server, for this test only (the browser tests share one
    database, and others count on the demo stores having no mail server)."""
    with read_session() as session:
        stores = session.exec(select(Store.id)).all()
    send_mail_through(smtp_inbox, *stores)
    yield smtp_inbox
    with unit_of_work() as session:
        session.execute(delete(StoreSetting).where(StoreSetting.key.startswith("core.smtp_")))


def _staff(name: str, email: str) -> None:
    with unit_of_work() as session:
        create_user(session, None, UserInput(name, email), FIRST, {"DEL": "sales"})


def test_a_forgotten_password_is_reset_from_the_mailed_link(page, base_url, mail):
    _staff("Kavya Rao", "kavya@demo.jewelerp.in")
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url(re.compile(r"/password/forgot"))
    page.get_by_label("Email").fill("kavya@demo.jewelerp.in")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("If an account uses that address, we have sent it a link")
    link = mail.wait_for("kavya@demo.jewelerp.in").link("/password/reset")
    assert link.startswith(base_url)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat new password").fill("short")
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#new-error")).to_contain_text("at least 8")
    page.get_by_label("New password", exact=True).fill(SECOND)
    page.get_by_label("Repeat new password").fill(SECOND)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("status")).to_have_text("Your new password is set. Sign in with it.")
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, base_url, "kavya@demo.jewelerp.in", SECOND)
    page.wait_for_url(f"{base_url}/")
    page.goto(link)  # the link worked once
    expect(page.get_by_role("alert")).to_contain_text("expired or was already used")
    expect(page.get_by_label("New password", exact=True)).to_have_count(0)


def test_a_new_address_is_confirmed_from_its_mail(page, base_url, mail):
    _staff("Rohan Mehta", "rohan@demo.jewelerp.in")
    sign_in(page, base_url, "rohan@demo.jewelerp.in", FIRST)
    page.wait_for_url(f"{base_url}/")
    page.get_by_role("button", name="User menu").click()
    page.get_by_role("menuitem", name="Your account").click()
    page.wait_for_url(re.compile(r"/account/profile"))
    expect(page.get_by_text("Address not confirmed")).to_be_visible()
    page.get_by_label("New e-mail address").fill("rohan.mehta@demo.jewelerp.in")
    page.get_by_label("Current password").fill(FIRST)
    page.get_by_role("button", name="Send link to the new address").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a link to rohan.mehta@demo.jewelerp.in")
    expect(page.get_by_text("Waiting for confirmation:")).to_be_visible()
    page.goto(mail.wait_for("rohan.mehta@demo.jewelerp.in").link("/email/confirm"))
    page.get_by_role("button", name="Confirm my address").click()  # enabled once the page's load ran
    confirmed = "rohan.mehta@demo.jewelerp.in is confirmed as your address."
    expect(page.get_by_role("status")).to_have_text(confirmed, timeout=BUSY_MS)
    page.goto(f"{base_url}/account/profile")
    expect(page.get_by_text("rohan.mehta@demo.jewelerp.in", exact=True)).to_be_visible()
    expect(page.get_by_text("Address confirmed", exact=True)).to_be_visible()


def test_signing_out_everywhere_throws_out_the_other_browser(page, browser, base_url):
    _staff("Isha Kapoor", "isha@demo.jewelerp.in")
    other_context = browser.new_context(viewport={"width": 390, "height": 844})  # the same person's phone
    other = other_context.new_page()
    try:
        for tab in (page, other):
            sign_in(tab, base_url, "isha@demo.jewelerp.in", FIRST)
            tab.wait_for_url(f"{base_url}/")
            tab.goto(f"{base_url}/account/sessions")
        expect(other.get_by_role("button", name=re.compile(r"^Sign out Chrome"))).to_have_count(2)
        expect(page.get_by_text("This browser")).to_have_count(1)
        page.get_by_role("button", name="Sign out everywhere").click()
        page.wait_for_url(re.compile(r"/login"))
        other.get_by_role("button", name=re.compile(r"^Sign out Chrome")).first.click()  # its next event
        other.wait_for_url(re.compile(r"/login"))
        other.goto(f"{base_url}/account/sessions")
        other.wait_for_url(re.compile(r"/login\?next="))
    finally:
        other_context.close()


def test_two_factor_is_set_up_then_asked_for_at_the_next_sign_in(page, base_url):
    _staff("Meera Iyer", "meera@demo.jewelerp.in")
    sign_in(page, base_url, "meera@demo.jewelerp.in", FIRST)
    page.wait_for_url(f"{base_url}/")
    page.goto(f"{base_url}/account/two-factor")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code to set up two-factor sign-in")).to_be_visible()
    key = page.locator("#two-factor-key").inner_text().replace(" ", "")
    page.get_by_label("2. Code the app shows now").fill("000000")
    page.get_by_role("button", name="Switch two-factor on").click()
    expect(page.locator("#code-error")).to_contain_text("not right")
    page.get_by_label("2. Code the app shows now").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Switch two-factor on").click()
    expect(page.get_by_role("status")).to_contain_text("Two-factor sign-in is on")
    expect(page.get_by_label("Recovery codes").locator("code")).to_have_count(10)
    page.get_by_role("button", name="User menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))
    sign_in(page, base_url, "meera@demo.jewelerp.in", FIRST)
    page.wait_for_url(re.compile(r"/login/code"))
    page.get_by_label("Code").fill(pyotp.TOTP(key).at(time.time() + 30))  # the next code: the last one was used
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base_url}/")
    page.get_by_role("heading", name="Home").wait_for()


def test_an_invitation_is_sent_accepted_and_the_new_person_signs_in(login_as, page, base_url, browser, mail):
    admin = login_as("admin")
    admin.goto(f"{base_url}/admin/users")
    admin.get_by_role("button", name="Invite by e-mail").click()
    admin.get_by_label("Email", exact=True).fill("tara.invited@demo.jewelerp.in")
    admin.get_by_label("Name (optional)").fill("Tara Menon")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_text("Give the person a role in at least one store.")).to_be_visible()
    admin.get_by_label("Role in DEL · Karol Bagh, Delhi").select_option("sales")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_role("status")).to_contain_text("Invitation sent to tara.invited@demo.jewelerp.in")
    expect(admin.get_by_role("cell", name="tara.invited@demo.jewelerp.in", exact=True)).to_be_visible()
    link = mail.wait_for("tara.invited@demo.jewelerp.in").link("/invite")
    invitee_context = browser.new_context(viewport={"width": 390, "height": 844})
    invitee = invitee_context.new_page()
    try:
        invitee.goto(link)
        expect(invitee.get_by_text("invites")).to_contain_text("as Sales at DEL")
        invitee.get_by_label("Password", exact=True).fill(SECOND)
        invitee.get_by_label("Repeat password").fill(SECOND)
        invitee.get_by_role("button", name="Create my account").click()
        expect(invitee.get_by_role("status")).to_contain_text("Your account is ready")
        sign_in(invitee, base_url, "tara.invited@demo.jewelerp.in", SECOND)
        invitee.wait_for_url(f"{base_url}/")
        invitee.goto(link)
        expect(invitee.get_by_role("alert")).to_contain_text("already used")
    finally:
        invitee_context.close()
    admin.reload()
    expect(admin.get_by_role("row", name=re.compile("tara.invited")).get_by_text("accepted")).to_be_visible()
