"""Payment orders: amounts in paise, one pending order per thing to pay, the paid webhook taken once, and the
scheme instalment's receipt written exactly once."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.core.models import AuditLog
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, NotFound
from jewelerp.notifications.models import Notification
from jewelerp.testing import run_as
from modules.loyalty.api import INSTALMENT_PURPOSE, instalment_quote
from modules.loyalty.models import Enrolment, SchemeInstalment
from modules.payments.gateways import RazorpayGateway
from modules.payments.models import PaymentOrder
from modules.payments.opening import create_order
from modules.payments.orders import receive_webhook
from modules.payments.routes import routes
from tests.modules.payments.webhooks import IP, SECRET, event_body, gateway_id, hmac_hex, pay, set_webhook_secret
from tests.modules.portal.shoppers import shoppers


def _order(actor, amount: Decimal, reference: str = "JOB-7", purpose: str = "tests.thing", customer_id: int = 1, **kw):
    return create_order(
        actor,
        purpose=purpose,
        reference=reference,
        amount=amount,
        customer_id=customer_id,
        description="Something",
        return_path="/portal/schemes",
        **kw,
    )


def _orders() -> list[PaymentOrder]:
    with read_session() as session:
        return list(session.exec(select(PaymentOrder).order_by(PaymentOrder.id)))


def _mock_razorpay(seen: list[dict]) -> RazorpayGateway:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"id": f"order_R{len(seen):012d}"})

    return RazorpayGateway("https://gateway.test", "rzp_test_key", "secret", httpx.MockTransport(answer))


def test_the_gateway_is_asked_for_paise(world):
    seen: list[dict] = []
    order = _order(world.actor("manager"), Decimal("5000.50"), gateway=_mock_razorpay(seen))
    assert seen[0]["amount"] == 500050 and order.amount == Decimal("5000.50") and order.status == "pending"
    _order(world.actor("manager"), Decimal("0.01"), reference="JOB-8", gateway=_mock_razorpay(seen))
    assert seen[1]["amount"] == 1


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), Decimal("10.005"), 5000.5, Decimal("NaN")])
def test_an_amount_that_is_not_rupees_and_paise_opens_no_order(world, amount):
    with pytest.raises(JewelError):
        _order(world.actor("manager"), amount)
    assert _orders() == []


def test_a_second_order_while_one_is_pending_reuses_it(world):
    manager = world.actor("manager")
    first = _order(manager, Decimal("5000.00"))
    again = _order(manager, Decimal("5000.00"))
    assert again.token == first.token and len(_orders()) == 1
    changed = _order(manager, Decimal("5250.00"))  # the quote changed (a late fee): a new order for the new amount
    assert changed.token != first.token and len(_orders()) == 2


def test_the_paid_webhook_is_taken_once_and_a_paid_reference_takes_no_new_order(world):
    set_webhook_secret(world)
    manager = world.actor("manager")
    order = _order(manager, Decimal("1200.00"))
    assert pay(order.token, 120000).status == 200
    (paid,) = _orders()
    assert paid.status == "paid" and paid.gateway_payment_id == "pay_Q1w2e3r4t5"
    again = pay(order.token, 120000, payment_id="pay_Other12345")
    assert (again.status, again.message) == (200, "already paid")
    (still,) = _orders()
    assert still.paid_at == paid.paid_at and still.gateway_payment_id == "pay_Q1w2e3r4t5"
    with pytest.raises(JewelError, match="paid online"):
        _order(manager, Decimal("1200.00"))


def test_a_failed_payment_leaves_the_order_failed_and_a_new_one_can_start(world):
    set_webhook_secret(world)
    manager = world.actor("manager")
    order = _order(manager, Decimal("300.00"))
    body = event_body(gateway_id(order.token), 30000, "pay_Failed0001", event="payment.failed")
    assert receive_webhook("test", body, hmac_hex(SECRET, body), IP).status == 200
    assert _orders()[0].status == "failed"
    assert _order(manager, Decimal("300.00")).token != order.token


# ---------------------------------------------------------------------------- a scheme instalment paid online


@pytest.fixture
def asha(world):
    set_webhook_secret(world)
    return shoppers(world)[0]


def _instalment_order(world, asha, gateway=None):
    manager = world.actor("manager")
    quote = run_as(manager, instalment_quote, (asha.customer_id,), asha.enrolment_id)
    extra = {"gateway": gateway} if gateway else {}
    return quote, _order(
        manager, quote.total, quote.reference, INSTALMENT_PURPOSE, customer_id=quote.customer_id, **extra
    )


def _instalments(enrolment_id: int) -> list[SchemeInstalment]:
    with read_session() as session:
        stmt = select(SchemeInstalment).where(SchemeInstalment.enrolment_id == enrolment_id)
        return list(session.exec(stmt.order_by(SchemeInstalment.seq)))


def test_a_paid_instalment_gets_one_receipt(world, asha):
    quote, order = _instalment_order(world, asha)
    assert (quote.seq, quote.total, quote.late_fee) == (1, Decimal("5000.00"), Decimal("0.00"))
    assert order.reference.endswith("#1") and order.amount == Decimal("5000.00")
    assert pay(order.token, 500000).message == "paid"
    assert pay(order.token, 500000).message == "already paid"  # the gateway retries its webhook
    first, second, *_ = _instalments(asha.enrolment_id)
    assert (first.status, first.amount, first.method, first.reference) == (
        "paid",
        Decimal("5000.00"),
        "online",
        "pay_Q1w2e3r4t5",
    )
    assert first.receipt_number.startswith("MUM/P") and first.receipt_number.endswith("/00001")
    assert second.status == "due" and second.receipt_number is None
    with read_session() as session:
        assert session.get(Enrolment, asha.enrolment_id).paid == Decimal("5000.00")


def test_two_orders_for_one_instalment_make_one_receipt_and_the_second_is_logged_for_refund(world, asha):
    seen: list[dict] = []
    _quote, first = _instalment_order(world, asha)
    _quote, other = _instalment_order(world, asha, gateway=_mock_razorpay(seen))  # another tab, another gateway
    assert first.token != other.token and other.reference == first.reference
    assert pay(first.token, 500000).message == "paid"
    body = event_body(gateway_id(other.token), 500000, "pay_SecondTab01")
    assert receive_webhook("razorpay", body, hmac_hex(SECRET, body), IP).message == "paid"
    rows = _instalments(asha.enrolment_id)
    assert [r.status for r in rows[:2]] == ["paid", "due"] and rows[0].reference == "pay_Q1w2e3r4t5"
    with read_session() as session:
        assert session.get(Enrolment, asha.enrolment_id).paid == Decimal("5000.00")
        logged = session.exec(select(AuditLog).where(AuditLog.action == "unapplied")).all()
        notices = session.exec(select(Notification).where(Notification.title.contains("pay_SecondTab01"))).all()
    assert len(logged) == 1 and "instalment 1 is already paid" in logged[0].changes
    assert notices and "₹5,000.00 paid online for" in notices[0].body


def test_a_paid_amount_that_differs_from_the_order_is_refused(world, asha):
    _quote, order = _instalment_order(world, asha)
    result = pay(order.token, 100)
    assert (result.status, result.message) == (400, "amount differs from the order")
    assert _instalments(asha.enrolment_id)[0].status == "due"


def test_the_quote_is_only_for_the_customers_own_scheme(world, asha):
    with pytest.raises(NotFound):
        run_as(world.actor("manager"), instalment_quote, (asha.customer_id + 1000,), asha.enrolment_id)


def test_a_razorpay_order_checks_out_on_the_gateways_hosted_page(world):
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        for key, value in (("gateway", "razorpay"), ("key_id", "rzp_test_key"), ("api_url", "https://gateway.test")):
            set_setting(session, admin, world.mum, f"payments.{key}", value)
    order = _order(world.actor("manager"), Decimal("5000.50"), gateway=_mock_razorpay([]))
    client = TestClient(Starlette(routes=routes()), base_url="http://shop.test")
    page = client.get(f"/api/payments/checkout/{order.token}")
    assert "action='https://gateway.test/v1/checkout/embedded'" in page.text
    for field, value in (("key_id", "rzp_test_key"), ("order_id", "order_R000000000001"), ("amount", "500050")):
        assert f"name='{field}' value='{value}'" in page.text
    assert f"/api/payments/return/{order.token}" in page.text
    assert "https://gateway.test" in page.headers["content-security-policy"].split("form-action")[1]
    back = client.post(f"/api/payments/return/{order.token}", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"].endswith(f"/portal/schemes?payment={order.token}")


def test_a_store_takes_no_online_payment_until_a_gateway_is_chosen(world):
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        set_setting(session, admin, world.mum, "payments.gateway", "")
    with pytest.raises(JewelError, match="takes no online payments yet"):
        _order(world.actor("manager"), Decimal("500.00"))
    assert _orders() == []
