"""Sign-in and change-password pages."""

from __future__ import annotations

import reflex as rx

from jewelerp.auth import service as auth
from jewelerp.db import unit_of_work
from jewelerp.errors import ValidationError
from jewelerp.ui.forms import field, page_message
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState


class LoginState(AppState):
    """The sign-in form."""

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
    def sign_in(self, form: dict):
        """Check the credentials on the server and open a session."""
        self._clear_messages()
        with unit_of_work() as session:
            result = auth.login(session, form.get("email", ""), form.get("password", ""))
        if result.token is None:
            self._say(result.error or "Sign-in failed.", ok=False)
            return None
        self.token = result.token
        target = self.router.url.query_parameters.get("next", "/")
        return rx.redirect(target if target.startswith("/") and not target.startswith("//") else "/")


class PasswordState(AppState):
    """Change one's own password."""

    @rx.event
    def change(self, form: dict):
        """Verify the current password, then store the new one and sign out other sessions."""
        self._clear_messages()
        try:
            info = self._session()
            with unit_of_work() as session:
                auth.change_password(
                    session,
                    info.user_id,
                    form.get("current", ""),
                    form.get("new", ""),
                    form.get("confirm", ""),
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


def login_page() -> rx.Component:
    """Centered sign-in card."""
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.icon("gem", color="var(--amber-9)", size=28),
                        rx.heading("JewelERP", size="6"),
                        align="center",
                    ),
                    rx.text("Sign in to your store", color_scheme="gray"),
                    page_message(),
                    field("Email", "email", type="email", auto_complete="username", required=True),
                    field("Password", "password", type="password", auto_complete="current-password", required=True),
                    rx.button("Sign in", type="submit", width="100%", size="3"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=LoginState.sign_in,
                no_validate=True,
                width="100%",
            ),
            width="100%",
            max_width="24rem",
            padding="2rem",
        ),
        min_height="100vh",
        padding="1rem",
        background="linear-gradient(160deg, var(--amber-2), var(--gray-2))",
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
                        hint="At least 8 characters, mixing letters with digits or symbols.",
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
