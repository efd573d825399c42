"""Pages reached from the sign-in page or an e-mailed link, before signing in: forgotten password, new password
from a reset link, confirming an address."""

from __future__ import annotations

import asyncio

import reflex as rx

from jewelerp.auth import email_confirm, reset
from jewelerp.auth.pages import form_text, public_card
from jewelerp.auth.passwords import POLICY_HINT
from jewelerp.errors import AuthError, JewelError, ValidationError
from jewelerp.ui.forms import field
from jewelerp.ui.state import AppState


class RecoveryState(AppState):
    """The forgotten-password, reset and confirm pages: each works from the link's token alone."""

    link_works: bool = False
    done: bool = False

    def _link_token(self) -> str:
        return str(self.router.url.query_parameters.get("token", ""))[:200]

    def _fail(self, exc: JewelError) -> None:
        if isinstance(exc, ValidationError):
            self.errors = exc.fields
            self._say("Please correct the highlighted fields.", ok=False)
        else:
            self._say(exc.message, ok=False)

    @rx.event
    def open_page(self):
        """A fresh page: no message from an earlier visit."""
        self._clear_messages()
        self.done = False

    @rx.event
    async def ask(self, form: dict):
        """Send a reset link to the address typed (the answer never says whether an account uses it)."""
        self._clear_messages()
        try:
            sent = await asyncio.to_thread(
                reset.request_reset, form_text(form, "email"), self._client_ip(), self._app_origin()
            )
        except JewelError as exc:
            self._fail(exc)
            return
        self._say(sent)

    @rx.event
    async def open_reset(self):
        """Show the new-password form while the link works, else say it expired."""
        self._clear_messages()
        self.done = False
        self.link_works = await asyncio.to_thread(reset.reset_link_works, self._link_token())
        if not self.link_works:
            self._say(reset.LINK_DEAD, ok=False)

    @rx.event
    async def set_password(self, form: dict):
        """Set the new password from the link (every session of the account ends)."""
        self._clear_messages()
        try:
            await asyncio.to_thread(
                reset.complete_reset,
                self._link_token(),
                form_text(form, "new"),
                form_text(form, "confirm"),
                self._client_ip(),
            )
        except JewelError as exc:
            self._fail(exc)
            self.link_works = not isinstance(exc, AuthError) and self.link_works
            return
        self.done = True
        self._say("Your new password is set. Sign in with it.")

    @rx.event
    async def confirm(self):
        """Confirm the address the link was sent to."""
        self._clear_messages()
        try:
            email = await asyncio.to_thread(email_confirm.confirm_email, self._link_token(), self._client_ip())
        except JewelError as exc:
            self._fail(exc)
            return
        self.done = True
        self._say(f"{email} is confirmed as your address.")


def forgot_page() -> rx.Component:
    """Ask for a reset link."""
    return public_card(
        "Forgot your password? We will e-mail you a link to choose a new one.",
        field("Email", "email", type="email", auto_complete="username", required=True),
        rx.button("Send me a link", type="submit", width="100%", size="3"),
        rx.link("Back to sign in", href="/login", size="2"),
        on_submit=RecoveryState.ask,
    )


def reset_page() -> rx.Component:
    """Choose a new password from the link."""
    return public_card(
        "Choose a new password",
        rx.cond(
            RecoveryState.done,
            rx.link(rx.button("Sign in", width="100%", size="3"), href="/login", width="100%"),
            rx.cond(
                RecoveryState.link_works,
                rx.vstack(
                    field("New password", "new", type="password", auto_complete="new-password", hint=POLICY_HINT),
                    field("Repeat new password", "confirm", type="password", auto_complete="new-password"),
                    rx.button("Set new password", type="submit", width="100%", size="3"),
                    spacing="4",
                    width="100%",
                ),
                rx.link("Ask for a new link", href="/password/forgot", size="2"),
            ),
        ),
        on_submit=RecoveryState.set_password,
    )


def confirm_page() -> rx.Component:
    """Confirm an e-mail address from the link (a button, so a mail scanner opening the link confirms nothing)."""
    return public_card(
        "Confirm your e-mail address",
        rx.cond(
            RecoveryState.done,
            rx.link(rx.button("Go to JewelERP", width="100%", size="3"), href="/", width="100%"),
            rx.button(  # enabled once the page's load ran: a click before it would be undone by the load
                "Confirm my address",
                on_click=RecoveryState.confirm,
                disabled=~rx.State.is_hydrated,
                width="100%",
                size="3",
            ),
        ),
    )


PAGES = (
    ("/password/forgot", forgot_page, "Forgotten password", RecoveryState.open_page),
    ("/password/reset", reset_page, "New password", RecoveryState.open_reset),
    ("/email/confirm", confirm_page, "Confirm address", RecoveryState.open_page),
)
