"""The pages of signing in through Google, Microsoft, LinkedIn or Facebook (:mod:`jewelerp.auth.oidc`).

* :func:`provider_buttons`, on the sign-in page: a button per provider set up, and the sentence of a refused
  sign-in (``/login?error=<code>&provider=<name>``). With no provider set up it shows nothing.
* :func:`linked_accounts_card`, on the profile page: the user's linked accounts (unlink) and the providers they
  may still link.
* :func:`admin_page` (``/admin/sign-in``): each provider's client ID and secret (write-only), Microsoft's
  tenants, and the redirect URI to register at the provider.

Buttons send the browser to ``/api/auth/<name>/start`` as a full page load on the backend's origin
(:func:`jewelerp.auth.session_cookie.load_page`). Every handler checks the session (and the permission) first;
arguments are type-checked, as any websocket may send anything.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import reflex as rx
from reflex.config import get_config
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.oidc import linked_accounts, refusal_message, unlink_account
from jewelerp.auth.oidc_routes import AUTH_PATH, callback_url
from jewelerp.auth.providers import ENV_PREFIX, PRESETS, label_of, provider_settings, save_provider, sign_in_providers
from jewelerp.auth.session_cookie import browser_origin, load_page, safe_next
from jewelerp.db import read_session
from jewelerp.errors import NotFound, ValidationError
from jewelerp.ui.forms import field, field_error
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState

MANAGE = "core.users.manage"
SETTING_FIELDS = ("client_id", "client_secret", "tenant", "allowed_tenants")


def _text(value: object) -> str:
    """``value`` when it is text ("" for anything else a hand-made websocket message may hold)."""
    return value if isinstance(value, str) else ""


def _query(state: rx.State, key: str) -> str:
    """A query parameter of the page's address, as text."""
    return _text(state.router.url.query_parameters.get(key, ""))


def start_url(state: rx.State, provider: str, **params: str) -> str:
    """``/api/auth/<provider>/start`` on the backend's origin as this browser reaches it."""
    origin = browser_origin(get_config().api_url, state.router.headers.origin)
    return f"{origin}{AUTH_PATH}{provider}/start?{urlencode(params)}"


def _provider(name: object) -> str:
    """``name`` when it names a known provider, else ""."""
    return name if isinstance(name, str) and name in PRESETS else ""


class SignInProvidersState(rx.State):
    """The provider buttons of the sign-in page (public: nobody is signed in there)."""

    providers: list[dict[str, str]] = []
    refusal: str = ""

    @rx.event
    def load(self) -> None:
        """List the providers set up, and the sentence of the refusal the page was sent back with."""
        self.refusal = refusal_message(_query(self, "error"), _provider(_query(self, "provider")))
        with read_session() as session:
            self.providers = sign_in_providers(session)

    @rx.event
    def start(self, name: str):
        """Sign in with provider ``name``, then come back to the page the sign-in page was asked for (``?next=``)."""
        provider = _provider(name)
        if not provider:
            return None
        return load_page(start_url(self, provider, next=safe_next(_query(self, "next") or "/")))


def _provider_button(provider: dict) -> rx.Component:
    return rx.button(
        "Sign in with " + provider["label"],
        type="button",
        variant="outline",
        size="3",
        width="100%",
        on_click=SignInProvidersState.start(provider["name"]),
    )


def provider_choices(providers: rx.Var, button: Callable[[rx.Var], rx.Component]) -> rx.Component:
    """An "or" line under a sign-in form, then a ``button`` for each of ``providers`` (``{"name", "label"}``)."""
    return rx.vstack(
        rx.hstack(
            rx.separator(size="4", flex="1"),
            rx.text("or", size="2", color_scheme="gray"),
            rx.separator(size="4", flex="1"),
            align="center",
            width="100%",
        ),
        rx.foreach(providers, button),
        spacing="3",
        width="100%",
    )


def provider_buttons() -> rx.Component:
    """The sign-in page's provider buttons and refusal sentence (nothing at all when no provider is set up and
    nothing was refused)."""
    shown = (SignInProvidersState.refusal != "") | (SignInProvidersState.providers.length() > 0)
    return rx.vstack(
        rx.cond(
            SignInProvidersState.refusal != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle-alert")),
                rx.callout.text(SignInProvidersState.refusal),
                color_scheme="red",
                role="alert",
                width="100%",
            ),
        ),
        rx.cond(
            SignInProvidersState.providers.length() > 0,
            provider_choices(SignInProvidersState.providers, _provider_button),
        ),
        display=rx.cond(shown, "flex", "none"),  # nothing at all, not even the form's gap, when nothing to show
        spacing="4",
        width="100%",
        on_mount=SignInProvidersState.load,
    )


def _linked_rows(session: Session, actor: Actor) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The user's linked accounts, and the providers set up that they have not linked yet."""
    links = linked_accounts(session, actor)
    rows = [
        {
            "id": str(link.id),
            "label": link.label,
            "email": link.email or "(no e-mail given)",
            "linked": f"{actor.local(link.linked_at):%d %b %Y}",
            "used": f"last used {actor.local(link.last_used_at):%d %b %Y %H:%M}"
            if link.last_used_at
            else "not used yet",
        }
        for link in links
    ]
    linked = {link.provider for link in links}
    return rows, [p for p in sign_in_providers(session) if p["name"] not in linked]


