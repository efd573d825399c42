"""The module's routes, mounted beside the app through ``core.api_routes``: the gateways' webhook and the checkout
pages (:mod:`modules.payments.checkout`)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from jewelerp.auth.session_cookie import request_client_ip
from modules.payments.checkout import CHECKOUT_PATH, RETURN_PATH, TEST_PATH, back_to_app, checkout, test_checkout
from modules.payments.gateways import SIGNATURE_HEADER
from modules.payments.orders import MAX_BODY, receive_webhook

WEBHOOK_PATH = "/api/payments/webhook/{gateway}"


async def webhook(request: Request) -> Response:
    """``POST /api/payments/webhook/<gateway>``: the raw body and its signature go to
    :func:`~modules.payments.orders.receive_webhook` (in a worker thread); 200 when handled or repeated, 400 and
    logged when refused."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            break
    result = await asyncio.to_thread(
        receive_webhook,
        request.path_params["gateway"],
        body,
        request.headers.get(SIGNATURE_HEADER, ""),
        request_client_ip(request),
    )
    return PlainTextResponse(result.message, status_code=result.status, headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    """The webhook, the checkout page, the test gateway's buttons and the return from a gateway."""
    return [
        Route(WEBHOOK_PATH, webhook, methods=["POST"]),
        Route(CHECKOUT_PATH, checkout, methods=["GET"]),
        Route(TEST_PATH, test_checkout, methods=["POST"]),
        Route(RETURN_PATH, back_to_app, methods=["GET", "POST"]),
    ]
