"""The checkout pages, served by the backend beside the app (public: the order's random token is the key).

- ``GET /api/payments/checkout/<token>``: what is paid and how much. For Razorpay, a button that posts the order
  to Razorpay's hosted checkout (which returns the customer to ``/api/payments/return/<token>``); for the test
  gateway, "Pay" and "Fail" buttons.
- ``POST /api/payments/test-checkout/<token>`` (test gateway only): "Pay" builds the ``payment.captured`` webhook a
  gateway would send, signs it with the store's webhook secret and hands it to the webhook's own code
  (:func:`~modules.payments.orders.receive_webhook`, which checks it like any other); "Fail" sends
  ``payment.failed``. Either way the customer goes back to the page the order came from.
- ``/api/payments/return/<token>``: back to that page (the webhook, not this visit, decides whether it was paid).

Going back, the page's address carries ``?payment=<token>``, so the page can show what became of the order.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from urllib.parse import quote

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jewelerp.auth.session_cookie import frontend_origin, request_client_ip
from jewelerp.core.models import Store
from jewelerp.core.settings import get_setting
from jewelerp.db import read_session
from jewelerp.errors import NotFound
from jewelerp.money import format_inr
from jewelerp.ui.public_page import SECURITY_HEADERS, document_head, escape, not_found_page
from jewelerp.ui.web_security import origin_of
from modules.payments.gateways import API_URL, KEY_ID, sign, webhook_secret
from modules.payments.models import PaymentOrder
from modules.payments.orders import order_by_token, paise, receive_webhook

GONE = "This payment link is not valid. Go back to the store's portal and start the payment again."
CHECKOUT_PATH = "/api/payments/checkout/{token}"
TEST_PATH = "/api/payments/test-checkout/{token}"
RETURN_PATH = "/api/payments/return/{token}"
STATUS_TEXT = {
    "paid": "This payment is complete.",
    "failed": "This payment did not go through.",
    "creating": "This payment is still being set up with the gateway; reload this page in a moment.",
    "to_refund": "This payment came in, but it was already paid: the store will refund it.",
    "refunded": "This payment was refunded by the store.",
}


def checkout_path(token: str) -> str:
    """Where the customer's browser goes to pay the order ``token``."""
    return CHECKOUT_PATH.format(token=quote(token, safe=""))


def _headers(form_targets: str) -> dict[str, str]:
    policy = SECURITY_HEADERS["Content-Security-Policy"].replace("form-action 'none'", f"form-action {form_targets}")
    return {**SECURITY_HEADERS, "Content-Security-Policy": policy, "Cache-Control": "no-store"}


