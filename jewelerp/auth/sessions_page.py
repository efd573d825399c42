"""The signed-in user's open sessions: where, on what, since when; sign out one of them or everywhere."""

from __future__ import annotations

import reflex as rx

from jewelerp.auth import sessions
from jewelerp.auth.session_cookie import end_url, load_page
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError
from jewelerp.ui.forms import simple_table
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState


class SessionsState(AppState):
    """The list of the user's open sessions."""

    rows: list[dict[str, str]] = []

    def _reload(self) -> None:
        info = self._session()
        actor = self._actor()
        with read_session() as session:
            found = sessions.open_sessions(session, info.user_id, info.session_id)
        self.rows = [
            {
                "id": str(s.id),
                "device": s.device,
                "ip": s.client_ip,
                "method": s.method,
                "since": f"{actor.local(s.signed_in_at):%d %b %H:%M}",
                "seen": f"{actor.local(s.last_seen_at):%d %b %H:%M}",
                "current": "yes" if s.current else "",
            }
            for s in found
        ]

    @rx.event
    def load(self):
        """List the open sessions."""
        self._clear_messages()
        self._reload()

    @rx.event
    def sign_out(self, session_id: str):
        """Sign out one session; this browser's own goes to the sign-in page."""
        self._clear_messages()
        info = self._session()
        try:
            with unit_of_work() as session:
                sessions.end_own_session(session, info.user_id, int(session_id), self._client_ip())
        except (JewelError, ValueError, TypeError) as exc:
            self._say(getattr(exc, "message", "That session has already ended."), ok=False)
            return None
        if int(session_id) == info.session_id:
            return load_page(end_url(self.router.headers.origin))
        self._reload()
        self._say("That device is signed out.")
        return None

    @rx.event
    def sign_out_everywhere(self):
        """End every session of the user, this one included."""
        info = self._session()
        with unit_of_work() as session:
            sessions.end_all_own_sessions(session, info.user_id, self._client_ip())
        return load_page(end_url(self.router.headers.origin))


def _row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row["device"], weight="medium"),
                rx.cond(row["current"] != "", rx.badge("This browser", color_scheme="green")),
                spacing="1",
            )
        ),
        rx.table.cell(row["ip"]),
        rx.table.cell(row["method"]),
        rx.table.cell(row["since"]),
        rx.table.cell(row["seen"]),
        rx.table.cell(
            rx.button(
                "Sign out",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=SessionsState.sign_out(row["id"]),
                aria_label="Sign out " + row["device"] + " at " + row["ip"],
            )
        ),
    )


def sessions_page() -> rx.Component:
    """Open sessions with sign-out buttons."""
    return shell(
        rx.vstack(
            rx.hstack(
                rx.text("Where your account is signed in now.", color_scheme="gray"),
                rx.spacer(),
                rx.button("Sign out everywhere", color_scheme="red", on_click=SessionsState.sign_out_everywhere),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            simple_table(("Device", "Address", "Signed in with", "Since", "Last seen", ""), SessionsState.rows, _row),
            spacing="4",
            width="100%",
        ),
        "Signed-in devices",
    )
