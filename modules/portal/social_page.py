"""The "Sign-in accounts" card of "My contact choices": the Google, Facebook or LinkedIn accounts a customer signs
in with (unlink), and the providers they may still link (:mod:`modules.portal.social`)."""

from __future__ import annotations

import reflex as rx

from jewelerp.auth.providers import label_of
from jewelerp.auth.session_cookie import load_page
from modules.portal import social
from modules.portal.access import Customer
from modules.portal.layout import empty, record_card, remove_button
from modules.portal.records import record_number
from modules.portal.state import PortalState, to_sign_in


class PortalAccountsState(PortalState):
    """The signed-in customer's linked provider accounts and the providers set up that they may link."""

    linked: list[dict[str, str]] = []
    can_link: list[dict[str, str]] = []

    def _reload(self, customer: Customer) -> None:
        rows = self._portal(customer, lambda s, c: social.linked_accounts(s, c.account_id)) or []
        self.linked = [{"id": str(row.id), "label": row.label, "email": row.email} for row in rows]
        taken = {row.provider for row in rows}
        self.can_link = [p for p in social.portal_providers() if p["name"] not in taken]

    @rx.event
    def load(self):
        """Show the linked accounts; after a link, say which account was linked."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        self._reload(customer)
        provider = self.router.url.query_parameters.get("linked", "")
        if isinstance(provider, str) and provider in social.PROVIDERS:
            self._say(f"Your {label_of(provider)} account is linked: you can sign in with it.")
        return None

    @rx.event
    def link_with(self, name: str):
        """Link an account of provider ``name``: a full page load of the start route (this browser's session)."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        if not any(provider["name"] == name for provider in self.can_link):
            return None
        return load_page(social.start_url(str(self.router.headers.origin or ""), name, link="1"))

    @rx.event
    def unlink(self, link_id: str):
        """Unlink one of the customer's accounts (they still sign in with a code)."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        client_ip = self._client_ip()
        self._change(
            customer,
            lambda s, c: social.unlink(s, c.account_id, record_number(link_id), client_ip),
            lambda label: f"Your {label} account is unlinked.",
        )
        return None


def sign_in_accounts_card() -> rx.Component:
    """The card: each linked account with "Unlink", then a "Link" button per provider not linked yet."""

    def linked(row: rx.Var) -> rx.Component:
        return rx.hstack(
            rx.text(row["label"], size="2", weight="medium"),
            rx.text(row["email"], size="2", color_scheme="gray"),
            rx.spacer(),
            remove_button("Unlink", PortalAccountsState.unlink(row["id"]), "Unlink " + row["label"]),
            align="center",
            wrap="wrap",
            width="100%",
        )

    def can_link(provider: rx.Var) -> rx.Component:
        return rx.button(
            "Link " + provider["label"],
            on_click=PortalAccountsState.link_with(provider["name"]),
            variant="outline",
            size="2",
        )

    shown = rx.cond(
        (PortalAccountsState.linked.length() > 0) | (PortalAccountsState.can_link.length() > 0),
        record_card(
            rx.heading("Sign-in accounts", size="3", as_="h2"),
            rx.cond(
                PortalAccountsState.linked.length() > 0,
                rx.vstack(rx.foreach(PortalAccountsState.linked, linked), width="100%"),
                empty("You sign in with a code. Link an account to sign in with it instead."),
            ),
            rx.flex(rx.foreach(PortalAccountsState.can_link, can_link), gap="0.5rem", wrap="wrap"),
        ),
    )
    return rx.box(shown, width="100%", on_mount=PortalAccountsState.load)
