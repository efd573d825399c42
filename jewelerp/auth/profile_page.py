"""The signed-in user's own account: their address (confirmed or not, and moving it to a new one) and the ways
into the account."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import reflex as rx

from jewelerp.auth import email_confirm
from jewelerp.auth.pages import form_text
from jewelerp.auth.provider_pages import linked_accounts_card
from jewelerp.core.models import User
from jewelerp.db import read_session
from jewelerp.errors import JewelError, ValidationError
from jewelerp.ui.forms import fact, field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState


class AccountState(AppState):
    """Name and address of the signed-in user."""

    name: str = ""
    email: str = ""
    confirmed: bool = False
    pending_email: str = ""

    def _show(self, user_id: int) -> None:
        with read_session() as session:
            user = session.get(User, user_id)
            if user is None:
                return
            self.name, self.email, self.pending_email = user.name, user.email, user.pending_email
            self.confirmed = user.email_confirmed_at is not None

    @rx.event
    def load(self):
        """Show the signed-in user's account."""
        self._clear_messages()
        self._show(self._session().user_id)

    async def _mail(self, user_id: int, send: Callable[..., str], *args: object, done: str) -> None:
        self._clear_messages()
        try:
            email = await asyncio.to_thread(send, user_id, *args)
        except ValidationError as exc:
            self.errors = exc.fields
            self._say("Please correct the highlighted fields.", ok=False)
            return
        except JewelError as exc:
            self._say(exc.message, ok=False)
            return
        self._show(user_id)
        self._say(done.format(email=email))

    @rx.event
    async def send_confirmation(self):
        """Mail a link confirming the user's (or their waiting new) address."""
        user_id = self._session().user_id
        await self._mail(
            user_id,
            email_confirm.send_confirmation,
            self._app_origin(),
            done="We sent a link to {email}; it works 30 minutes.",
        )

    @rx.event
    async def change_email(self, form: dict):
        """Ask to move the account to a new address (the current password proves it is them)."""
        user_id = self._session().user_id
        await self._mail(
            user_id,
            email_confirm.change_email,
            form_text(form, "new_email"),
            form_text(form, "password"),
            self._app_origin(),
            done="We sent a link to {email}. Your address changes once you open it (within 30 minutes).",
        )


def _address_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your account", size="4"),
            fact("Name", AccountState.name),
            fact("E-mail", AccountState.email),
            rx.hstack(
                rx.cond(
                    AccountState.confirmed,
                    rx.badge("Address confirmed", color_scheme="green"),
                    rx.badge("Address not confirmed", color_scheme="orange"),
                ),
                rx.cond(
                    ~AccountState.confirmed | (AccountState.pending_email != ""),
                    rx.button("Send confirmation link", variant="soft", on_click=AccountState.send_confirmation),
                ),
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                AccountState.pending_email != "",
                rx.text(
                    "Waiting for confirmation: ",
                    rx.text.strong(AccountState.pending_email),
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.hstack(
                rx.link("Change password", href="/account/password", size="2"),
                rx.link("Two-factor sign-in", href="/account/two-factor", size="2"),
                rx.link("Signed-in devices", href="/account/sessions", size="2"),
                spacing="4",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        max_width="34rem",
        width="100%",
    )


def _change_email_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Move to a new e-mail address", size="4"),
                field("New e-mail address", "new_email", type="email", auto_complete="email"),
                field("Current password", "password", type="password", auto_complete="current-password"),
                rx.button("Send link to the new address", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=AccountState.change_email,
            no_validate=True,
            reset_on_submit=True,
        ),
        max_width="34rem",
        width="100%",
    )


def profile_page() -> rx.Component:
    """The user's own account page."""
    return shell(
        rx.vstack(_address_card(), linked_accounts_card(), _change_email_card(), spacing="4", width="100%"),
        "Your account",
    )
