"""The check-in page the ticket's QR opens on a phone: who the ticket is for, and a "Check in" button.

The shell lets only signed-in staff holding ``events.checkin`` here; the service then looks the ticket up in the
current store. An unknown ticket says "not found" and the refusal is logged (never the token).
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.audit import record_refusal
from jewelerp.errors import NotFound
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from modules.events.checkin import UNKNOWN_TICKET, Ticket, check_in, ticket_for


class CheckInState(AppState):
    """The scanned ticket: only what the door needs (name, event, status, check-in time)."""

    shown: dict[str, str] = {}
    found: bool = False

    def _scanned(self) -> str:
        """The ticket token, the last part of the page's address (``/events/checkin/<token>``)."""
        return self.router.url.path.rstrip("/").rpartition("/")[2][:100]

    def _ticket(self, work: Callable[[Session, Actor, str], Ticket], *, write: bool) -> Ticket | None:
        try:  # the session is checked before the address is read
            return self._run(lambda s, a: work(s, a, self._scanned()), write=write, reraise=NotFound)
        except NotFound:
            record_refusal("events.ticket", self._client_ip(), {"page": "checkin"})
            self.found = False
            self._say(UNKNOWN_TICKET, ok=False)
            return None

    def _show(self, ticket: Ticket | None) -> None:
        if ticket is None:
            return
        self.found = True
        self.shown = {
            "name": ticket.name,
            "event": ticket.event_title,
            "when": ticket.when,
            "status": ticket.status,
            "status_label": ticket.status_label,
            "checked_in": ticket.checked_in,
        }

    @rx.event
    def load(self) -> None:
        """Runs after the shell's access check: show the scanned ticket."""
        self._clear_messages()
        self.found, self.shown = False, {}
        self._show(self._ticket(ticket_for, write=False))

    @rx.event
    def check_in(self) -> None:
        """Check the ticket's holder in; a second time says when the first was."""
        ticket = self._ticket(check_in, write=True)
        if ticket is not None:
            self._say(f"{ticket.name} is checked in at {ticket.checked_in}.")
            self._show(ticket)
        elif self.message.startswith("Already checked in"):
            self._show(self._ticket(ticket_for, write=False))


def checkin_page() -> rx.Component:
    """The check-in page."""
    shown = CheckInState.shown
    return shell(
        rx.cond(
            CheckInState.found,
            rx.card(
                rx.vstack(
                    rx.heading(shown["name"], size="7"),
                    rx.text(shown["event"], weight="medium"),
                    rx.text(shown["when"], color_scheme="gray"),
                    rx.badge(shown["status_label"], size="2"),
                    rx.cond(
                        shown["checked_in"] != "",
                        rx.text("Checked in at ", shown["checked_in"], weight="bold", color_scheme="green"),
                        rx.cond(
                            shown["status"] == "confirmed",
                            rx.button(
                                rx.icon("user-check", size=20),
                                "Check in",
                                size="4",
                                width="100%",
                                on_click=CheckInState.check_in,
                            ),
                            rx.text("Only a confirmed registration can be checked in.", color_scheme="red"),
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
                max_width="30rem",
            ),
        ),
        "Check-in",
    )
