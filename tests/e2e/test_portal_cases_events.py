"""Cases and events on the portal in a phone-sized browser: a demo portal customer signs in, opens a case, sees the
store's reply arrive without a reload, and registers for an event."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from jewelerp.auth.service import system_actor
from jewelerp.core.models import Store
from jewelerp.db import read_session, unit_of_work
from modules.clienteling.cases import add_note
from modules.clienteling.models import ServiceCase
from modules.events.services import EventInput, create_event
from modules.portal.models import PortalAccount
from tests.e2e.test_accessibility import tab  # noqa: F401 - the page with axe-core in it
from tests.e2e.test_portal import _check_accessible, enter_with_code
from tests.modules.portal.helpers import mailed_code

SUBJECT = "Earring screw is loose"
EVENT = "Diamond care evening"


def _demo_account() -> tuple[int, str]:
    """(store id, e-mail) of the Mumbai demo store's first portal account."""
    with read_session() as session:
        store = session.exec(select(Store).where(Store.code == "MUM")).one()
        stmt = select(PortalAccount).where(PortalAccount.store_id == store.id).order_by(PortalAccount.id)
        return store.id, session.exec(stmt).first().email


def _as_staff(store_id: int, work) -> None:
    with unit_of_work() as session:
        actor = system_actor(session, store_id)
        session.info["actor"] = actor
        work(session, actor)


def _staff_reply(store_id: int, text: str) -> None:
    def reply(session, actor):
        case = session.exec(select(ServiceCase).where(ServiceCase.subject == SUBJECT)).one()
        add_note(session, actor, case.id, text, internal=False)

    _as_staff(store_id, reply)


def _event(store_id: int) -> None:
    def make(session, actor):
        day = actor.today() + timedelta(days=3)
        data = EventInput("other", EVENT, "", f"{day}T18:00", f"{day}T20:00", "Zaveri Bazaar showroom", "", "20")
        create_event(session, actor, data)

    _as_staff(store_id, make)


def test_a_customer_opens_a_case_sees_the_reply_live_and_registers_for_an_event(tab, base_url):  # noqa: F811
    page = tab
    store_id, email = _demo_account()
    page.set_viewport_size({"width": 360, "height": 760})
    page.goto(f"{base_url}/portal/sign-in")
    enter_with_code(page, email, lambda: mailed_code(email))

    page.get_by_role("link", name="My cases").click()
    page.get_by_label("What kind of matter?").select_option("after-sales")
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_label("Your message").fill("The screw of my diamond stud does not hold.")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("status")).to_contain_text("is open; the store will reply here")
    thread = page.get_by_label(re.compile(r"^Messages on CS-")).first  # newest first: the case just opened
    expect(thread).to_contain_text("The screw of my diamond stud does not hold.")
    _staff_reply(store_id, "Please bring it in; we will replace the screw free.")
    expect(thread).to_contain_text("we will replace the screw free")  # pushed: the page was not reloaded
    _check_accessible(page)

    _event(store_id)
    page.get_by_role("link", name="My events").click()
    page.get_by_role("button", name=f"Register for {EVENT}").click()
    expect(page.get_by_role("status")).to_contain_text("You are registered")
    expect(page.get_by_label(f"Registration for {EVENT}", exact=True)).to_have_text("Confirmed")
    _check_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
