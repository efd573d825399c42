"""Online payments attacked: a forged or unsigned webhook is refused and logged, a customer cannot pay another
customer's scheme, portal handlers without a portal session do nothing, and the browser never sets an amount."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest
from reflex.config import get_config
from reflex.istate.data import ReflexURL
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.auth.session_cookie import browser_origin
from jewelerp.core.models import AuditLog
from jewelerp.db import read_session
from jewelerp.ui.web_security import origin_of
from modules.loyalty.models import SchemeInstalment
from modules.payments.gateways import RazorpayGateway
from modules.payments.models import PaymentOrder
from modules.payments.opening import create_order
from modules.payments.routes import routes
from modules.portal import records_pages as pages
from modules.portal.sessions import PORTAL_COOKIE
from tests.modules.payments.webhooks import (
    SECRET,
    event_body,
    gateway_id,
    hmac_hex,
    set_webhook_secret,
    use_test_gateway,
)
from tests.modules.portal.helpers import portal_refusals
from tests.modules.portal.shoppers import shoppers
from tests.security.test_account_handlers import _call, _page, _signed_in
from tests.security.test_portal import _cookie_of


@pytest.fixture
def pair(world):
    use_test_gateway(world)
    set_webhook_secret(world)
    return shoppers(world)


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=routes()), base_url="http://shop.test")


def _orders() -> list[PaymentOrder]:
    with read_session() as session:
        return list(session.exec(select(PaymentOrder).order_by(PaymentOrder.id)))


def _webhook_refusals() -> list[str]:
    with read_session() as session:
        rows = session.exec(
            select(AuditLog).where(AuditLog.record_type == "security", AuditLog.record_id == "payments.webhook")
        ).all()
    return [json.loads(r.changes)["reason"][1] for r in rows if r.action == "refused"]


def _instalments(enrolment_id: int) -> list[SchemeInstalment]:
    with read_session() as session:
        stmt = select(SchemeInstalment).where(SchemeInstalment.enrolment_id == enrolment_id)
        return list(session.exec(stmt.order_by(SchemeInstalment.seq)))


def _pay_button(world, email: str, enrolment_id: object) -> tuple[object, object]:
    """Asha's schemes page (signed in) and what its "Pay instalment" button did for ``enrolment_id``."""
    state = _page(pages.PortalSchemesState, cookie=_cookie_of(world, email))
    return state, _call(state, "pay", str(enrolment_id))


def test_a_forged_unsigned_or_unknown_webhook_is_refused_and_logged(world, pair, client):
    asha, _ravi = pair
    _state, _go = _pay_button(world, "asha@example.com", asha.enrolment_id)
    (order,) = _orders()
    body = event_body(gateway_id(order.token), 500000, "pay_Forged0001")
    tries = [
        ("test", body, {"X-Razorpay-Signature": hmac_hex("guessed-secret", body)}),
        ("test", body, {}),
        ("test", body.replace(b"500000", b"500001"), {"X-Razorpay-Signature": hmac_hex(SECRET, body)}),
        ("test", event_body("order_Unknown001", 500000, "pay_X"), {"X-Razorpay-Signature": "00"}),
        ("paypal", body, {"X-Razorpay-Signature": hmac_hex(SECRET, body)}),
        ("test", b"{not json", {"X-Razorpay-Signature": hmac_hex(SECRET, b"{not json")}),
    ]
    for gateway, content, headers in tries:
        response = client.post(f"/api/payments/webhook/{gateway}", content=content, headers=headers)
        assert response.status_code == 400
    assert _webhook_refusals() == [
        "bad signature",
        "bad signature",
        "bad signature",
        "unknown order",
        "unknown gateway",
        "not a payment event",
    ]
    assert _orders()[0].status == "pending" and _instalments(asha.enrolment_id)[0].status == "due"
    signed = client.post(
        "/api/payments/webhook/test", content=body, headers={"X-Razorpay-Signature": hmac_hex(SECRET, body)}
    )
    assert (signed.status_code, signed.text) == (200, "paid")
    again = client.post(
        "/api/payments/webhook/test", content=body, headers={"X-Razorpay-Signature": hmac_hex(SECRET, body)}
    )
    assert (again.status_code, again.text) == (200, "already paid")
    assert [i.status for i in _instalments(asha.enrolment_id)[:2]] == ["paid", "due"]


