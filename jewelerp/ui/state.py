"""The base state every page state derives from: session, actor, messages.

Pages never trust what the browser shows: every handler resolves the session
token to an actor on the server and services check that actor's permissions.
The token is an HttpOnly cookie set by the backend (see ``jewelerp.auth.session_cookie``):
it is read from the websocket's handshake headers and never kept in state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import reflex as rx
from reflex.config import get_config
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import SessionInfo, authenticate, build_actor
from jewelerp.auth.session_cookie import browser_origin, token_from_cookie_header
from jewelerp.core.audit import client_ip_scope
from jewelerp.db import DATABASE_UNAVAILABLE, is_unavailable, log_unavailable, read_session, unit_of_work
from jewelerp.errors import AuthError, JewelError, SessionEnded, ValidationError

T = TypeVar("T")


class AppState(rx.State):
    """The messages of the current page, and the session behind every handler."""

    errors: dict[str, str] = {}
    message: str = ""
    message_ok: bool = True

    def _token(self) -> str:
        """The session token from the cookie the browser sent when this page's websocket connected."""
        return token_from_cookie_header(self.router.headers.cookie)

    def _session(self) -> SessionInfo:
        info = authenticate(self._token())
        if info is None:
            raise SessionEnded()
        return info

    def _actor(self) -> Actor:
        info = self._session()
        if info.must_enrol:
            raise AuthError("Your store requires two-factor sign-in: set it up on your account page first.")
        with read_session() as session:
            return build_actor(session, info.user_id, info.store_id)

    def _client_ip(self) -> str:
        """The address the browser's websocket came from (for rate limits and the security log)."""
        return str(self.router.session.client_ip or "")

    def _app_origin(self) -> str:
        """The app's address as this browser reaches it (where links sent by mail start): the configured
        ``deploy_url``, or the page's own origin (the websocket accepts only the app's origins)."""
        page = str(self.router.headers.origin or "")
        return browser_origin(get_config().deploy_url or page, page)

    def _user_agent(self) -> str:
        """The browser's own description (``User-Agent``), for the sessions page."""
        return str(self.router.headers.user_agent or "")

    def _clear_messages(self) -> None:
        self.errors = {}
        self.message = ""

    def _say(self, message: str, ok: bool = True) -> None:
        self.message, self.message_ok = message, ok

    def _run(
        self,
        work: Callable[[Session, Actor], T],
        *,
        write: bool = True,
        done: str = "",
        reraise: type[JewelError] | tuple[type[JewelError], ...] = (),
    ) -> T | None:
        """Run a service call as the signed-in actor; show field errors or the message on failure.

        Returns the result, or None when it failed (nothing was written then).
        A write clears the previous messages first; a read keeps them. Errors of the
        ``reraise`` types propagate so the page can handle them itself, and so does an ended session. When the database
        cannot be used (restarted, unreachable: :func:`jewelerp.db.is_unavailable`) the page says
        so (:data:`jewelerp.db.DATABASE_UNAVAILABLE`); the next call connects afresh. Services see the browser's
        address as :func:`jewelerp.core.audit.current_client_ip` (for the audit log).
        """
        if write:
            self._clear_messages()
        try:
            actor = self._actor()
            with client_ip_scope(self._client_ip()), unit_of_work(actor) if write else read_session() as session:
                result = work(session, actor)
        except SessionEnded:  # the app's exception handler sends the browser to the sign-in page
            raise
        except reraise:
            raise
        except ValidationError as exc:
            self.errors = exc.fields
            self._say("Please correct the highlighted fields.", ok=False)
            return None
        except JewelError as exc:
            self._say(exc.message, ok=False)
            return None
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            log_unavailable(exc, f"{type(self).__name__} could not reach the database")
            self._say(DATABASE_UNAVAILABLE, ok=False)
            return None
        if done:
            self._say(done)
        return result

    def _after(self, result: object) -> None:
        """On a page that shows one record (and defines ``_reload``): after a successful change
        (``result`` not None), reload the record and keep the change's message."""
        if result is None:
            return
        message, ok = self.message, self.message_ok
        self._reload()  # type: ignore[attr-defined]
        self.message, self.message_ok = message, ok

    def _route_number(self, param: str) -> int:
        """The record number in the page's URL (the route's ``[param]``); 0 when it is not a number."""
        raw = str(getattr(self, param, ""))
        return int(raw) if raw.isdigit() else 0

    def _open_record(
        self, record_id: int, work: Callable[[Session, Actor], T], missing: str, *, write: bool = False
    ) -> T | None:
        """On a page that shows one record (and has a ``found`` var): run ``work`` for ``record_id``.

        Sets ``found``; when there is no such record (or it may not be seen) says ``missing``,
        unless a message is already shown, and returns None.
        """
        data = self._run(work, write=write) if record_id else None
        self.found = data is not None  # type: ignore[attr-defined]
        if data is None and not self.message:
            self._say(missing, ok=False)
        return data

    @rx.event
    def dismiss_message(self) -> None:
        """Hide the page message."""
        self.message = ""