class LinkedAccountsState(AppState):
    """The profile page's linked accounts."""

    links: list[dict[str, str]] = []
    can_link: list[dict[str, str]] = []

    def _reload(self) -> None:
        found = self._run(_linked_rows, write=False)
        if found is not None:
            self.links, self.can_link = found

    @rx.event
    def load(self) -> None:
        """List the accounts; say how the link the page came back from went (``?linked=`` or ``?error=``)."""
        self._session()
        error, linked = _query(self, "error"), _provider(_query(self, "linked"))
        if refusal_message(error):
            self._say(refusal_message(error, _provider(_query(self, "provider"))), ok=False)
        elif linked:
            self._say(f"Your {label_of(linked)} account is linked. You can sign in with it from now on.")
        self._reload()

    @rx.event
    def link(self, name: str):
        """Go to provider ``name`` to link one of its accounts to the signed-in user."""
        self._session()
        provider = _provider(name)
        if not provider:
            return None
        return load_page(start_url(self, provider, purpose="link"))

    @rx.event
    def unlink(self, link_id: str) -> None:
        """Unlink one of the user's own linked accounts (someone else's is "no longer exists")."""

        def work(session: Session, actor: Actor) -> str:
            number = int(link_id) if isinstance(link_id, str) and link_id.isdigit() else 0
            label = next((a.label for a in linked_accounts(session, actor) if a.id == number), "")
            if not label:
                raise NotFound("That linked account no longer exists.")
            unlink_account(session, actor, number)
            return label

        label = self._run(work)
        if label is not None:
            self._say(f"Your {label} account is unlinked. It can no longer sign you in.")
        self._reload()


def _link_row(row: dict) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row["label"], " · ", row["email"], size="2", weight="medium"),
            rx.text("Linked ", row["linked"], " · ", row["used"], size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.button(
            "Unlink",
            size="1",
            variant="soft",
            color_scheme="red",
            on_click=LinkedAccountsState.unlink(row["id"]),
            aria_label="Unlink " + row["label"] + " " + row["email"],
        ),
        align="center",
        width="100%",
        wrap="wrap",
    )


def _link_button(provider: dict) -> rx.Component:
    return rx.button(
        "Link " + provider["label"],
        variant="soft",
        on_click=LinkedAccountsState.link(provider["name"]),
    )


