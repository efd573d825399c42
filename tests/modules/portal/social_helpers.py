"""Helpers for the portal's provider sign-in tests: a browser starting at the portal's route, the Google preset on
the test provider, and what the answers and tables say."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.auth.oidc_routes import routes as platform_routes
from jewelerp.db import read_session
from modules.portal import identity
from modules.portal.models import PortalAccount, PortalIdentity
from modules.portal.routes import routes as portal_routes
from modules.portal.sessions import PORTAL_COOKIE, account_of, begin_session
from tests.modules.portal.helpers import IP, mailed_code
from tests.oidc_provider import FRONTEND, Browser, TestProvider


class PortalBrowser(Browser):
    """A browser on the portal: its provider buttons start at the portal's route, the answer comes back to the
    platform's one callback."""

    def __init__(self, provider: TestProvider, portal_token: str = ""):
        super().__init__(provider)
        self.client = TestClient(Starlette(routes=[*platform_routes(), *portal_routes()]), follow_redirects=False)
        if portal_token:
            self.client.cookies.set(PORTAL_COOKIE, portal_token)

    def start(self, name: str = "google", **params: str) -> httpx.Response:
        """The portal's start route: ``store=<id>`` to sign in, ``link=1`` to link."""
        return self.client.get(f"/api/portal/oauth/{name}/start", params=params)


def went_to(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The frontend path a 303 answer sends the browser to, and its query."""
    assert response.status_code == 303, response.text
    url = urlsplit(response.headers["location"])
    assert f"{url.scheme}://{url.netloc}" == FRONTEND
    return url.path, dict(parse_qsl(url.query))


def signed_in_account(response: httpx.Response) -> int | None:
    """The portal account whose session cookie the answer set."""
    token = response.cookies.get(PORTAL_COOKIE)
    return account_of(token) if token else None


def account(email: str) -> PortalAccount:
    with read_session() as session:
        return session.exec(select(PortalAccount).where(PortalAccount.email == email)).one()


def accounts() -> int:
    with read_session() as session:
        return len(session.exec(select(PortalAccount)).all())


def identities() -> list[tuple[int, str, str]]:
    with read_session() as session:
        rows = session.exec(select(PortalIdentity).order_by(PortalIdentity.id)).all()
        return [(row.account_id, row.provider, row.subject) for row in rows]


def portal_token(world, email: str) -> str:
    """Sign in to MUM's portal with a code mailed to ``email``; the session cookie's value."""
    identity.request_code(world.mum, "email", email, IP)
    return begin_session(identity.sign_in(world.mum, "email", email, mailed_code(email), IP))
