"""Two-factor pages: the code asked for after the password (``/login/code``) and setting two-factor up or off
(``/account/two-factor``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import reflex as rx
from starlette.requests import cookie_parser

from jewelerp.auth import second_step, two_factor
from jewelerp.auth.pages import LoginState, form_text, public_card
from jewelerp.auth.session_cookie import CHALLENGE_COOKIE, begin_url, load_page
from jewelerp.core.models import User
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, ValidationError
from jewelerp.ui.forms import field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState

TWO_FACTOR_PAGE = "/account/two-factor"
CODE_HINT = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


class CodeState(AppState):
    """The second step of signing in."""

    expired: bool = False

    @rx.event
    def open(self):
        """A fresh code form."""
        self._clear_messages()
        self.expired = False

    @rx.event
    async def verify(self, form: dict):
        """Check the code for the sign-in waiting in this tab (password) or in its cookie (a provider); a right one
        sends the browser on to pick up its session cookie."""
        self._clear_messages()
        login = await self.get_state(LoginState)
        challenge = login._challenge or cookie_parser(self.router.headers.cookie or "").get(CHALLENGE_COOKIE, "")
        result = await asyncio.to_thread(
            second_step.answer_challenge, challenge, form_text(form, "code"), self._client_ip()
        )
        if result.ticket is None:
            self.expired = result.error == second_step.CHALLENGE_DEAD
            self._say(result.error or "Sign-in failed.", ok=False)
            return None
        login._challenge = ""
        target = str(self.router.url.query_parameters.get("next", "/"))
        return load_page(begin_url(self.router.headers.origin, result.ticket, target))


class TwoFactorState(AppState):
    """Setting two-factor sign-in up, getting new recovery codes, switching it off."""

    enabled: bool = False
    required: bool = False
    codes_left: int = 0
    qr: str = ""
    secret_text: str = ""
    recovery_codes: list[str] = []
    _secret: str = ""  # the secret being set up: on the server only, until the first code proves it

    def _show(self, user_id: int) -> None:
        with read_session() as session:
            user = session.get(User, user_id)
            self.enabled = bool(user and user.totp_enabled_at)
            self.required = two_factor.is_required(session, user_id)
            self.codes_left = two_factor.recovery_codes_left(session, user_id)

    @rx.event
    def load(self):
        """Show whether two-factor is on; nothing of an earlier set-up stays on the page."""
        info = self._session()
        self._clear_messages()
        self.qr, self.secret_text, self.recovery_codes, self._secret = "", "", [], ""
        self._show(info.user_id)
        if info.must_enrol:
            self._say("Your store requires two-factor sign-in for your role. Set it up to go on.", ok=False)

    @rx.event
    def begin_setup(self):
        """A new secret, shown as a QR code (and as text) for the authenticator app."""
        info = self._session()
        self._clear_messages()
        with read_session() as session:
            user = session.get(User, info.user_id)
            email = user.email if user else ""
        self._secret = two_factor.new_secret()
        self.qr = two_factor.qr_data_uri(two_factor.setup_uri(self._secret, email))
        self.secret_text = two_factor.grouped(self._secret)

    @rx.event
    def finish_setup(self, form: dict):
        """Switch two-factor on once the app's first code is right; show the recovery codes once."""
        info = self._session()
        self._clear_messages()
        if not self._secret:
            self._say("Start the set-up again.", ok=False)
            return None
        try:
            with unit_of_work() as session:
                codes = two_factor.enable(
                    session, info.user_id, self._secret, form_text(form, "code"), self._client_ip()
                )
        except ValidationError as exc:
            self.errors = exc.fields
            return None
        except JewelError as exc:
            self._say(exc.message, ok=False)
            return None
        self.qr, self.secret_text, self._secret = "", "", ""
        self._show(info.user_id)
        self.recovery_codes = codes
        self._say("Two-factor sign-in is on. Keep your recovery codes somewhere safe.")
        return None

    async def _with_code(
        self, work: Callable[[int, str, str], list[str] | None], form: dict, done: str
    ) -> list[str] | None:
        info = self._session()
        self._clear_messages()
        try:
            result = await asyncio.to_thread(work, info.user_id, form_text(form, "code"), self._client_ip())
        except ValidationError as exc:
            self.errors = exc.fields
            return None
        except JewelError as exc:
            self._say(exc.message, ok=False)
            return None
        self._show(info.user_id)
        self._say(done)
        return result or []

    @rx.event
    async def new_codes(self, form: dict):
        """Replace the recovery codes (a current code proves it is the user)."""
        codes = await self._with_code(
            two_factor.replace_recovery_codes, form, "New recovery codes made; the old ones no longer work."
        )
        if codes is not None:
            self.recovery_codes = codes

    @rx.event
    async def switch_off(self, form: dict):
        """Switch two-factor off (a current code proves it is the user)."""
        await self._with_code(two_factor.disable, form, "Two-factor sign-in is off.")
        self.recovery_codes = []


