"""The portal's "My events" page: the store's upcoming events with a Register button, and the customer's own
registrations with their status, place on the waiting list, check-in, and Cancel. Every handler checks the portal
session first."""

from __future__ import annotations

import reflex as rx

from modules.events.api import Registered
from modules.portal.api import (
    Customer,
    LoadMixin,
    MenuLink,
    PortalState,
    card_list,
    portal_page,
    record_card,
    to_sign_in,
)
from modules.portal_events import registrations

MY_EVENTS = MenuLink("My events", "/portal_events")


def _outcome(done: Registered, email: str) -> str:
    if done.again:
        return "You are registered for this event already."
    if done.status == "confirmed":
        return f"You are registered. Your confirmation with the calendar file and your ticket is on its way to {email}."
    return f"The event is full: you are number {done.position} on the waiting list. We will write when a place opens."


def _cancelled(cancelled: bool) -> str:
    return "Your registration is cancelled." if cancelled else "This registration was cancelled already."


class PortalEventsState(LoadMixin, PortalState):
    """The store's upcoming events and the customer's registrations (``load`` shows them)."""

    events: list[dict[str, str]] = []
    registrations: list[dict[str, str]] = []

    def _reload(self, customer: Customer) -> None:
        found = self._portal(customer, registrations.overview) or {}
        self.events, self.registrations = found.get("events", []), found.get("registrations", [])

    @rx.event
    def register(self, event_id: str):
        """Register the signed-in customer for an event (a second click changes nothing)."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        ip = self._client_ip()
        email = customer.email
        self._change(customer, lambda s, c: registrations.register(s, c, event_id, ip), lambda d: _outcome(d, email))
        return None

    @rx.event
    def cancel(self, registration_id: str):
        """Cancel one of the customer's registrations; another's answers "Not found." and is logged."""
        customer = self._signed_in()
        if customer is None:
            return to_sign_in()
        self._change(customer, lambda s, c: registrations.cancel(s, c, registration_id), _cancelled)
        return None


def _fact(label: str, value: rx.Var) -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(rx.text(label, size="2", color_scheme="gray", min_width="6rem"), rx.text(value, size="2")),
    )


def _event(event: rx.Var) -> rx.Component:
    return record_card(
        rx.hstack(rx.text.strong(event["title"]), rx.spacer(), rx.badge(event["kind"]), width="100%", wrap="wrap"),
        _fact("When", event["when"]),
        _fact("Where", event["where"]),
        rx.cond(
            event["registered"] != "",
            rx.badge("You are registered", color_scheme="green", width="fit-content"),
            rx.button(
                "Register",
                on_click=PortalEventsState.register(event["id"]),
                size="2",
                aria_label="Register for " + event["title"],
            ),
        ),
    )


def _registration(registration: rx.Var) -> rx.Component:
    return record_card(
        rx.hstack(
            rx.text.strong(registration["title"]),
            rx.spacer(),
            rx.badge(registration["status"], aria_label="Registration for " + registration["title"]),
            width="100%",
            wrap="wrap",
        ),
        _fact("When", registration["when"]),
        _fact("Where", registration["where"]),
        _fact("In the queue", registration["position"]),
        rx.cond(registration["checked_in"] != "", rx.badge("Checked in", color_scheme="green", width="fit-content")),
        rx.cond(
            registration["can_cancel"] != "",
            rx.button(
                "Cancel",
                on_click=PortalEventsState.cancel(registration["id"]),
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label="Cancel my registration for " + registration["title"],
            ),
        ),
    )


def events_page() -> rx.Component:
    """Upcoming events to register for, then the customer's registrations."""
    return portal_page(
        "Events",
        PortalEventsState,
        rx.heading("Coming up", size="4", as_="h2"),
        card_list(PortalEventsState.events, _event, "No events open for registration right now."),
        rx.heading("My registrations", size="4", as_="h2"),
        card_list(PortalEventsState.registrations, _registration, "You have not registered for an event yet."),
    )
