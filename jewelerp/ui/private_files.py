"""Serving private files to signed-in staff: ``GET /api/file/<module>/<kind>/<record id>``.

The route reads the session from its HttpOnly cookie (images load with the cookie, so a page's
``<img src>`` just works), then asks the module's file checker (named in the module's
``contributions['core.files']``, see :class:`jewelerp.files.FileChecker`) whether this person may see that
record, with the same permission checks as the page that shows it. No session: 401; a module that is
unknown or off in the store, a record that does not exist or is out of reach: 404; no permission: 403
(logged with the client's IP). None of them sends a byte of the file. Files are sent with
``Cache-Control: private, no-cache``: the browser asks again each time, so a revoked right stops at once.
"""

from __future__ import annotations

import reflex as rx
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from jewelerp.auth.service import build_actor, resolve
from jewelerp.auth.session_cookie import token_from_cookie_header
from jewelerp.core.audit import record_refusal
from jewelerp.db import read_session
from jewelerp.errors import NotFound, PermissionDenied
from jewelerp.files import FileChecker, StoredFile, file_response, find
from jewelerp.registry import get_registry

PATH = "/api/file/{module}/{kind}/{record_id:int}"
FILES = "core.files"
CACHE = "private, no-cache"
_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_BACKEND = rx.Var(
    _js_expr="getBackendURL(env.PING).origin",
    _var_data=rx.vars.VarData(
        imports={
            "$/utils/state": [rx.ImportVar(tag="getBackendURL")],
            "$/env.json": [rx.ImportVar(tag="env", is_default=True)],
        }
    ),
).to(str)


def file_src(address: str | rx.Var[str]) -> rx.Var[str]:
    """The browser's URL of a private file, ``address`` being ``"<module>/<kind>/<record id>"``.

    Built in the browser like Reflex's own upload URLs, so it follows the backend wherever the page
    is opened from.
    """
    return _BACKEND + "/api/file/" + address


def _checker(module: str) -> FileChecker | None:
    """The file checker a module names in ``contributions['core.files']``, if it has one."""
    checkers = get_registry().contributions_by_module(FILES, {module})
    return checkers[0][1] if checkers else None


def _answer(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status, headers=_NO_STORE)


def _allowed(request: Request) -> StoredFile | Response:
    """The file the request asks for when its session may see it, else the refusal to send."""
    module, kind, record_id = (request.path_params[k] for k in ("module", "kind", "record_id"))
    with read_session() as session:
        info = resolve(session, token_from_cookie_header(request.headers.get("cookie", "")))
        if info is None:
            return _answer(401, "Sign in to see this file.")
        checker = _checker(module)
        actor = build_actor(session, info.user_id, info.store_id)
        if checker is None or module not in actor.enabled_modules:
            return _answer(404, "Not found.")
        try:
            return checker(session, actor, kind, record_id)
        except NotFound:
            return _answer(404, "Not found.")
        except PermissionDenied as exc:
            reason = exc.message
    detail = {"file": f"{module}/{kind}/{record_id}", "reason": reason}
    client_ip = request.client.host if request.client else ""
    record_refusal("file", client_ip, detail, user_id=actor.user_id, user_name=actor.user_name, store_id=actor.store_id)
    return _answer(403, "You may not see this file.")


def serve_file(request: Request) -> Response:
    """The private file of one record, for a signed-in person allowed to see it (runs in a worker thread)."""
    allowed = _allowed(request)
    if isinstance(allowed, Response):
        return allowed
    path = find(allowed.path)
    if path is None:
        return _answer(404, "Not found.")
    return file_response(request, path, allowed.name, CACHE)


def file_route() -> Route:
    """The route, mounted with the platform's API routes."""
    return Route(PATH, serve_file, methods=["GET"])
