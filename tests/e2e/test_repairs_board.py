"""Workshop board: a move in one browser shows in another without a reload (by button and by drag);
the kind switch; and the live-update loop ends when its tab leaves the board, loads it again or closes."""

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

LIVE_MS = 5_000  # "within a few seconds": the poll runs every half second


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

    # a drag that skips stages is refused with the reason, and the card stays put
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


def _watchers(harness) -> int:
    """Live-update loops running in the app now."""
    tasks = list(harness.app_instance.event_processor._tasks.values())
    return sum(1 for task in tasks if "board_state.watch" in task.get_name() and not task.done())


def _settle(harness, expected: int) -> int:
    deadline = time.monotonic() + 3
    while _watchers(harness) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return _watchers(harness)


def test_the_live_loop_stops_when_the_tab_leaves_reloads_or_closes(login_as, second_tab, harness, base_url):
    assert _settle(harness, 0) == 0  # the tabs of the tests before were closed: their loops ended
    page = login_as("sales")
    page.goto(f"{base_url}/repairs/board")
    expect(page.get_by_role("region", name="Received", exact=True)).to_be_visible()
    assert _settle(harness, 1) == 1
    for _ in range(3):
        page.reload()
        expect(page.get_by_role("region", name="Received", exact=True)).to_be_visible()
    assert _settle(harness, 1) == 1  # each load retires the loop before it
    second_tab.goto(f"{base_url}/repairs/board")
    expect(second_tab.get_by_role("region", name="Received", exact=True)).to_be_visible()
    assert _settle(harness, 2) == 2
    second_tab.context.close()
    assert _settle(harness, 1) == 1
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Home").click()
    page.get_by_role("heading", name="Home").wait_for()
    assert _settle(harness, 0) == 0
