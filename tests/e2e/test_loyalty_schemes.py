"""Gold savings schemes in the browser: enrol a customer, pay an instalment and get its receipt; on an invoice,
redeem a matured scheme and see the balance fall."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

SCHEME_RECEIPT = r"MUM/P\d{4}/\d{5}"


def _mumbai_customer_and_scheme() -> tuple[int, int]:
    """A Mumbai customer of the demo and the id of its "Quick Saver 6" scheme."""
    from jewelerp.core.models import Store
    from jewelerp.db import read_session
    from modules.clienteling.models import Customer
    from modules.loyalty.models import SchemeTemplate

    with read_session() as session:
        store = session.scalars(select(Store).where(Store.code == "MUM")).one()
        customer = session.scalars(select(Customer.id).where(Customer.store_id == store.id).order_by(Customer.id))
        template = session.scalars(
            select(SchemeTemplate.id).where(SchemeTemplate.store_id == store.id, SchemeTemplate.name == "Quick Saver 6")
        )
        return customer.first(), template.one()


def _matured_scheme_and_invoice() -> tuple[int, str, str, int]:
    """A matured Mumbai scheme of the demo and a new issued invoice for its customer (made through billing's
    services); returns (enrolment id, its number, its value as text, invoice id)."""
    from jewelerp.auth.service import system_actor
    from jewelerp.core.models import Store
    from jewelerp.db import unit_of_work
    from modules.billing.invoices import add_service_line, create_draft, issue_invoice
    from modules.loyalty.models import Enrolment
    from modules.loyalty.schemes import scheme_value

    with unit_of_work() as session:
        store = session.scalars(select(Store).where(Store.code == "MUM")).one()
        actor = system_actor(session, store.id)
        enrolment = session.scalars(
            select(Enrolment).where(Enrolment.store_id == store.id, Enrolment.status == "matured")
        ).first()
        value = scheme_value(session, actor, enrolment)
        # a PAN in case the sale reaches ₹2,00,000; the service leaves a balance after the scheme pays
        draft = create_draft(session, actor, customer_id=enrolment.customer_id, customer_pan="ABCDE1234F")
        add_service_line(session, actor, draft.id, "Custom gold chain", str(value + 5000), "JEWELLERY")
        invoice = issue_invoice(session, actor, draft.id)
        return enrolment.id, enrolment.number, f"{value:f}", invoice.id


def test_sales_enrols_a_customer_pays_an_instalment_and_downloads_the_receipt(login_as, base_url):
    customer_id, template_id = _mumbai_customer_and_scheme()
    page = login_as("sales")
    page.goto(f"{base_url}/loyalty/schemes")
    page.get_by_role("button", name="Enrol a customer").click()
    page.get_by_label("Scheme", exact=True).select_option(value=str(template_id))
    page.get_by_label("Customer number").fill(str(customer_id))
    page.get_by_label("Nominee", exact=True).fill("Ravi Kumar")
    page.get_by_label("Nominee's relation").fill("Son")
    page.get_by_label("Document number").fill("1234")
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(page.locator("#id_number-error")).to_contain_text("12 digits")
    page.get_by_label("Document number").fill("2345 6789 0123")
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(page).to_have_url(re.compile(r"/loyalty/enrolments/\d+$"))
    expect(page.get_by_text("XXXX-XXXX-0123")).to_be_visible()

    page.get_by_label("Instalment method").select_option(label="UPI")
    page.get_by_label("Reference").fill("412345678901")
    page.get_by_role("button", name="Pay instalment").click()
    status = page.get_by_role("status").filter(has_text="Receipt")
    expect(status).to_contain_text(re.compile(SCHEME_RECEIPT))
    receipt = re.search(SCHEME_RECEIPT, status.inner_text()).group(0)
    receipts = page.get_by_role("table", name="Scheme receipts")
    expect(receipts).to_contain_text(receipt)
    expect(receipts).to_contain_text("₹10,000.00")
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Receipt PDF {receipt}").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_a_matured_scheme_pays_an_invoice_and_the_balance_falls(login_as, base_url):
    enrolment_id, number, value, invoice_id = _matured_scheme_and_invoice()
    page = login_as("sales")
    page.goto(f"{base_url}/billing/invoices/{invoice_id}")
    balance = page.get_by_label("Balance", exact=True)
    before = balance.inner_text()
    page.get_by_label("Payment method").select_option(label="Gold scheme")
    page.get_by_label("Payment amount (₹)").fill(value)
    page.get_by_label("Reference").fill(number)
    page.get_by_role("button", name="Take payment").click()
    expect(page.get_by_role("status").filter(has_text="Receipt")).to_contain_text("Gold scheme")
    expect(page.get_by_role("table", name="Invoice payments")).to_contain_text(number)
    expect(balance).not_to_have_text(before)

    page.goto(f"{base_url}/loyalty/enrolments/{enrolment_id}")
    expect(page.get_by_text("Redeemed", exact=True)).to_be_visible()
