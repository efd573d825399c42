"""A manager lists the store's online payment orders, filters to those needing a refund, and marks the demo's
second payment refunded with the gateway's refund id."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from jewelerp.core.models import Store
from jewelerp.db import read_session
from modules.payments.models import PaymentOrder


def _to_refund() -> PaymentOrder:
    with read_session() as session:
        store = session.exec(select(Store.id).where(Store.code == "MUM")).one()
        stmt = select(PaymentOrder).where(PaymentOrder.store_id == store, PaymentOrder.status == "to_refund")
        return session.exec(stmt.order_by(PaymentOrder.id)).first()


def test_a_manager_marks_a_second_payment_refunded(login_as, base_url):
    order = _to_refund()
    page = login_as("manager")
    page.get_by_role("link", name="Online payments").click()
    expect(page.get_by_role("heading", name="Payment orders")).to_be_visible()
    page.get_by_label("Statuses").select_option("to_refund")
    rows = page.get_by_role("row").filter(has_text="Refund needed")
    expect(rows.filter(has_text=order.gateway_payment_id)).to_be_visible()

    page.get_by_role("button", name=f"Mark refunded: {order.gateway_payment_id}").click()
    page.get_by_label("Refund note").fill("rfnd_FP8DDKxqJif6ca")
    page.get_by_role("button", name="Mark refunded", exact=True).click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"is marked refunded\."))).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=order.gateway_payment_id)).to_have_count(0)  # no longer "needed"
    with read_session() as session:
        done = session.get(PaymentOrder, order.id)
    assert (done.status, done.refund_note) == ("refunded", "rfnd_FP8DDKxqJif6ca")
