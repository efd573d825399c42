"""Events from creation to the door: a manager creates a trunk show of one place; a customer registers on the
public page on a phone and the next person is put on the waiting list; staff open the ticket's check-in address
(what the QR encodes) and check the customer in; someone not signed in is sent to sign in. Then the manager adds
a place (the waiting person gets it), cannot go below the places taken, and cancels a registration for a caller."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlmodel import select

from jewelerp.db import read_session
from modules.events.models import Registration


def _backend_url() -> str:
    """Where the harness's backend answers (the public event page lives there)."""
    from reflex.config import get_config

    return get_config().api_url.rstrip("/")


def _create_event(page, base_url: str) -> str:
    """Fill the new-event form as a manager would; returns the public page's token."""
    day = (date.today() + timedelta(days=6)).isoformat()
    page.goto(f"{base_url}/events")
    page.get_by_role("button", name="New event").click()
    page.get_by_label("Title", exact=True).fill("Emerald trunk show")
    page.get_by_label("Starts", exact=True).fill(f"{day}T18:00")
    page.get_by_label("Ends", exact=True).fill(f"{day}T17:00")
    page.get_by_label("Place", exact=True).fill("Zaveri Bazaar showroom")
    page.get_by_label("Capacity").fill("1")
    page.get_by_role("button", name="Create event").click()
    expect(page.locator("#ends-error")).to_have_text("The end must be after the start.")
    page.get_by_label("Ends", exact=True).fill(f"{day}T20:00")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_role("heading", name="Emerald trunk show")).to_be_visible()
    expect(page.get_by_text("18:00–20:00")).to_be_visible()
    public = page.locator("a[href*='/events/e/']").inner_text()
    return re.search(r"/events/e/([A-Za-z0-9_-]{43})$", public).group(1)


def _register(phone, address: str, name: str, email: str) -> None:
    phone.goto(address)
    phone.get_by_label("Your name").fill(name)
    phone.get_by_label("E-mail").fill(email)
    phone.get_by_role("checkbox").check()
    phone.get_by_role("button", name=re.compile("Register|Join the waiting list")).click()


def test_an_event_from_creation_to_check_in(login_as, base_url, browser):
    page = login_as("manager")
    token = _create_event(page, base_url)
    event_address = page.url

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        address = f"{_backend_url()}/events/e/{token}"
        _register(phone, address, "Tara Kapoor", "tara.kapoor@example.in")
        expect(phone.get_by_role("status")).to_contain_text("Thank you, Tara Kapoor: you are registered.")
        _register(phone, address, "Uday Rao", "uday.rao@example.in")
        expect(phone.get_by_role("status")).to_contain_text("you are number 1 on the waiting list")
        ticket_page = context.new_page()
        with read_session() as session:
            ticket = session.exec(
                select(Registration.ticket_token).where(Registration.email == "tara.kapoor@example.in")
            ).one()
        ticket_page.goto(f"{base_url}/events/checkin/{ticket}")  # not signed in on this phone
        ticket_page.wait_for_url(re.compile(r"/login"))
    finally:
        context.close()

    page.reload()
    expect(page.get_by_role("cell", name="Tara Kapoor", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Uday Rao", exact=True)).to_be_visible()
    page.goto(f"{base_url}/events/checkin/{ticket}")
    expect(page.get_by_role("heading", name="Tara Kapoor")).to_be_visible()
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("status")).to_contain_text("Tara Kapoor is checked in at")
    expect(page.get_by_text(re.compile(r"Checked in at \d\d:\d\d"))).to_be_visible()

    _edit_and_cancel_a_registration(page, event_address)


def _edit_and_cancel_a_registration(page, event_address: str) -> None:
    page.goto(event_address)
    page.get_by_role("button", name="Edit event").click()
    page.get_by_label("Capacity").fill("2")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Emerald trunk show was saved.")
    expect(page.get_by_text("2 of 2")).to_be_visible()  # Uday came off the waiting list
    page.get_by_role("button", name="Edit event").click()
    page.get_by_label("Capacity").fill("1")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#capacity-error")).to_have_text(
        "2 people hold a confirmed place: the capacity cannot be less than 2."
    )
    page.get_by_role("button", name="Cancel", exact=True).click()
    page.get_by_role("button", name="Cancel the registration of Uday Rao").click()
    page.get_by_role("button", name="Yes, cancel the registration of Uday Rao").click()
    expect(page.get_by_role("status")).to_contain_text("Uday Rao's registration is cancelled.")
    expect(page.get_by_text("1 of 2")).to_be_visible()