def code_page() -> rx.Component:
    """The second step of signing in."""
    return public_card(
        "Enter the code from your authenticator app",
        rx.cond(
            CodeState.expired,
            rx.link(rx.button("Sign in again", width="100%", size="3"), href="/login", width="100%"),
            rx.vstack(
                field(
                    "Code", "code", auto_complete="one-time-code", input_mode="numeric", hint=CODE_HINT, auto_focus=True
                ),
                rx.button("Verify", type="submit", width="100%", size="3"),
                spacing="4",
                width="100%",
            ),
        ),
        on_submit=CodeState.verify,
    )


def _code_form(title: str, button: str, on_submit: object, color: str = "amber") -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(title, size="2"),
            field("Code from your app", "code", auto_complete="one-time-code", input_mode="numeric"),
            rx.button(button, type="submit", color_scheme=color),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        no_validate=True,
        reset_on_submit=True,
    )


def _recovery_codes() -> rx.Component:
    return rx.cond(
        TwoFactorState.recovery_codes.length() > 0,
        rx.callout.root(
            rx.vstack(
                rx.text("Your recovery codes", weight="bold"),
                rx.text(
                    "Each works once, if you lose your phone. They are shown only now: print or save them.", size="2"
                ),
                rx.grid(
                    rx.foreach(TwoFactorState.recovery_codes, lambda c: rx.code(c, size="3")),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="2",
                    aria_label="Recovery codes",
                ),
                spacing="2",
            ),
            color_scheme="amber",
            width="100%",
        ),
    )


def _setup() -> rx.Component:
    return rx.cond(
        TwoFactorState.qr != "",
        rx.vstack(
            rx.text(
                "1. Scan this code with an authenticator app (Google or Microsoft Authenticator, Authy ...).",
                size="2",
            ),
            rx.image(src=TwoFactorState.qr, alt="QR code to set up two-factor sign-in", width="12rem", height="12rem"),
            rx.text("Or type this key into the app:", size="2", color_scheme="gray"),
            rx.code(TwoFactorState.secret_text, id="two-factor-key", size="3"),
            rx.form(
                rx.vstack(
                    field("2. Code the app shows now", "code", auto_complete="one-time-code", input_mode="numeric"),
                    rx.button("Switch two-factor on", type="submit"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=TwoFactorState.finish_setup,
                no_validate=True,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        rx.button("Set up two-factor sign-in", on_click=TwoFactorState.begin_setup),
    )


def two_factor_page() -> rx.Component:
    """Two-factor sign-in of the signed-in user."""
    return shell(
        rx.card(
            rx.vstack(
                rx.text(
                    "With two-factor sign-in, signing in needs your password and a code from an app on your phone.",
                    color_scheme="gray",
                ),
                _recovery_codes(),
                rx.cond(
                    TwoFactorState.enabled,
                    rx.vstack(
                        rx.badge("Two-factor sign-in is on", color_scheme="green", size="2"),
                        rx.text(TwoFactorState.codes_left, " recovery codes left.", size="2"),
                        _code_form(
                            "New recovery codes (the old ones stop working):",
                            "Make new recovery codes",
                            TwoFactorState.new_codes,
                        ),
                        rx.cond(
                            TwoFactorState.required,
                            rx.text(
                                "Your store requires two-factor sign-in for your role.", size="2", color_scheme="gray"
                            ),
                            _code_form("Switch it off:", "Switch two-factor off", TwoFactorState.switch_off, "red"),
                        ),
                        spacing="4",
                        width="100%",
                    ),
                    _setup(),
                ),
                spacing="4",
                width="100%",
            ),
            max_width="36rem",
            width="100%",
        ),
        "Two-factor sign-in",
    )
