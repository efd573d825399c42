"""The webhook signature and the Razorpay adapter's order call (against httpx's mock transport: no network)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from jewelerp.errors import JewelError
from modules.payments.gateways import GatewayOrder, RazorpayGateway, sign, signature_ok
from tests.modules.payments.webhooks import hmac_hex

BODY = b'{"event":"payment.captured","payload":{}}'


def test_signature_is_the_hex_hmac_sha256_of_the_raw_body():
    assert sign("s3cret", BODY) == hmac_hex("s3cret", BODY)
    assert signature_ok("s3cret", BODY, hmac_hex("s3cret", BODY))
    assert signature_ok("s3cret", BODY, hmac_hex("s3cret", BODY).upper())  # hex case does not matter


@pytest.mark.parametrize(
    ("secret", "body", "signature"),
    [
        ("s3cret", BODY, hmac_hex("other", BODY)),  # signed with another secret
        ("s3cret", BODY + b" ", hmac_hex("s3cret", BODY)),  # body changed after signing
        ("s3cret", BODY, ""),  # no signature header
        ("", BODY, hmac_hex("", BODY)),  # no secret set: nothing is ever accepted
        ("s3cret", BODY, "not-hex"),
    ],
)
def test_a_wrong_or_missing_signature_is_not_ok(secret, body, signature):
    assert not signature_ok(secret, body, signature)


def test_razorpay_order_posts_paise_with_basic_auth_and_returns_the_order_id():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "order_EKwxwAgItmmXdp", "amount": 500050, "status": "created"})

    gateway = RazorpayGateway("https://gateway.test/", "rzp_test_key", "key_secret_1", httpx.MockTransport(answer))
    order_id = gateway.create_order(GatewayOrder("tok" * 10, 500050, "Gold scheme MUM/S2627/00001, instalment 1"))
    assert order_id == "order_EKwxwAgItmmXdp"
    (request,) = seen
    assert request.method == "POST" and str(request.url) == "https://gateway.test/v1/orders"
    expected = base64.b64encode(b"rzp_test_key:key_secret_1").decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    body = json.loads(request.content)
    assert body["amount"] == 500050 and body["currency"] == "INR" and body["receipt"] == ("tok" * 10)[:40]


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(401, json={"error": {"code": "BAD_REQUEST_ERROR"}}), r"refused the order \(HTTP 401\)"),
        (httpx.Response(200, json={"status": "created"}), "without an order id"),
    ],
)
def test_razorpay_refusals_are_clear_errors(response, message):
    gateway = RazorpayGateway("https://gateway.test", "k", "s", httpx.MockTransport(lambda request: response))
    with pytest.raises(JewelError, match=message):
        gateway.create_order(GatewayOrder("t" * 30, 100, "x"))


def test_razorpay_unreachable_and_unconfigured_are_clear_errors():
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(JewelError, match="could not be reached"):
        RazorpayGateway("https://gateway.test", "k", "s", httpx.MockTransport(down)).create_order(
            GatewayOrder("t" * 30, 100, "x")
        )
    with pytest.raises(JewelError, match="key is missing"):
        RazorpayGateway("https://gateway.test", "", "").create_order(GatewayOrder("t" * 30, 100, "x"))
