"""Workshop board: a move in one browser shows in another without a reload (by button and by drag), pushed
by the server; the kind switch; and a tab stops listening when it leaves the board or closes."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from jewelerp.core.models import Store
from jewelerp.db import read_session
from modules.repairs.models import Job
from tests.e2e.conftest import DEMO_LOGINS, TIMEOUT_MS, sign_in
from tests.modules.repairs.jobrows import job_row

LIVE_MS = 5_000  # "within a few seconds": pushed at once, the margin is for a loaded machine


def _new_job(**fields) -> str:
    """A fresh repair in MUM's first stage; returns its number."""
    with read_session() as session:
        store = session.exec(select(Store.id).where(Store.code == "MUM")).one()
    job_id = job_row(store, "repair", "received", **fields)
    with read_session() as session:
        return session.get(Job, job_id).number


@pytest.fixture
def second_tab(browser, base_url):
    """Another person's browser (its own context): the salesperson, signed in."""
    from jewelerp.demo import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(tab, base_url, DEMO_LOGINS["sales"], DEMO_PASSWORD)
    tab.wait_for_url(f"{base_url}/")
    yield tab
    context.close()
    assert not errors, f"the second page raised JavaScript errors: {errors}"


def _card(tab, stage: str, number: str):
    return tab.get_by_role("region", name=stage, exact=True).get_by_role("article", name=f"Job {number}")


def test_a_move_in_one_browser_shows_in_the_other_without_reload(login_as, second_tab, base_url):
    number = _new_job(customer_name="Kavya Nair", item_description="Silver anklet, hook loose")
    other = _new_job(customer_name="Farhan Ali")
    manager = login_as("manager")
    for tab in (manager, second_tab):
        tab.goto(f"{base_url}/repairs/board")
        expect(_card(tab, "Received", number)).to_be_visible()
    expect(_card(second_tab, "Received", number)).to_contain_text("Kavya Nair")

    manager.get_by_role("button", name=f"Move {number} to Estimated").click()
    expect(manager.get_by_role("status")).to_contain_text(f"{number} moved to “Estimated”.")
    expect(_card(second_tab, "Estimated", number)).to_be_visible(timeout=LIVE_MS)
    expect(_card(second_tab, "Received", number)).to_have_count(0)

    _card(second_tab, "Estimated", number).drag_to(second_tab.get_by_role("region", name="Approved", exact=True))
    expect(_card(second_tab, "Approved", number)).to_be_visible()
    expect(_card(manager, "Approved", number)).to_be_visible(timeout=LIVE_MS)

    # a drag that skips stages is refused with the reason, and the card stays put; the window is tall enough to
    # show both ends of the drag, as a page that scrolled between them would start dragging another card
    manager.set_viewport_size({"width": 1280, "height": 3000})
    _card(manager, "Received", other).drag_to(manager.get_by_role("region", name="Approved", exact=True))
    expect(manager.get_by_role("alert")).to_contain_text(f"{other} moves one stage at a time")
    expect(_card(manager, "Received", other)).to_be_visible()


def test_the_kind_switch_shows_custom_orders(login_as, base_url):
    page = login_as("designer")
    page.goto(f"{base_url}/repairs/board")
    expect(page.get_by_role("region", name="Received", exact=True)).to_be_visible()
    page.get_by_role("radio", name="Custom orders").click()
    expect(page.get_by_role("region", name="Enquiry", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Metal issued", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Received", exact=True)).to_have_count(0)


def _listening(channel: str) -> set[str]:
    """The tabs subscribed to ``channel`` (the harness serves the app in this process, without Redis)."""
    from jewelerp import live

    return set(live.SUBSCRIPTIONS.of(channel))


def _settle(channel: str, expected: int) -> int:
    deadline = time.monotonic() + 5
    while len(_listening(channel)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return len(_listening(channel))


def test_a_tab_stops_listening_when_it_leaves_the_board_or_closes(login_as, second_tab, base_url):
    from jewelerp import live

    with read_session() as session:
        channel = f"repairs.board:{session.exec(select(Store.id).where(Store.code == 'MUM')).one()}"
    live.push_soon(channel)  # tabs of the tests before are closed: the next announcement forgets them
    assert _settle(channel, 0) == 0
    page = login_as("sales")
    for _ in range(3):  # each load subscribes the same tab again
        page.goto(f"{base_url}/repairs/board")
        expect(page.get_by_role("region", name="Received", exact=True)).to_be_visible()
    second_tab.goto(f"{base_url}/repairs/board")
    expect(second_tab.get_by_role("region", name="Received", exact=True)).to_be_visible()
    assert _settle(channel, 2) == 2  # one per tab
    second_tab.context.close()
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Home").click()
    page.get_by_role("heading", name="Home").wait_for()
    live.push_soon(channel)
    assert _settle(channel, 0) == 0  # the closed tab is gone, the other left the board
