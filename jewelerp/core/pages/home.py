"""Home dashboard: the cards enabled modules contribute."""

from __future__ import annotations

import reflex as rx

from jewelerp.dashboard import dashboard_cards
from jewelerp.ui.shell import shell
from jewelerp.ui.shell_state import ShellState
from jewelerp.ui.state import AppState


class HomeState(AppState):
    """Dashboard cards of the current store."""

    cards: list[dict[str, str]] = []

    @rx.event
    def load(self) -> None:
        """Compute the cards for the actor's store."""
        self.cards = self._run(dashboard_cards, write=False) or []


def _card(card: dict) -> rx.Component:
    body = rx.vstack(
        rx.text(card["title"], size="2", color_scheme="gray", weight="medium"),
        rx.heading(card["value"], size="7"),
        rx.text(card["caption"], size="1", color_scheme="gray"),
        spacing="1",
    )
    return rx.card(rx.cond(card["link"] != "", rx.link(body, href=card["link"], underline="none"), body))


def page() -> rx.Component:
    """The home page."""
    return shell(
        rx.vstack(
            rx.text("Welcome, ", ShellState.user_name, ". You are working in ", ShellState.store_name, ".", size="3"),
            rx.cond(
                HomeState.cards.length() > 0,
                rx.grid(
                    rx.foreach(HomeState.cards, _card),
                    columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                    spacing="4",
                    width="100%",
                ),
                rx.callout.root(
                    rx.callout.text("No enabled module contributes dashboard cards in this store yet."),
                    color_scheme="gray",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "Home",
    )