def _page(request: Request, title: str, store: str, body: str, gateway_origin: str = "") -> HTMLResponse:
    """A checkout page. Its forms may post here (the test gateway, whose answer sends the browser on to the app's
    pages: the policy's ``form-action`` covers that redirect too) or to the gateway's checkout."""
    html = (
        f"{document_head(title, store)}<header><div class='store'>{escape(store)}</div>"
        f"<div class='sub'>Secure payment</div></header><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    targets = " ".join(filter(None, ("'self'", origin_of(frontend_origin(request)), gateway_origin)))
    return HTMLResponse(html, headers=_headers(targets))


def _order(token: str) -> tuple[PaymentOrder, str]:
    with read_session() as session:
        order = order_by_token(session, token)
        store = session.get(Store, order.store_id)
        return order, store.name if store else ""


def _summary(order: PaymentOrder) -> str:
    return (
        f"<section><dl><dt>For</dt><dd>{escape(order.description)}</dd>"
        f"<dt>Amount</dt><dd>{escape(format_inr(order.amount, paise=True))}</dd></dl></section>"
    )


def _back(request: Request, order: PaymentOrder) -> str:
    """The page the order came from, told which order it was (``?payment=<token>``)."""
    joiner = "&" if "?" in order.return_path else "?"
    return f"{frontend_origin(request)}{order.return_path}{joiner}payment={quote(order.token, safe='')}"


def _razorpay_form(session: Session, request: Request, order: PaymentOrder) -> tuple[str, str]:
    """The form that posts the order to Razorpay's hosted checkout, and that site's origin (for the policy)."""
    api = str(get_setting(session, order.store_id, API_URL)).rstrip("/")
    back = f"{request.base_url}".rstrip("/") + RETURN_PATH.format(token=quote(order.token, safe=""))
    fields = {
        "key_id": str(get_setting(session, order.store_id, KEY_ID)),
        "order_id": order.gateway_order_id,
        "amount": str(paise(order.amount)),
        "currency": "INR",
        "description": order.description,
        "callback_url": back,
        "cancel_url": back,
    }
    inputs = "".join(f"<input type='hidden' name='{k}' value='{escape(v)}'>" for k, v in fields.items())
    form = f"<form method='post' action='{escape(api)}/v1/checkout/embedded'>{inputs}"
    return form + "<button class='button' type='submit'>Continue to payment</button></form>", origin_of(api)


def checkout(request: Request) -> Response:
    """The checkout page of one order (see the module docstring)."""
    try:
        order, store = _order(request.path_params["token"])
    except NotFound:
        return not_found_page(GONE)
    back = f"<p><a href='{escape(_back(request, order))}'>Back to my account</a></p>"
    if order.status != "pending":
        return _page(request, "Payment", store, f"{_summary(order)}<p>{STATUS_TEXT[order.status]}</p>{back}")
    if order.gateway == "test":
        action = escape(TEST_PATH.format(token=quote(order.token, safe="")))
        buttons = (
            f"<p>Test gateway: no money moves.</p><form method='post' action='{action}'>"
            "<button class='button' type='submit' name='outcome' value='pay'>Pay</button> "
            "<button class='button' type='submit' name='outcome' value='fail'>Fail</button></form>"
        )
        return _page(request, "Payment", store, _summary(order) + buttons + back)
    with read_session() as session:
        form, origin = _razorpay_form(session, request, order)
    return _page(request, "Payment", store, _summary(order) + form + back, origin)


def gateway_event(order: PaymentOrder, outcome: str) -> bytes:
    """The webhook body a gateway sends when the order's payment is captured (``pay``) or fails."""
    captured = outcome == "pay"
    payment = {
        "id": f"pay_test_{secrets.token_hex(7)}",
        "entity": "payment",
        "amount": paise(order.amount),
        "currency": "INR",
        "status": "captured" if captured else "failed",
        "order_id": order.gateway_order_id,
        "method": "upi",
    }
    event = {
        "entity": "event",
        "event": "payment.captured" if captured else "payment.failed",
        "contains": ["payment"],
        "payload": {"payment": {"entity": payment}},
        "created_at": int(time.time()),
    }
    return json.dumps(event, separators=(",", ":")).encode("utf-8")


def _deliver(token: str, outcome: str, client_ip: str) -> PaymentOrder:
    """Sign and hand over the test gateway's webhook for the order (in a worker thread)."""
    with read_session() as session:
        order = order_by_token(session, token)
        if order.gateway != "test":
            raise NotFound("Not found.")
        secret = webhook_secret(session, order.store_id, "test")
    if order.status == "pending":
        body = gateway_event(order, outcome)
        receive_webhook("test", body, sign(secret, body), client_ip)
    return order


async def test_checkout(request: Request) -> Response:
    """The test gateway's "Pay" or "Fail", then back to the customer's page."""
    form = await request.form()
    outcome = "pay" if form.get("outcome") == "pay" else "fail"
    try:
        order = await asyncio.to_thread(_deliver, request.path_params["token"], outcome, request_client_ip(request))
    except NotFound:
        return not_found_page(GONE)
    return RedirectResponse(_back(request, order), status_code=303, headers={"Cache-Control": "no-store"})


def back_to_app(request: Request) -> Response:
    """Razorpay's return: the customer goes back to the page the order came from."""
    try:
        order, _store = _order(request.path_params["token"])
    except NotFound:
        return not_found_page(GONE)
    return RedirectResponse(_back(request, order), status_code=303, headers={"Cache-Control": "no-store"})
