"""The portal's cookie, provider and photo routes, mounted beside the app through the core manifest's
``core.api_routes``."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Route

from modules.portal import social
from modules.portal.photos import photo_route
from modules.portal.sessions import BEGIN_PATH, END_PATH, begin, end


def routes(upload_dir: Path | None = None) -> list[Route]:
    """``/api/portal/session/begin`` (a ticket for the cookie), ``/api/portal/session/end`` (clear it),
    ``/api/portal/oauth/<provider>/start`` (sign in or link with Google, Facebook or LinkedIn) and
    ``/api/portal/photo/<id>`` (a photo shared on one of the customer's jobs; ``upload_dir`` is where the photos
    are kept, by default the private files folder)."""
    return [
        Route(BEGIN_PATH, begin),
        Route(END_PATH, end),
        Route(social.START_PATH, social.start),
        photo_route(upload_dir),
    ]