PAY_BUTTONS = [(pages.PortalSchemesState, "enrolment_id"), (pages.PortalRepairsState, "job_id")]


@pytest.mark.parametrize(("state_class", "field"), PAY_BUTTONS)
def test_a_customer_cannot_pay_another_customers_scheme_or_job(world, pair, state_class, field):
    asha, ravi = pair
    state = _page(state_class, cookie=_cookie_of(world, "asha@example.com"))
    theirs, mine = getattr(ravi, field), getattr(asha, field)
    for forged in (str(theirs), "0", "-1", f"{mine} ", "99999999999"):
        assert _call(state, "pay", forged) is None and state.message == "Not found."
    assert _orders() == []
    assert any(f'"{theirs}"' in refusal for refusal in portal_refusals())
    assert "/api/payments/checkout/" in str(_call(state, "pay", str(mine)))  # their own: to the checkout
    assert len(_orders()) == 1


@pytest.mark.parametrize(("state_class", "field"), PAY_BUTTONS)
@pytest.mark.parametrize("cookie", ["", f"{PORTAL_COOKIE}=forged", "staff"])
def test_the_pay_handlers_without_a_portal_session_only_go_to_sign_in(world, pair, cookie, state_class, field):
    asha, _ravi = pair
    cookie = _signed_in("manager@test.in") if cookie == "staff" else cookie
    state = _page(state_class, cookie=cookie)
    assert "/portal/sign-in" in str(_call(state, "pay", str(getattr(asha, field))))
    assert _orders() == [] and state.receipt == {}


def test_another_customers_payment_receipt_is_not_shown(world, pair):
    asha, _ravi = pair
    _state, _go = _pay_button(world, "asha@example.com", asha.enrolment_id)
    (order,) = _orders()
    ravi = _page(pages.PortalSchemesState, cookie=_cookie_of(world, "ravi@example.com"))
    ravi.router = replace(ravi.router, url=ReflexURL(f"http://shop.test/portal/schemes?payment={order.token}"))
    _call(ravi, "load")
    assert ravi.receipt == {} and ravi.message == "Not found."


def test_the_amount_is_the_stores_quote_whatever_the_browser_sends(world, pair, client):
    asha, _ravi = pair
    _state, go = _pay_button(world, "asha@example.com", asha.enrolment_id)
    (order,) = _orders()
    assert order.amount == Decimal("5000.00") and order.token in str(go)
    page = client.get(f"/api/payments/checkout/{order.token}")
    assert page.status_code == 200 and "₹5,000.00" in page.text and 'name="amount"' not in page.text
    form_action = re.search(r"form-action ([^;]+);", page.headers["content-security-policy"]).group(1).split()
    app_pages = origin_of(browser_origin(get_config().deploy_url or "", "http://shop.test"))
    assert form_action == ["'self'", app_pages]  # here, then the app's pages: no other site
    paid = client.post(
        f"/api/payments/test-checkout/{order.token}",
        data={"outcome": "pay", "amount": "1.00"},
        follow_redirects=False,
    )
    assert paid.status_code == 303 and paid.headers["location"].endswith(f"/portal/schemes?payment={order.token}")
    first = _instalments(asha.enrolment_id)[0]
    assert (first.status, first.amount, first.method) == ("paid", Decimal("5000.00"), "online")


def test_the_test_gateways_pay_button_cannot_pay_a_real_gateways_order(world, pair, client):
    asha, _ravi = pair
    gateway = RazorpayGateway(
        "https://gateway.test", "k", "s", httpx.MockTransport(lambda r: httpx.Response(200, json={"id": "order_R1"}))
    )
    order = create_order(
        world.actor("manager"),
        purpose="loyalty.instalment",
        reference="X#1",
        amount=Decimal("10.00"),
        customer_id=asha.customer_id,
        description="x",
        return_path="/portal/schemes",
        gateway=gateway,
    )
    assert client.post(f"/api/payments/test-checkout/{order.token}", data={"outcome": "pay"}).status_code == 404
    assert client.get("/api/payments/checkout/not-a-real-token-at-all-000").status_code == 404
    assert _orders()[0].status == "pending"
