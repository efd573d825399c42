"""Register, confirm the address, and sign in with a one-time code: the portal's pages before sign-in."""

from __future__ import annotations

import asyncio

import reflex as rx

from jewelerp.auth.pages import form_text, public_card
from jewelerp.auth.provider_pages import provider_choices
from jewelerp.auth.session_cookie import load_page
from jewelerp.db import read_session
from jewelerp.errors import AuthError, JewelError, ValidationError
from jewelerp.ui.forms import field, select_field
from modules.portal import identity, social
from modules.portal.access import portal_stores
from modules.portal.sessions import HOME, begin_url
from modules.portal.state import PortalState

CHANNEL_OPTIONS = [("email", "E-mail"), ("sms", "SMS to my mobile")]


def _store_id(form: object) -> int:
    raw = form_text(form, "store")
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0


class PortalEntryState(PortalState):
    """The stores offering the portal, and where the sign-in form is (the code was sent, to what)."""

    stores: list[dict[str, str]] = []
    code_sent: bool = False
    channel: str = "email"
    address: str = ""
    store_id: str = ""
    confirmed: bool = False
    providers: list[dict[str, str]] = []
    chosen_store: str = ""  # the store picked in the form, for the provider buttons

    def _load_stores(self) -> None:
        with read_session() as session:
            self.stores = [{"value": str(i), "label": name} for i, name in portal_stores(session)]
        self.chosen_store = self.stores[0]["value"] if self.stores else ""
        self.providers = social.portal_providers()

    def _say_refusal(self) -> None:
        """The sentence of the provider sign-in the page was sent back with (``?error=&provider=``)."""
        query = self.router.url.query_parameters
        code, provider = query.get("error", ""), query.get("provider", "")
        said = social.refusal_message(code, provider) if isinstance(code, str) and isinstance(provider, str) else ""
        if said:
            self._say(said, ok=False)

    @rx.event
    def open_sign_in(self):
        """A signed-in browser goes home; otherwise the form starts at its first step."""
        self._clear_messages()
        if self._customer() is not None:
            return rx.redirect(HOME)
        self._load_stores()
        self.code_sent, self.address = False, ""
        self._say_refusal()
        return None

    @rx.event
    def open_register(self) -> None:
        """List the stores to register with."""
        self._clear_messages()
        self._load_stores()

    @rx.event
    async def send_code(self, form: dict):
        """Send a code to the address when an account of the store has confirmed it (the answer is the same)."""
        self._clear_messages()
        store_id, channel, address = _store_id(form), form_text(form, "channel"), form_text(form, "address")[:254]
        try:
            said = await asyncio.to_thread(identity.request_code, store_id, channel, address, self._client_ip())
        except ValidationError as exc:
            self.errors = exc.fields
            return None
        except JewelError as exc:
            self._say(exc.message, ok=False)
            return None
        self.code_sent, self.channel, self.address, self.store_id = True, channel, address, str(store_id)
        self._say(said)
        return None

    @rx.event
    async def enter_code(self, form: dict):
        """Check the code and send the browser to pick up its portal cookie."""
        self._clear_messages()
        if not self.code_sent:
            return None
        store_id = int(self.store_id) if self.store_id.isdigit() else 0
        code = form_text(form, "code")[:12]
        try:
            ticket = await asyncio.to_thread(
                identity.sign_in, store_id, self.channel, self.address, code, self._client_ip()
            )
        except (AuthError, ValidationError) as exc:
            self.errors = {"code": exc.message if isinstance(exc, AuthError) else identity.WRONG_CODE}
            return None
        return load_page(begin_url(str(self.router.headers.origin or ""), ticket))

    @rx.event
    def choose_store(self, value: str) -> None:
        """Remember the store picked, for the provider buttons (only a store the form lists)."""
        if any(store["value"] == value for store in self.stores):
            self.chosen_store = value

    @rx.event
    def continue_with(self, name: str):
        """Sign in (or register) with provider ``name`` to the store picked: a full page load of the start route."""
        if not any(provider["name"] == name for provider in self.providers) or not self.chosen_store:
            return None
        return load_page(social.start_url(str(self.router.headers.origin or ""), name, store=self.chosen_store))

    @rx.event
    def start_again(self) -> None:
        """Back to the first step (another address, or a new code)."""
        self._clear_messages()
        self.code_sent = False

    @rx.event
    async def register(self, form: dict):
        """Keep the registration and mail the confirmation link."""
        self._clear_messages()
        data = identity.Registration(
            _store_id(form),
            form_text(form, "name")[:200],
            form_text(form, "email")[:300],
            form_text(form, "phone")[:40],
            bool(form.get("consent_email")) if isinstance(form, dict) else False,
            bool(form.get("consent_sms")) if isinstance(form, dict) else False,
            bool(form.get("consent_whatsapp")) if isinstance(form, dict) else False,
        )
        try:
            said = await asyncio.to_thread(identity.register, data, self._app_origin(), self._client_ip())
        except ValidationError as exc:
            self.errors = exc.fields
            self._say("Please correct the highlighted fields.", ok=False)
            return None
        except JewelError as exc:
            self._say(exc.message, ok=False)
            return None
        self._say(said)
        return None

    @rx.event
    async def open_confirm(self):
        """Use the link's token: confirm the address and link the account."""
        self._clear_messages()
        token = str(self.router.url.query_parameters.get("token", ""))[:200]
        try:
            store = await asyncio.to_thread(identity.confirm, token, self._client_ip())
        except AuthError as exc:
            self.confirmed = False
            self._say(exc.message, ok=False)
            return None
        self.confirmed = True
        self._say(f"Your address is confirmed for {store}. Sign in with a code sent to it.")
        return None