def linked_accounts_card() -> rx.Component:
    """The profile page's card: linked accounts with their Unlink buttons, and a Link button per provider."""
    return rx.card(
        rx.vstack(
            rx.heading("Linked accounts", size="4"),
            rx.cond(
                LinkedAccountsState.links.length() > 0,
                rx.vstack(rx.foreach(LinkedAccountsState.links, _link_row), spacing="3", width="100%"),
                rx.text("No account of another provider is linked.", size="2", color_scheme="gray"),
            ),
            rx.cond(
                LinkedAccountsState.can_link.length() > 0,
                rx.vstack(
                    rx.text(
                        "Link an account to sign in with it instead of your password.", size="2", color_scheme="gray"
                    ),
                    rx.hstack(rx.foreach(LinkedAccountsState.can_link, _link_button), spacing="2", wrap="wrap"),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        max_width="34rem",
        width="100%",
        on_mount=LinkedAccountsState.load,
    )


class ProviderSettingsState(AppState):
    """The admin page of the sign-in providers; ``values`` holds each field as ``<provider>_<field>``."""

    values: dict[str, str] = {}
    version: int = 0

    def _reload(self) -> None:
        def work(session: Session, actor: Actor) -> dict[str, str]:
            values: dict[str, str] = {}
            frontend = self._app_origin()
            for row in provider_settings(session, actor):
                values.update(
                    {
                        f"{row.code}_enabled": "on" if row.enabled else "",
                        f"{row.code}_client_id": row.client_id,
                        f"{row.code}_has_secret": "yes" if row.has_secret else "",
                        f"{row.code}_tenant": row.tenant,
                        f"{row.code}_allowed_tenants": row.allowed_tenants,
                        f"{row.code}_from_environment": "yes" if row.from_environment else "",
                        f"{row.code}_redirect": callback_url(frontend, row.code),
                    }
                )
            return values

        values = self._run(work, write=False)
        if values is not None:
            self.values = values
            self.version += 1  # fresh forms: the saved values, never a typed secret

    @rx.event
    def load(self) -> None:
        """Read every provider's settings."""
        self._clear_messages()
        self._reload()

    @rx.event
    def save(self, form: dict) -> None:
        """Save one provider's card (its hidden ``provider`` field names it)."""

        def work(session: Session, actor: Actor) -> str:
            actor.require(MANAGE)
            data = form if isinstance(form, dict) else {}
            code = _provider(data.get("provider"))
            if not code:
                raise NotFound("There is no such sign-in provider.")
            try:
                save_provider(
                    session,
                    actor,
                    code,
                    enabled=bool(data.get(f"{code}_enabled")),
                    **{name: _text(data.get(f"{code}_{name}", "")) for name in SETTING_FIELDS},
                )
            except ValidationError as exc:  # each card's fields are named after its provider
                raise ValidationError({f"{code}_{k}": v for k, v in exc.fields.items()}) from exc
            return PRESETS[code].label

        label = self._run(work)
        if label is not None:
            self._reload()
            self._say(f"{label} sign-in settings saved.")


def _copyable(label: str, value: rx.Var, field_id: str, hint: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id),
        rx.hstack(
            rx.text_area(  # wraps: the whole address stays readable on a phone
                id=field_id,
                name=field_id,  # submitted with the card's form, and ignored by the save
                value=value,
                read_only=True,
                rows="2",
                resize="none",
                width="100%",
                font_family="monospace",
                word_break="break-all",
            ),
            rx.icon_button(
                rx.icon("copy", size=16),
                type="button",
                variant="soft",
                on_click=[rx.set_clipboard(value), rx.toast.success("Copied", position="top-center")],
                aria_label="Copy " + label.lower(),
            ),
            width="100%",
            align="center",
        ),
        rx.text(hint, size="1", color_scheme="gray"),
        spacing="1",
        width="100%",
    )


def _provider_card(code: str) -> rx.Component:
    preset = PRESETS[code]
    value = ProviderSettingsState.values
    env = f"{ENV_PREFIX}{code.upper()}_CLIENT_ID"
    tenant_fields = (
        [
            field(
                "Tenant",
                f"{code}_tenant",
                default_value=value[f"{code}_tenant"],
                placeholder="organizations",
                hint="A tenant ID or domain (zaveri.in) lets only that organisation in; empty means organizations "
                "(any work or school account, each still linked by its user).",
            ),
            field(
                "Allowed tenant IDs",
                f"{code}_allowed_tenants",
                default_value=value[f"{code}_allowed_tenants"],
                hint="Optional, comma-separated: only accounts of these tenants may sign in.",
            ),
        ]
        if preset.tenants
        else []
    )
    return rx.card(
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.heading(preset.label, size="4"),
                    rx.spacer(),
                    rx.el.label(
                        rx.text("Enabled", size="2"),
                        html_for=f"field-{code}_enabled",
                    ),
                    rx.switch(
                        id=f"field-{code}_enabled",
                        name=f"{code}_enabled",
                        default_checked=value[f"{code}_enabled"] == "on",
                    ),
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    value[f"{code}_from_environment"] != "",
                    rx.callout.root(
                        rx.callout.icon(rx.icon("info")),
                        rx.callout.text(
                            f"{env} is set on the server: the environment wins over these settings "
                            f"(and {ENV_PREFIX}{code.upper()}_CLIENT_SECRET over the secret)."
                        ),
                        color_scheme="blue",
                        size="1",
                        width="100%",
                        overflow_wrap="anywhere",  # the variables' long names wrap on a phone
                    ),
                ),
                rx.el.input(type="hidden", name="provider", value=code),
                field("Client ID", f"{code}_client_id", default_value=value[f"{code}_client_id"], auto_complete="off"),
                rx.vstack(
                    rx.hstack(
                        rx.el.label(
                            rx.text("Client secret", size="2", weight="medium"), html_for=f"field-{code}_client_secret"
                        ),
                        rx.cond(value[f"{code}_has_secret"] != "", rx.badge("saved", color_scheme="green")),
                        align="center",
                    ),
                    rx.input(
                        id=f"field-{code}_client_secret",
                        name=f"{code}_client_secret",
                        type="password",
                        auto_complete="new-password",
                        placeholder=rx.cond(
                            value[f"{code}_has_secret"] != "", "Saved; type a new one to replace it", "Not set"
                        ),
                        width="100%",
                    ),
                    field_error(f"{code}_client_secret"),
                    spacing="1",
                    width="100%",
                ),
                *tenant_fields,
                _copyable(
                    "Redirect URI",
                    value[f"{code}_redirect"],
                    f"field-{code}_redirect",
                    f"Register this address in {preset.label}'s developer console as the app's redirect URI.",
                ),
                rx.button(f"Save {preset.label}", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=ProviderSettingsState.save,
            no_validate=True,
            key=f"{code}-" + ProviderSettingsState.version.to(str),
        ),
        width="100%",
    )


def admin_page() -> rx.Component:
    """The sign-in providers page (admins)."""
    return shell(
        rx.vstack(
            rx.text(
                "Staff may sign in with an account of these providers besides their password. A Google account "
                "signs in as the user with the e-mail Google verified; any other account must first be linked by "
                "its user on their account page.",
                size="2",
                color_scheme="gray",
            ),
            rx.grid(
                *[_provider_card(code) for code in PRESETS],
                columns=rx.breakpoints(initial="1", lg="2"),
                spacing="4",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        "Sign-in providers",
    )
