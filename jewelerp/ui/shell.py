"""The app shell: sidebar from the enabled modules' menus, header with store switcher and user menu."""

from __future__ import annotations

import reflex as rx

from jewelerp.ui.forms import page_message
from jewelerp.ui.search_box import search_box
from jewelerp.ui.shell_state import ShellState

SIDEBAR_WIDTH = "15rem"


def _nav_item(item: dict) -> rx.Component:
    active = rx.State.router.page.path == item["route"]
    return rx.link(
        rx.text(item["label"], size="2", weight=rx.cond(active, "bold", "regular")),
        href=item["route"],
        underline="none",
        color_scheme=rx.cond(active, "amber", "gray"),
        high_contrast=True,
        padding_x="0.75rem",
        padding_y="0.45rem",
        border_radius="var(--radius-2)",
        background=rx.cond(active, "var(--amber-a4)", "transparent"),
        _hover={"background": "var(--gray-a3)"},
        width="100%",
    )


def navigation() -> rx.Component:
    """The menu: store pages first, then administration."""
    return rx.vstack(
        rx.foreach(ShellState.menu, _nav_item),
        rx.cond(
            ShellState.admin_menu.length() > 0,
            rx.vstack(
                rx.text(
                    "Administration",
                    size="1",
                    weight="bold",
                    color_scheme="gray",
                    padding_x="0.75rem",
                    padding_top="1rem",
                ),
                rx.foreach(ShellState.admin_menu, _nav_item),
                spacing="1",
                width="100%",
            ),
        ),
        spacing="1",
        width="100%",
        role="navigation",
        aria_label="Main menu",
    )


def logo(size: str = "1.5rem") -> rx.Component:
    """The JewelERP gem (``assets/logo.svg``), decorative beside the name."""
    return rx.image(src="/logo.svg", alt="", width=size, height=size)


def _brand() -> rx.Component:
    return rx.hstack(
        logo(),
        rx.heading("JewelERP", size="4"),
        align="center",
        padding_x="0.75rem",
        padding_bottom="1rem",
    )


def sidebar() -> rx.Component:
    """Fixed sidebar on wide screens."""
    return rx.box(
        _brand(),
        navigation(),
        width=SIDEBAR_WIDTH,
        min_width=SIDEBAR_WIDTH,
        padding="1rem 0.5rem",
        border_right="1px solid var(--gray-a5)",
        background="var(--gray-a2)",
        min_height="100vh",
        display=["none", "none", "none", "block"],
    )


def mobile_menu() -> rx.Component:
    """A drawer with the same menu on phones and tablets."""
    return rx.box(
        rx.drawer.root(
            rx.drawer.trigger(
                rx.icon_button(rx.icon("menu"), variant="soft", color_scheme="gray", aria_label="Open menu")
            ),
            rx.drawer.overlay(z_index="5"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(
                        rx.hstack(
                            _brand(),
                            rx.spacer(),
                            rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost", aria_label="Close menu")),
                        ),
                        navigation(),
                        width="100%",
                    ),
                    top="auto",
                    left="0",
                    height="100%",
                    width="16rem",
                    padding="1rem",
                    background_color="var(--color-panel-solid)",
                ),
            ),
            direction="left",
        ),
        display=["block", "block", "block", "none"],
    )


def store_switcher() -> rx.Component:
    """Choose the current store among those the user has a role in."""
    return rx.select.root(
        rx.select.trigger(aria_label="Current store", min_width="10rem"),
        rx.select.content(rx.foreach(ShellState.stores, lambda s: rx.select.item(s["label"], value=s["id"]))),
        value=ShellState.store_id,
        on_change=ShellState.switch_store,
        size="2",
    )


def notification_bell() -> rx.Component:
    """A bell linking to the signed-in person's notifications, with the unread count."""
    count = rx.cond(ShellState.unread > 9, "9+", ShellState.unread.to_string())
    return rx.link(
        rx.icon("bell", size=18),
        rx.cond(
            ShellState.unread > 0,
            rx.badge(
                count, color_scheme="red", variant="solid", radius="full", position="absolute", top="-6px", right="-8px"
            ),
        ),
        href="/notifications",
        aria_label=rx.cond(ShellState.unread > 0, f"Notifications: {ShellState.unread} unread", "Notifications"),
        position="relative",
        display="inline-flex",
        padding="0.5rem",
        color="var(--gray-11)",
        border_radius="var(--radius-2)",
        _hover={"background": "var(--gray-a3)"},
    )


def user_menu() -> rx.Component:
    """Name and role, change password and sign out."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("circle-user", size=16),
                ShellState.user_name,
                variant="soft",
                aria_label=ShellState.user_name + ", user menu",  # the name shown is part of it (WCAG 2.5.3)
            )
        ),
        rx.menu.content(
            rx.box(
                rx.text(ShellState.user_email, size="1"),
                rx.text(ShellState.role, size="1", color_scheme="gray"),
                padding_x="0.75rem",
                padding_y="0.25rem",
            ),
            rx.menu.separator(),
            rx.menu.item("Your account", on_click=rx.redirect("/account/profile")),
            rx.menu.item("Change password", on_click=rx.redirect("/account/password")),
            rx.menu.item("Sign out", color_scheme="red", on_click=ShellState.logout),
        ),
    )


def header(title: str) -> rx.Component:
    """Page title, the search box, the store switcher and user menu."""
    return rx.flex(
        mobile_menu(),
        rx.heading(title, size="6"),
        search_box(),
        rx.spacer(),
        store_switcher(),
        notification_bell(),
        user_menu(),
        spacing="3",
        align="center",
        wrap="wrap",
        width="100%",
        padding_bottom="1rem",
        border_bottom="1px solid var(--gray-a4)",
        margin_bottom="1rem",
    )


def blocked(message: rx.Var) -> rx.Component:
    """What a page shows when its module is off here or the user lacks the right."""
    return rx.card(
        rx.vstack(
            rx.icon("lock", size=28, color="var(--gray-9)"),
            rx.heading(message, size="4"),
            rx.text("Nothing was changed. Ask an admin if you need this page.", color_scheme="gray"),
            rx.link("Back to home", href="/"),
            align="center",
            spacing="2",
            padding="2rem",
        ),
        max_width="36rem",
        margin_x="auto",
        margin_top="2rem",
    )


def shell(content: rx.Component, title: str) -> rx.Component:
    """Wrap a page in the shell; the content shows once access has been checked and the page's own load ran.

    ``ready`` still holds the previous page's value when the browser moves to another page; Reflex marks the
    state not hydrated as the move starts, so the new page's fields never show (and take typing) before its
    load has run and remounted them.
    """
    return rx.flex(
        sidebar(),
        rx.box(
            header(title),
            page_message(),
            rx.cond(
                ShellState.ready & rx.State.is_hydrated,
                rx.cond(
                    ShellState.block != "",
                    blocked(ShellState.block),
                    rx.box(content, width="100%", padding_top="0.5rem"),
                ),
                rx.center(rx.spinner(size="3"), padding="3rem"),
            ),
            flex="1",
            min_width="0",
            padding=["0.75rem", "1rem", "1.5rem", "1.5rem 2rem"],
        ),
        width="100%",
        min_height="100vh",
    )
