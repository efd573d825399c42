"""The portal's cookie and provider routes, mounted beside the app through the core manifest's ``core.api_routes``."""

from __future__ import annotations

from starlette.routing import Route

from modules.portal import social
from modules.portal.sessions import BEGIN_PATH, END_PATH, begin, end


def routes() -> list[Route]:
    """``/api/portal/session/begin`` (a ticket for the cookie), ``/api/portal/session/end`` (clear it) and
    ``/api/portal/oauth/<provider>/start`` (sign in or link with Google, Facebook or LinkedIn)."""
    return [Route(BEGIN_PATH, begin), Route(END_PATH, end), Route(social.START_PATH, social.start)]
