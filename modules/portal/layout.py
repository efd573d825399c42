"""The portal's look: one narrow column that fits a 360 px phone, a header with the store and the sections.

Other modules add sections to the menu through the ``"portal.menu"`` extension point: a :class:`MenuLink`
(``label``, ``href`` under ``/portal/`` or under the contributing module's own routes ``/<module name>``), e.g. a
portal-events bridge's "My events" at ``/portal_events``. The menu is built when the app is
compiled, from the installed modules; a page whose module is off in the customer's store must say so itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import reflex as rx

from jewelerp.registry import get_registry
from jewelerp.ui.forms import page_message
from jewelerp.ui.shell import logo

SECTIONS = (
    ("Home", "/portal"),
    ("Invoices", "/portal/invoices"),
    ("My pieces", "/portal/pieces"),
    ("Repairs", "/portal/repairs"),
    ("Gold schemes", "/portal/schemes"),
    ("Wish list", "/portal/wishlist"),
    ("Occasions", "/portal/occasions"),
    ("My cases", "/portal/cases"),
    ("My choices", "/portal/consent"),
)


MENU = "portal.menu"


class MenuItem(Protocol):
    """A ``"portal.menu"`` contribution: the text of the link and the portal page it opens."""

    label: str
    href: str


@dataclass(frozen=True)
class MenuLink:
    """A link a module adds to the portal's menu (``href`` under ``/portal/`` or the module's own routes)."""

    label: str
    href: str


def _in_portal(module_name: str, href: str) -> bool:
    """Whether ``href`` is a portal page or a page of the module that contributed it."""
    return href.startswith("/portal/") or href == f"/{module_name}" or href.startswith(f"/{module_name}/")


def menu() -> list[tuple[str, str]]:
    """The portal's own sections, then those installed modules contribute (links to other pages left out)."""
    contributed = get_registry().contributions_by_module(MENU, None)
    added = [(c.label, c.href) for module, c in contributed if _in_portal(module.name, c.href)]
    return [*SECTIONS, *added]


def _brand(store: rx.Var | str) -> rx.Component:
    return rx.hstack(logo("1.6rem"), rx.heading(store, size="4"), align="center", spacing="2")


def portal_page(title: str, state: type, *children: rx.Component) -> rx.Component:
    """A signed-in portal page: the store, the sections as links, ``title`` and the content."""
    nav = rx.el.nav(
        rx.flex(
            *[rx.link(label, href=href, size="2", weight="medium") for label, href in menu()],
            rx.button("Sign out", on_click=state.sign_out, variant="soft", size="1"),
            wrap="wrap",
            gap="0.6rem 1rem",
            align="center",
        ),
        aria_label="Portal sections",
    )
    return rx.box(
        rx.vstack(
            rx.hstack(_brand(state.store_name), rx.spacer(), rx.text(state.customer_name, size="2"), width="100%"),
            nav,
            rx.divider(),
            rx.heading(title, size="6", as_="h1"),
            page_message(),
            *children,
            spacing="4",
            width="100%",
        ),
        width="100%",
        max_width="44rem",
        margin="0 auto",
        padding="1rem",
    )


def record_card(*children: rx.Component) -> rx.Component:
    """One record (an invoice, a job, a scheme) as a card: rows of text stacked, readable on a phone."""
    return rx.card(rx.vstack(*children, spacing="1", width="100%"), width="100%")


def remove_button(text: str, on_click: Any, aria_label: rx.Var | str) -> rx.Component:
    """A small red button that takes something away (a wish, a linked account), named for screen readers."""
    return rx.button(text, on_click=on_click, size="1", variant="soft", color_scheme="red", aria_label=aria_label)


def empty(text: str) -> rx.Component:
    """What a section says when it has nothing to show."""
    return rx.text(text, color_scheme="gray", size="2")


def card_list(items: rx.Var, card: Callable[[rx.Var], rx.Component], none: str) -> rx.Component:
    """``items`` drawn one under the other by ``card``, or ``none`` when there are none."""
    return rx.cond(items, rx.vstack(rx.foreach(items, card), width="100%"), empty(none))
