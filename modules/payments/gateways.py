"""The payment-gateway interface and its two adapters.

A gateway takes an order for an amount in paise and later calls our webhook with a JSON body signed with
HMAC-SHA256 of the raw body under the store's webhook secret (hex, in the ``X-Razorpay-Signature`` header).

- :class:`RazorpayGateway`: creates the order with ``POST {api_url}/v1/orders`` (HTTP basic auth with the key id
  and key secret, through httpx; the API address is a store setting, so tests point it at a mock transport) and
  sends the customer to Razorpay's hosted checkout (``POST {api_url}/v1/checkout/embedded``).
- :class:`TestGateway`: makes order ids itself and sends the customer to this app's own checkout page
  (:mod:`modules.payments.test_checkout`), whose "Pay" signs and delivers the same webhook a real gateway would.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Protocol

import httpx
from sqlmodel import Session

from jewelerp.core.settings import get_setting
from jewelerp.errors import JewelError
from jewelerp.keys import SECRET, raw_key

KIND = "payments.gateway"
KEY_ID = "payments.key_id"
KEY_SECRET = "payments.key_secret"
WEBHOOK_SECRET = "payments.webhook_secret"
API_URL = "payments.api_url"
KINDS = ("test", "razorpay")
SIGNATURE_HEADER = "X-Razorpay-Signature"
TIMEOUT = httpx.Timeout(10.0)


def sign(secret: str, body: bytes) -> str:
    """The webhook signature of ``body``: hex HMAC-SHA256 under ``secret``."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is ``body``'s signature under ``secret`` (constant-time; never with an empty secret)."""
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(secret, body), signature.strip().lower())


@dataclass(frozen=True)
class GatewayOrder:
    """What a gateway needs to open an order: our order's token (its receipt), paise, and notes."""

    token: str
    amount_paise: int
    description: str


class Gateway(Protocol):
    """A payment gateway: ``kind`` names it in the webhook's address."""

    kind: str

    def create_order(self, order: GatewayOrder) -> str:
        """Open the order on the gateway; returns the gateway's order id (JewelError when it refuses)."""
        ...


@dataclass(frozen=True)
class TestGateway:
    """The local gateway the demo and the tests use: no network, order ids made here."""

    kind: str = "test"

    def create_order(self, order: GatewayOrder) -> str:
        """A fresh ``order_test_…`` id."""
        return f"order_test_{secrets.token_hex(10)}"


@dataclass(frozen=True)
class RazorpayGateway:
    """Razorpay's Orders API (``api_url`` is the setting, ``https://api.razorpay.com`` in production)."""

    api_url: str
    key_id: str
    key_secret: str
    transport: httpx.BaseTransport | None = None
    kind: str = "razorpay"

    def create_order(self, order: GatewayOrder) -> str:
        """``POST /v1/orders`` with the amount in paise; returns Razorpay's ``order_…`` id."""
        if not (self.key_id and self.key_secret):
            raise JewelError("Online payments are not set up for this store: the gateway's key is missing.")
        body = {"amount": order.amount_paise, "currency": "INR", "receipt": order.token[:40]}
        body["notes"] = {"description": order.description}
        try:
            with httpx.Client(transport=self.transport, timeout=TIMEOUT) as client:
                response = client.post(
                    f"{self.api_url.rstrip('/')}/v1/orders", json=body, auth=(self.key_id, self.key_secret)
                )
        except httpx.HTTPError as exc:
            raise JewelError("The payment gateway could not be reached; please try again in a minute.") from exc
        if response.status_code != 200:
            raise JewelError(f"The payment gateway refused the order (HTTP {response.status_code}).")
        try:
            order_id = str(response.json().get("id", ""))
        except (ValueError, AttributeError):  # not JSON, or not an object
            order_id = ""
        if not order_id.startswith("order_") or len(order_id) > 60:
            raise JewelError("The payment gateway answered without an order id.")
        return order_id


def store_gateway(session: Session, store_id: int, transport: httpx.BaseTransport | None = None) -> Gateway:
    """The gateway the store's settings choose."""
    kind = str(get_setting(session, store_id, KIND)).strip().lower()
    if kind == "razorpay":
        return RazorpayGateway(
            str(get_setting(session, store_id, API_URL)),
            str(get_setting(session, store_id, KEY_ID)),
            str(get_setting(session, store_id, KEY_SECRET)),
            transport,
        )
    if kind == "test":
        return TestGateway()
    if not kind:
        raise JewelError("This store takes no online payments yet: an admin chooses the gateway in the settings.")
    raise JewelError(f"Unknown payment gateway {kind!r} in this store's settings: choose test or razorpay.")


def webhook_secret(session: Session, store_id: int, gateway: str) -> str:
    """The secret the store's webhooks are signed with: the setting; for the test gateway without one, a secret
    derived from the server's secret key (so the demo works with nothing set, and nobody outside can sign)."""
    configured = str(get_setting(session, store_id, WEBHOOK_SECRET))
    if configured or gateway != "test":
        return configured
    return hmac.new(raw_key(SECRET), f"payments.test-webhook:{store_id}".encode(), hashlib.sha256).hexdigest()
