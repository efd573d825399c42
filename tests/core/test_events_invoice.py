"""End to end: clienteling counts an issued invoice after billing commits, and a failure never stops the sale."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from jewelerp.core.event_deliveries import run_due_deliveries
from jewelerp.core.models import EventDelivery
from jewelerp.db import read_session, utcnow
from modules.billing.invoices import cancel_invoice, issue_invoice
from modules.clienteling.models import Customer
from modules.clienteling.services import CustomerInput, create_customer
from tests.modules.billing import test_invoices as billing

metals = billing.metals


def _purchases(customer_id: int) -> int:
    with read_session() as session:
        return session.get(Customer, customer_id).purchases_12m


def _clienteling_deliveries() -> list[EventDelivery]:
    with read_session() as session:
        stmt = select(EventDelivery).where(EventDelivery.module == "clienteling").order_by(EventDelivery.id)
        return list(session.exec(stmt))


def test_an_issued_invoice_reaches_clienteling_after_commit_even_when_it_first_fails(world, metals, monkeypatch):
    sales, manager = world.actor("sales"), world.actor("manager")
    customer = billing._do(sales, create_customer, CustomerInput(name="Meera Shah", phone="9820012345")).id
    first, _ = billing._sale(world, metals, customer_id=customer, customer_name="Meera Shah")
    billing._do(sales, issue_invoice, first)
    assert _purchases(customer) == 1
    assert [(d.event, d.status) for d in _clienteling_deliveries()] == [("issued", "done")]

    def unreachable(*_args, **_kwargs):
        raise RuntimeError("segment service down")

    second, _ = billing._sale(world, metals, customer_id=customer, customer_name="Meera Shah")
    with monkeypatch.context() as patch:
        patch.setattr("modules.clienteling.handlers.record_purchase", unreachable)
        assert billing._do(sales, issue_invoice, second).status == "issued"  # the sale stands
    assert _purchases(customer) == 1
    waiting = _clienteling_deliveries()[-1]
    assert (waiting.status, waiting.last_error) == ("pending", "RuntimeError: segment service down")
    billing._do(manager, cancel_invoice, first, "Returned")  # waits behind the issue it must not overtake
    assert _purchases(customer) == 1
    run_due_deliveries(utcnow() + timedelta(minutes=3))
    assert _purchases(customer) == 1  # the second counted, the first taken back
    assert {d.status for d in _clienteling_deliveries()} == {"done"}
