"""Sign-in and change-password pages."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import reflex as rx

from jewelerp.auth import service as auth
from jewelerp.auth.passwords import POLICY_HINT
from jewelerp.auth.provider_pages import provider_buttons
from jewelerp.auth.session_cookie import CODE_PAGE, begin_url, load_page, safe_next
from jewelerp.errors import ValidationError
from jewelerp.ui.forms import field, page_message
from jewelerp.ui.shell import logo, shell
from jewelerp.ui.state import AppState


def form_text(form: object, key: str) -> str:
    """A form field as text, whatever a hand-made websocket message put there."""
    value = form.get(key, "") if isinstance(form, dict) else ""
    return value if isinstance(value, str) else ""


class LoginState(AppState):
    """The sign-in form; a right password of a user with two-factor sign-in leaves a challenge for the code page
    (kept on the server, never sent to the browser)."""

    _challenge: str = ""

    @rx.event
    def open(self):
        """Skip the form when the browser already holds a live session."""
        self._clear_messages()
        try:
            self._session()
        except auth.AuthError:
            return None
        return rx.redirect("/")

    @rx.event
    async def sign_in(self, form: dict):
        """Check the credentials in a worker thread, then send the browser to pick up its session cookie."""
        self._clear_messages()
        result = await asyncio.to_thread(
            auth.login, form_text(form, "email"), form_text(form, "password"), self._client_ip(), self._user_agent()
        )
        target = str(self.router.url.query_parameters.get("next", "/"))
        if result.challenge:
            self._challenge = result.challenge
            return rx.redirect(f"{CODE_PAGE}?{urlencode({'next': safe_next(target)})}")
        if result.ticket is None:
            self._say(result.error or "Sign-in failed.", ok=False)
            return None
        return load_page(begin_url(self.router.headers.origin, result.ticket, target))


class PasswordState(AppState):
    """Change one's own password."""

    @rx.event
    async def change(self, form: dict):
        """Verify the current password and store the new one (in a worker thread); other sessions are signed out."""
        self._clear_messages()
        try:
            info = self._session()
            await asyncio.to_thread(
                auth.change_password,
                info.user_id,
                form_text(form, "current"),
                form_text(form, "new"),
                form_text(form, "confirm"),
                keep_session_id=info.session_id,
            )
        except ValidationError as exc:
            self.errors = exc.fields
            self._say("Please correct the highlighted fields.", ok=False)
            return None
        except auth.AuthError as exc:
            self._say(exc.message, ok=False)
            return None
        self._say("Your password was changed. Other devices were signed out.")
        return None


def public_card(title: str, *children: rx.Component, on_submit: object = None) -> rx.Component:
    """A centered card with the logo, for the pages people use before they are signed in; with ``on_submit`` its
    contents are a form."""
    body = rx.vstack(
        rx.hstack(logo("1.9rem"), rx.heading("JewelERP", size="6"), align="center"),
        rx.text(title, color_scheme="gray"),
        page_message(),
        *children,
        spacing="4",
        width="100%",
    )
    return rx.center(
        rx.card(
            rx.form(body, on_submit=on_submit, no_validate=True, width="100%") if on_submit is not None else body,
            width="100%",
            max_width="24rem",
            padding="2rem",
        ),
        min_height="100vh",
        padding="1rem",
        background="linear-gradient(160deg, var(--amber-2), var(--gray-2))",
    )


def login_page() -> rx.Component:
    """Centered sign-in card."""
    return public_card(
        "Sign in to your store",
        field("Email", "email", type="email", auto_complete="username", required=True),
        field("Password", "password", type="password", auto_complete="current-password", required=True),
        rx.button("Sign in", type="submit", width="100%", size="3"),
        provider_buttons(),
        rx.link("Forgot your password?", href="/password/forgot", size="2"),
        on_submit=LoginState.sign_in,
    )


def password_page() -> rx.Component:
    """Change-password form inside the shell."""
    return shell(
        rx.card(
            rx.form(
                rx.vstack(
                    field("Current password", "current", type="password", auto_complete="current-password"),
                    field(
                        "New password",
                        "new",
                        type="password",
                        auto_complete="new-password",
                        hint=POLICY_HINT,
                    ),
                    field("Repeat new password", "confirm", type="password", auto_complete="new-password"),
                    rx.button("Change password", type="submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=PasswordState.change,
                no_validate=True,
                reset_on_submit=True,
            ),
            max_width="28rem",
        ),
        "Change password",
    )
