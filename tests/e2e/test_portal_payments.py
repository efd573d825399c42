"""A demo portal customer pays their gold scheme's next instalment through the test gateway: the portal's button
opens the gateway's checkout, "Pay" delivers the signed webhook, and back on the portal the receipt shows; staff
then see the instalment paid online."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from reflex.config import get_config
from sqlmodel import select

from jewelerp.db import read_session
from modules.loyalty.models import Enrolment, SchemeInstalment
from modules.portal import identity
from modules.portal.models import PortalAccount, PortalLink
from modules.portal.sessions import BEGIN_PATH
from tests.modules.portal.helpers import mailed_code

IP = "127.0.0.1"


def _payer() -> tuple[int, str, list[int]]:
    """(store id, e-mail, active enrolment ids) of a demo portal account with an active gold scheme (the page
    offers each scheme's instalment; the test pays the first it shows)."""
    with read_session() as session:
        for account in session.exec(select(PortalAccount).order_by(PortalAccount.id)):
            ids = session.exec(select(PortalLink.customer_id).where(PortalLink.account_id == account.id)).all()
            enrolments = session.exec(
                select(Enrolment.id).where(Enrolment.customer_id.in_(ids), Enrolment.status == "active")
            ).all()
            if enrolments:
                return account.store_id, account.email, list(enrolments)
    raise AssertionError("the demo has no portal customer with an active gold scheme")


def _ticket(store_id: int, email: str) -> str:
    """Sign in with the one-time code the demo's outbox holds (the demo stores send no mail)."""
    identity.request_code(store_id, "email", email, IP)
    return identity.sign_in(store_id, "email", email, mailed_code(email), IP)


def _paid_online(enrolment_ids: list[int]) -> list[SchemeInstalment]:
    with read_session() as session:
        stmt = select(SchemeInstalment).where(
            SchemeInstalment.enrolment_id.in_(enrolment_ids), SchemeInstalment.method == "online"
        )
        return list(session.exec(stmt))


def test_a_customer_pays_a_scheme_instalment_through_the_test_gateway(page, base_url):
    store_id, email, enrolment_ids = _payer()
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{get_config().api_url.rstrip('/')}{BEGIN_PATH}?ticket={_ticket(store_id, email)}")
    page.wait_for_url(re.compile(r"/portal/?$"))
    page.get_by_role("link", name="Gold schemes").click()
    button = page.get_by_role("button", name=re.compile(r"^Pay instalment ₹")).first
    amount = button.inner_text().removeprefix("Pay instalment ")
    button.click()

    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    expect(page.get_by_text(amount, exact=False)).to_be_visible()
    page.get_by_role("button", name="Pay", exact=True).click()

    page.wait_for_url(re.compile(r"/portal/schemes/?\?payment="))
    receipt = page.get_by_role("status").filter(has_text="Payment received")
    expect(receipt).to_contain_text(amount)
    expect(receipt).to_contain_text(re.compile(r"Receipt\s*[A-Z]+/P\d{4}/\d{5}"))
    (paid,) = _paid_online(enrolment_ids)  # staff's scheme shows the instalment paid, once
    assert paid.status == "paid" and paid.receipt_number in receipt.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