def _store_select() -> rx.Component:
    return select_field("Store", "store", PortalEntryState.stores, on_change=PortalEntryState.choose_store)


def _provider_buttons(verb: str) -> rx.Component:
    """ "Sign in with Google" and the like, for the store picked above (nothing when no provider is set up)."""

    def button(provider: rx.Var) -> rx.Component:
        return rx.button(
            f"{verb} with " + provider["label"],
            type="button",
            variant="outline",
            size="3",
            width="100%",
            on_click=PortalEntryState.continue_with(provider["name"]),
        )

    return rx.cond(PortalEntryState.providers.length() > 0, provider_choices(PortalEntryState.providers, button))


def sign_in_page() -> rx.Component:
    """Ask for a code (store, e-mail or SMS, the address), then enter it."""
    ask = rx.form(
        rx.vstack(
            _store_select(),
            select_field("Send the code by", "channel", CHANNEL_OPTIONS),
            field("E-mail or mobile number", "address", auto_complete="username"),
            rx.button("Send me a code", type="submit", width="100%", size="3"),
            _provider_buttons("Sign in"),
            rx.link("New here? Register", href="/portal/register", size="2"),
            spacing="3",
            width="100%",
        ),
        on_submit=PortalEntryState.send_code,
        no_validate=True,
        width="100%",
    )
    enter = rx.form(
        rx.vstack(
            rx.text("Sent to ", rx.text.strong(PortalEntryState.address), size="2"),
            field("Sign-in code", "code", input_mode="numeric", auto_complete="one-time-code", max_length=6),
            rx.button("Sign in", type="submit", width="100%", size="3"),
            rx.button("Use another address or get a new code", on_click=PortalEntryState.start_again, variant="ghost"),
            spacing="3",
            width="100%",
        ),
        on_submit=PortalEntryState.enter_code,
        no_validate=True,
        reset_on_submit=True,
        width="100%",
    )
    return public_card("Customer portal: sign in", rx.cond(PortalEntryState.code_sent, enter, ask))


def _consent(channel: str, label: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="checkbox", name=f"consent_{channel}", id=f"field-consent_{channel}"),
            rx.text(label, size="2"),
            align="center",
        )
    )


def register_page() -> rx.Component:
    """The registration form."""
    return public_card(
        "Customer portal: register",
        _store_select(),
        field("Your name", "name", auto_complete="name"),
        field("E-mail", "email", type="email", auto_complete="email"),
        field("Mobile number", "phone", type="tel", auto_complete="tel", hint="Optional; include the country code."),
        rx.text("The store may contact me by:", size="2", weight="medium"),
        rx.flex(
            _consent("email", "By e-mail"),
            _consent("sms", "By SMS"),
            _consent("whatsapp", "By WhatsApp"),
            gap="1rem",
            wrap="wrap",
        ),
        rx.button("Register", type="submit", width="100%", size="3"),
        _provider_buttons("Register"),
        rx.link("Already registered? Sign in", href="/portal/sign-in", size="2"),
        on_submit=PortalEntryState.register,
    )


def confirm_page() -> rx.Component:
    """What opening the mailed link says."""
    return public_card(
        "Customer portal: confirm your address",
        rx.cond(
            PortalEntryState.confirmed,
            rx.link("Sign in", href="/portal/sign-in", size="3"),
            rx.link("Register again", href="/portal/register", size="3"),
        ),
    )
