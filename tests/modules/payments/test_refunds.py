"""Orders marked "refund needed" (money that came in for something already paid) and a manager marking them
refunded: the note is required, the change is audit-logged, only the store's own such orders, and a later webhook
changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.core.models import AuditLog
from jewelerp.db import read_session
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from jewelerp.testing import run_as
from modules.payments.models import PaymentOrder
from modules.payments.refunds import mark_refunded
from modules.payments.routes import routes
from tests.modules.payments.refund_orders import open_order, paid_twice
from tests.modules.payments.webhooks import pay, set_webhook_secret


@pytest.fixture
def to_refund(world) -> int:
    set_webhook_secret(world)
    return paid_twice(world.actor("manager"), "JOB-7", "1500.00")


def _order(order_id: int) -> PaymentOrder:
    with read_session() as session:
        return session.get(PaymentOrder, order_id)


def test_an_unapplied_payment_marks_its_order_refund_needed(world, to_refund):
    order = _order(to_refund)
    assert (order.status, order.note, order.gateway_payment_id) == (
        "to_refund",
        "JOB-7 is already paid",
        "pay_Second00001",
    )
    assert pay(order.token, 150000, payment_id="pay_Second00001").message == "already paid"  # the gateway retries
    assert _order(to_refund).status == "to_refund"


def test_the_checkout_link_says_what_became_of_the_payment(world, to_refund):
    client = TestClient(Starlette(routes=routes()), base_url="http://shop.test")
    page = client.get(f"/api/payments/checkout/{_order(to_refund).token}")
    assert page.status_code == 200 and "it was already paid: the store will refund it" in page.text
    run_as(world.actor("manager"), mark_refunded, str(to_refund), "rfnd_FP8DDKxqJif6ca")
    assert "was refunded by the store" in client.get(f"/api/payments/checkout/{_order(to_refund).token}").text


def test_a_manager_marks_it_refunded_with_a_note_and_the_change_is_audited(world, to_refund):
    manager = world.actor("manager")
    run_as(manager, mark_refunded, str(to_refund), "  Razorpay refund\trfnd_FP8DDKxqJif6ca  ")
    order = _order(to_refund)
    assert (order.status, order.refund_note, order.refunded_by) == (
        "refunded",
        "Razorpay refund rfnd_FP8DDKxqJif6ca",
        manager.user_name,
    )
    assert order.refunded_at is not None
    with read_session() as session:
        logged = session.exec(
            select(AuditLog).where(AuditLog.record_type == "payments_order", AuditLog.action == "update")
        ).all()
    changes = [json.loads(row.changes) for row in logged if row.user_name == manager.user_name]
    assert any(c.get("status") == ["to_refund", "refunded"] for c in changes)
    assert pay(order.token, 150000, payment_id="pay_Second00001").message == "already paid"
    assert _order(to_refund).status == "refunded"
    with pytest.raises(JewelError, match="refund needed"):  # once is enough
        run_as(manager, mark_refunded, str(to_refund), "again")


@pytest.mark.parametrize("note", ["", "  ", "ok", "x" * 201, None, {"note": "rfnd_1"}])
def test_a_refund_needs_a_short_note(world, to_refund, note):
    with pytest.raises(ValidationError) as caught:
        run_as(world.actor("manager"), mark_refunded, str(to_refund), note)
    assert "refund_note" in caught.value.fields
    assert _order(to_refund).status == "to_refund"


def test_only_an_order_needing_a_refund_in_this_store_by_a_manager(world, to_refund):
    manager = world.actor("manager")
    paid = open_order(manager, "JOB-8", "300.00")
    pay(paid.token, 30000, payment_id="pay_Fine0000001")
    with pytest.raises(JewelError, match="refund needed"):
        run_as(manager, mark_refunded, str(paid.id), "refunded by mistake")
    with pytest.raises(NotFound):  # the manager, working in Delhi, cannot touch Mumbai's order
        run_as(world.actor("manager", world.dl), mark_refunded, str(to_refund), "rfnd_FP8DDKxqJif6ca")
    with pytest.raises(PermissionDenied):
        run_as(world.actor("sales"), mark_refunded, str(to_refund), "rfnd_FP8DDKxqJif6ca")
    for junk in ("0", "-1", "9" * 40, "1e3", None):
        with pytest.raises(NotFound):
            run_as(manager, mark_refunded, junk, "rfnd_FP8DDKxqJif6ca")
    assert _order(to_refund).status == "to_refund" and _order(paid.id).status == "paid"
