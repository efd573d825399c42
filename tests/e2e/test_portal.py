"""The customer portal in a phone-sized browser: a customer registers, confirms by the mail the SMTP server
received, signs in with the code mailed to them, watches their repair move stage while staff move it, sees the
photo the store shared on it, and finds their invoice with its PDF."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect
from sqlmodel import select

from jewelerp.auth.service import system_actor
from jewelerp.db import read_session, unit_of_work
from modules.billing.api import REPAIR
from modules.billing.invoices import add_service_line, create_draft, issue_invoice
from modules.portal.models import PortalAccount, PortalLink
from modules.repairs.jobs import JobInput, create_job
from modules.repairs.photos import job_photos, share_photo
from modules.repairs.stages import move_job
from tests.e2e.test_accessibility import _violations, tab  # noqa: F401 - tab: the page with axe-core in it
from tests.e2e.test_identity import mail  # noqa: F401 - the fixture: every demo store sends to the test server
from tests.modules.repairs.intake import png

EMAIL = "meera.portal@example.in"


def _customer_of(email: str) -> tuple[int, int]:
    """(store id, customer id) of the account confirmed with ``email``."""
    with read_session() as session:
        account = session.exec(select(PortalAccount).where(PortalAccount.email == email)).one()
        link = session.exec(select(PortalLink).where(PortalLink.account_id == account.id)).first()
        return account.store_id, link.customer_id


def _staff_records(store_id: int, customer_id: int) -> int:
    """An invoice and a repair job for the customer, made by staff, with its intake photo shared; returns the job
    id."""
    with unit_of_work() as session:
        actor = system_actor(session, store_id)
        session.info["actor"] = actor
        invoice = create_draft(session, actor, customer_id=customer_id)
        add_service_line(session, actor, invoice.id, "Ring resizing", "1500", REPAIR)
        issue_invoice(session, actor, invoice.id)
        due = actor.today().isoformat()
        data = JobInput(
            customer_id=str(customer_id),
            item_description="Gold ring",
            requested_work="Resize",
            promised_on=due,
            estimate="1500",
            weight_in="5.000",
            terms_accepted=True,
        )
        job = create_job(session, actor, data, [("ring.png", png())])
        share_photo(session, actor, job_photos(session, actor, job.id)[0].id, True)
        return job.id


def _move(store_id: int, job_id: int, stage: str) -> None:
    with unit_of_work() as session:
        actor = system_actor(session, store_id)
        session.info["actor"] = actor
        move_job(session, actor, job_id, stage)


def enter_with_code(page, email: str, code_of: Callable[[], str]) -> None:
    """On the portal's sign-in page: ask for a code for ``email``, type the one ``code_of`` reads, and land home.
    It waits for the page's list of stores first (the page loads it), as a person sees it before choosing."""
    expect(page.get_by_label("Store")).not_to_have_value("")
    page.get_by_label("E-mail or mobile number").fill(email)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("Sign-in code").wait_for()
    page.get_by_label("Sign-in code").fill(code_of())
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/portal/?$"))


def _check_accessible(page) -> None:
    """No WCAG 2.1 AA violation with the pointer off the links (a hovered link takes the theme's lighter colour)."""
    page.mouse.move(0, 0)
    found = _violations(page)
    assert found == [], found


def test_a_customer_registers_signs_in_with_a_code_and_sees_a_repair_move_live(tab, base_url, mail):  # noqa: F811
    page = tab
    page.set_viewport_size({"width": 360, "height": 760})
    page.goto(f"{base_url}/portal/register")
    page.get_by_label("Your name").wait_for()
    _check_accessible(page)
    page.get_by_label("Your name").fill("Meera Iyer")
    page.get_by_label("E-mail", exact=True).fill(EMAIL)
    page.get_by_label("Mobile number").fill("98201 55555")
    page.get_by_label("By WhatsApp").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text(f"We have sent a link to {EMAIL}")

    page.goto(mail.wait_for(EMAIL).link("/portal/confirm"))
    expect(page.get_by_role("status")).to_contain_text("Your address is confirmed")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_label("E-mail or mobile number").wait_for()
    _check_accessible(page)
    enter_with_code(page, EMAIL, lambda: re.search(r"\b(\d{6})\b", mail.wait_for(EMAIL, count=2).text).group(1))
    expect(page.get_by_text("Meera Iyer").first).to_be_visible()

    store_id, customer_id = _customer_of(EMAIL)
    job_id = _staff_records(store_id, customer_id)
    page.get_by_role("link", name="Repairs").click()
    stage = page.get_by_label(re.compile(r"^Stage of RP-"))
    expect(stage).to_have_text("Received")
    _move(store_id, job_id, "estimated")
    expect(stage).to_have_text("Estimated")  # pushed: the page was not reloaded
    photo = page.get_by_role("img", name=re.compile(r"^Intake photo of RP-"))
    photo.scroll_into_view_if_needed()
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0  # served to the signed-in customer
    _check_accessible(page)

    page.get_by_role("link", name="Invoices").click()
    button = page.get_by_role("button", name=re.compile(r"^Download PDF of "))
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.startswith("invoice-")
    _check_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
