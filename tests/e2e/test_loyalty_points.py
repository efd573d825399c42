"""Loyalty points in the browser: on an invoice, redeem points as a payment and see the member's balance fall."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

RECEIPT = r"MUM/R\d{4}/\d{5}"


def _member_with_points_and_an_invoice() -> tuple[int, int, int]:
    """A Mumbai member with at least 200 points, and a new issued invoice for them (made through billing's
    services); returns (member id, invoice id, balance)."""
    from jewelerp.auth.service import system_actor
    from jewelerp.core.models import Store
    from jewelerp.db import unit_of_work
    from modules.billing.invoices import add_service_line, create_draft, issue_invoice
    from modules.loyalty.models import Member
    from modules.loyalty.points import balance
    from modules.loyalty.program import program_for

    with unit_of_work() as session:
        store = session.scalars(select(Store).where(Store.code == "MUM")).one()
        actor = system_actor(session, store.id)
        program = program_for(session, store.id)
        members = session.scalars(select(Member).where(Member.program_id == program.id).order_by(Member.id)).all()
        member = next(m for m in members if balance(session, m.id) >= 200)
        draft = create_draft(session, actor, customer_id=member.customer_id)
        add_service_line(session, actor, draft.id, "Polishing", "5000")
        invoice = issue_invoice(session, actor, draft.id)
        return member.id, invoice.id, balance(session, member.id)


def test_points_pay_part_of_an_invoice_and_the_balance_falls(login_as, base_url):
    member_id, invoice_id, points = _member_with_points_and_an_invoice()
    page = login_as("sales")
    page.goto(f"{base_url}/loyalty/members/{member_id}")
    expect(page.get_by_label("Points balance")).to_have_text(f"{points:,}")

    page.goto(f"{base_url}/billing/invoices/{invoice_id}")
    page.get_by_label("Payment method").select_option(label="Loyalty points")
    page.get_by_label("Payment amount (₹)").fill("150")
    page.get_by_role("button", name="Take payment").click()
    status = page.get_by_role("status").filter(has_text="Receipt")
    expect(status).to_contain_text(re.compile(RECEIPT))
    expect(status).to_contain_text("Loyalty points")
    table = page.get_by_role("table", name="Invoice payments")
    expect(table).to_contain_text("150 points")
    expect(page.get_by_label("Balance", exact=True)).to_contain_text("₹5,750.00")  # 5,000 + 18% repair GST - 150

    page.goto(f"{base_url}/loyalty/members/{member_id}")
    expect(page.get_by_label("Points balance")).to_have_text(f"{points - 150:,}")
    history = page.get_by_role("table", name="Points history")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Redeemed")
    expect(history.get_by_role("row").nth(1)).to_contain_text("-150")
