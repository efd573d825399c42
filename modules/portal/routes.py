"""The portal's cookie routes, mounted beside the app through the core manifest's ``core.api_routes``."""

from __future__ import annotations

from starlette.routing import Route

from modules.portal.sessions import BEGIN_PATH, END_PATH, begin, end


def routes() -> list[Route]:
    """``/api/portal/session/begin`` (a ticket for the cookie) and ``/api/portal/session/end`` (clear it)."""
    return [Route(BEGIN_PATH, begin), Route(END_PATH, end)]
