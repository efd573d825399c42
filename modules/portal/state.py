"""The portal's base state: the signed-in customer behind every handler, from the portal's own cookie.

Every handler of a portal page starts with :meth:`PortalState._customer`: without a live portal session it does
nothing else and sends the browser to the portal's sign-in page. The customer's ids come from the session only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import reflex as rx
from reflex.config import get_config
from sqlmodel import Session

from jewelerp.auth.session_cookie import browser_origin, load_page
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, ValidationError
from jewelerp.ui.state import AppState
from modules.portal.access import Customer, NotYours, log_not_yours, portal_actor, signed_in_customer
from modules.portal.sessions import SIGN_IN, account_of, end_session, end_url, portal_token

T = TypeVar("T")


class PortalState(AppState):
    """The customer's name and store for the header, and the portal session behind every handler."""

    customer_name: str = ""
    store_name: str = ""

    def _customer(self) -> Customer | None:
        """The signed-in customer, or None (no portal cookie, ended, idle, or the store turned the portal off)."""
        account_id = account_of(portal_token(self.router.headers.cookie))
        if account_id is None:
            return None
        with read_session() as session:
            return signed_in_customer(session, account_id)

    def _signed_in(self) -> Customer | None:
        """The signed-in customer with the header filled in, or None (then send the browser to sign in)."""
        customer = self._customer()
        if customer is not None:
            self.customer_name, self.store_name = customer.name, customer.store_name
        return customer

    def _portal(self, customer: Customer, work: Callable[[Session, Customer], T], *, write: bool = False) -> T | None:
        """Run ``work`` for ``customer``: field errors beside the fields, other errors as the page message; a record
        that is not theirs answers "Not found." and is logged. None when it failed (nothing written)."""

        def run() -> T:
            if not write:
                with read_session() as session:
                    return work(session, customer)
            with read_session() as session:
                actor = portal_actor(session, customer.store_id, customer.name)
            with unit_of_work(actor) as session:  # the audit log names the customer's account
                return work(session, customer)

        return self._guarded(customer, run, clear=write)

    def _guarded(self, customer: Customer, run: Callable[[], T], *, clear: bool = True) -> T | None:
        """Run ``run`` (which opens its own sessions) with :meth:`_portal`'s handling of what goes wrong."""
        if clear:
            self._clear_messages()
        try:
            return run()
        except NotYours as refused:
            log_not_yours(customer, refused, self._client_ip())
            self._say(refused.message, ok=False)
        except ValidationError as exc:
            self.errors = exc.fields
            self._say("Please correct the highlighted fields.", ok=False)
        except JewelError as exc:
            self._say(exc.message, ok=False)
        return None

    def _reload(self, customer: Customer) -> None:
        """Read the page's records again (a page with records to show defines it)."""

    def _backend(self) -> str:
        """The backend's origin as this page's browser reaches it (for the portal's routes)."""
        return browser_origin(get_config().api_url, str(self.router.headers.origin or ""))

    def _change(self, customer: Customer, work: Callable[[Session, Customer], T], done: Callable[[T], str]) -> T | None:
        """Write ``work`` for ``customer`` (as :meth:`_portal`); when it worked, say ``done(result)`` and reload."""
        result = self._portal(customer, work, write=True)
        if result is not None:
            self._say(done(result))
            self._reload(customer)
        return result

    @rx.event
    def sign_out(self):
        """End this browser's portal session and clear its cookie."""
        end_session(portal_token(self.router.headers.cookie))
        return load_page(end_url(str(self.router.headers.origin or "")))


class LoadMixin(rx.State, mixin=True):
    """A portal page whose ``load`` shows the signed-in customer's records through the state's ``_reload``."""

    @rx.event
    def load(self):
        """Show the signed-in customer's records (without a portal session: the sign-in page)."""
        customer = self._signed_in()  # type: ignore[attr-defined]
        if customer is None:
            return to_sign_in()
        self._reload(customer)  # type: ignore[attr-defined]
        return None


def to_sign_in() -> rx.event.EventSpec:
    """Where a handler without a portal session sends the browser."""
    return rx.redirect(SIGN_IN)
