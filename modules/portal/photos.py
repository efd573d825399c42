"""The photos the store shared on the signed-in customer's jobs: ``GET /api/portal/photo/<id>``.

Like the staff's private files (:mod:`jewelerp.ui.private_files`), the route reads the portal session from its
HttpOnly cookie (an ``<img src>`` loads with it), so the address alone opens nothing: without a portal session, or
for a photo that is not shared on a job of a customer linked to the account, it answers "Not found." (404, not a
byte of the file); the latter is logged as every other portal record that is not theirs. Photos are sent
``private, no-cache``: the browser asks again each time, so a photo the store stops sharing is gone at once.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from jewelerp.auth.session_cookie import request_client_ip
from jewelerp.db import read_session
from jewelerp.files import StoredFile, file_response, find
from jewelerp.ui.private_files import CACHE
from modules.portal import records
from modules.portal.access import NOT_FOUND, Customer, NotYours, log_not_yours, signed_in_customer
from modules.portal.sessions import account_of, portal_token

PHOTO_PATH = "/api/portal/photo/{photo_id}"


def photo_src(backend: str, photo_id: str) -> str:
    """The browser's address of a shared photo, ``backend`` being the backend's origin as the browser reaches it."""
    return f"{backend}{PHOTO_PATH.format(photo_id=photo_id)}"


def _not_found() -> Response:
    return PlainTextResponse(NOT_FOUND, status_code=404, headers={"Cache-Control": "no-store"})


def _look_up(account_id: int, photo_id: str) -> tuple[Customer | None, StoredFile | NotYours | None]:
    """The account's customer (None when the session's account may no longer sign in) and the photo's file, or
    the refusal when the photo is not theirs."""
    with read_session() as session:
        customer = signed_in_customer(session, account_id)
        if customer is None:
            return None, None
        try:
            return customer, records.photo_file(session, customer, photo_id)
        except NotYours as refused:
            return customer, refused


def photo_route(upload_dir: Path | None = None) -> Route:
    """The route; ``upload_dir`` is where the photos are kept (by default the private files folder)."""

    def serve_photo(request: Request) -> Response:
        """A shared photo of one of the signed-in customer's jobs (runs in a worker thread)."""
        account_id = account_of(portal_token(request.headers.get("cookie", "")))
        customer, found = _look_up(account_id, request.path_params["photo_id"]) if account_id else (None, None)
        if isinstance(found, NotYours) and customer is not None:
            log_not_yours(customer, found, request_client_ip(request))  # after the read, with no transaction open
        if not isinstance(found, StoredFile) or (path := find(found.path, upload_dir)) is None:
            return _not_found()
        return file_response(request, path, found.name, CACHE)

    return Route(PHOTO_PATH, serve_photo, methods=["GET"])
