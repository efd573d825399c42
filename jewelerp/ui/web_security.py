"""Which origins may talk to the backend, and the security headers of every HTTP response.

Origins: Reflex answers CORS (Starlette's CORSMiddleware, with credentials) and checks the
websocket's Origin (engineio) against ``rx.Config.cors_allowed_origins``, whose default ``*`` made
the backend reflect any Origin with credentials. ``rxconfig.py`` sets it to :class:`AppOrigins`:
the origins in ``JEWELERP_ALLOWED_ORIGINS`` (comma-separated), or else the app's own, those of
``deploy_url`` (the frontend) and ``api_url`` (the backend), read on each request so an address
set after start-up (``AppHarnessProd``) counts. For a configured loopback host (``localhost``) any
loopback host with the same scheme and port is the same app.

Headers: :class:`SecurityHeaders` adds ``Content-Security-Policy``, ``X-Frame-Options: DENY``,
``Referrer-Policy`` and ``X-Content-Type-Options`` to every response that has not set its own.
The platform's and modules' own routes (API, downloads, the public ``/c/`` and ``/r/`` pages) get a
strict policy; everything else the backend serves is the compiled Reflex frontend (``reflex run
--env prod`` serves it from the backend), whose policy allows what Reflex needs: inline scripts and
``eval`` (``rx.call_script``), inline styles, and the backend's http(s) and ws(s) origin.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import reflex as rx
from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENV_JSON = "env.json"  # where a Reflex build records the backend endpoints it uses
ALLOWED_ORIGINS_ENV = "JEWELERP_ALLOWED_ORIGINS"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "[::1]"})
DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
STRICT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
COMMON_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-case, without a default port; "" when it has none."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.hostname:
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = str(parts.port) if parts.port and str(parts.port) != DEFAULT_PORTS.get(parts.scheme) else ""
    return f"{parts.scheme.lower()}://{host.lower()}{':' + port if port else ''}"


def allowed_origins() -> list[str]:
    """The origins whose pages may call the backend with the user's credentials."""
    configured = os.environ.get(ALLOWED_ORIGINS_ENV, "")
    if configured.strip():
        urls = configured.split(",")
    else:
        config = rx.config.get_config()
        urls = [config.deploy_url or "", config.api_url or ""]
    return [origin for origin in map(origin_of, urls) if origin]


def _loopback_key(origin: str) -> tuple[str, str | None] | None:
    """(scheme, port) of a loopback origin, for comparing localhost with 127.0.0.1 and [::1]."""
    parts = urlsplit(origin)
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname
    return (parts.scheme, str(parts.port)) if host in LOOPBACK_HOSTS else None


def is_allowed_origin(origin: str | None) -> bool:
    """Whether a request's ``Origin`` header names the app itself."""
    if not origin:
        return False
    wanted = origin_of(origin)
    allowed = allowed_origins()
    if wanted in allowed:
        return True
    key = _loopback_key(wanted)
    return key is not None and any(_loopback_key(o) == key for o in allowed)


class AppOrigins(Sequence[str]):
    """``cors_allowed_origins`` for rxconfig: the app's own origins, evaluated on every check."""

    def __contains__(self, origin: object) -> bool:
        return isinstance(origin, str) and origin != "*" and is_allowed_origin(origin)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return allowed_origins()[index]

    def __len__(self) -> int:
        return len(allowed_origins())

    def __iter__(self) -> Iterator[str]:
        return iter(allowed_origins())

    def __repr__(self) -> str:
        return f"AppOrigins({ALLOWED_ORIGINS_ENV} or deploy_url and api_url)"


def _ws_origin(origin: str) -> str:
    scheme, sep, rest = origin.partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}{sep}{rest}" if sep else ""


def frontend_csp(backend_url: str | None = None) -> str:
    """The policy of the compiled Reflex pages, which talk to the backend at ``backend_url``
    (by default the configured ``api_url``, read per request: the backend address may change)."""
    backend = origin_of(rx.config.get_config().api_url or "" if backend_url is None else backend_url)
    others = f" {backend} {_ws_origin(backend)}" if backend else ""
    return (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        f"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:{' ' + backend if backend else ''}; "
        f"font-src 'self' data:; connect-src 'self'{others}; frame-src 'self'{' ' + backend if backend else ''}; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response that lacks them.

    Responses of ``strict_routes`` get :data:`STRICT_CSP`; every other one the frontend's policy,
    naming ``backend_url`` (by default the configured ``api_url``) as the backend the pages talk to.
    """

    def __init__(self, app: ASGIApp, strict_routes: Sequence[BaseRoute] = (), backend_url: str | None = None) -> None:
        self.app = app
        self.strict_routes = tuple(strict_routes)
        self.backend_url = backend_url

    def _policy(self, scope: Scope) -> str:
        if any(route.matches(scope)[0] is Match.FULL for route in self.strict_routes):
            return STRICT_CSP
        return frontend_csp(self.backend_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self._policy(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                for name, value in COMMON_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def frontend_prod_app() -> ASGIApp:
    """Reflex's static frontend server (``AppHarnessProd``, ``reflex run --env prod --frontend-only``), with headers.

    Serve it with ``uvicorn --factory jewelerp.ui.web_security:frontend_prod_app`` from the project folder.
    The policy names the backend the build was made for (its ``env.json``), not this process's config:
    a frontend server may run in a thread or process whose config never learnt the backend's address.
    """
    from reflex.utils.exec import get_frontend_mount
    from reflex.utils.prerequisites import get_web_dir
    from starlette.applications import Starlette

    return SecurityHeaders(Starlette(routes=[get_frontend_mount()]), backend_url=built_backend_url(get_web_dir()))


def built_backend_url(web_dir: Path) -> str | None:
    """The backend address a compiled frontend in ``web_dir`` connects to (from its ``env.json``), if known."""
    try:
        endpoints = json.loads((web_dir / ENV_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(endpoints.get("UPLOAD") or "") or None
