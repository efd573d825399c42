"""One event: its facts and public link, invitations, registration open or closed, the registrations with their
check-ins, the waiting list in order, cancellations, and linking a registration to a customer."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import require_fields
from jewelerp.ui.forms import fact, field, select_field, simple_table
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.validation import MAX_ID, read_int
from modules.events.detail import event_view, link_customer
from modules.events.invitations import send_invitations
from modules.events.records import MANAGE
from modules.events.services import set_registration_open

HEADERS = ("#", "Name", "E-mail", "Phone", "Customer", "Registered", "Checked in")


class EventState(AppState):
    """What the event page shows (one event; its registrations are at most its capacity plus a waiting list)."""

    event: dict[str, str] = {}
    confirmed: list[dict[str, str]] = []
    waiting: list[dict[str, str]] = []
    cancelled: list[dict[str, str]] = []
    link_choices: list[dict[str, str]] = []  # registrations not linked to a customer: value (id) and label
    registration_open: bool = False
    can_manage: bool = False
    found: bool = False
    version: int = 0

    def _id(self) -> int:
        return self._route_number("event_id")

    def _reload(self) -> None:
        def work(session: Session, actor: Actor) -> dict[str, Any]:
            return {**event_view(session, actor, self._id()), "can_manage": actor.can(MANAGE)}

        data = self._run(work, write=False)  # the session is checked before the address is read
        self.found = data is not None
        if data is None:
            return
        self.confirmed, self.waiting, self.cancelled = data["confirmed"], data["waiting"], data["cancelled"]
        self.registration_open, self.can_manage = data["registration_open"], data["can_manage"]
        self.link_choices = [
            {"value": row["id"], "label": f"{row['name']} · {row['email']}"}
            for row in data["confirmed"] + data["waiting"]
            if not row["customer"]
        ]
        keys = ("title", "kind", "when", "place", "meeting_link", "description", "capacity", "audience")
        self.event = {key: str(data[key]) for key in keys} | {
            "public_url": data["public_url"],
            "invited": data["invited"],
            "checked_in": data["checked_in"],
            "places": f"{len(data['confirmed'])} of {data['capacity']}",
        }
        self.version += 1

    @rx.event
    def load(self) -> None:
        """Runs after the shell's access check."""
        self._clear_messages()
        self._reload()

    @rx.event
    def invite(self) -> None:
        """Send the invitations not sent yet."""
        report = self._run(lambda s, a: send_invitations(s, a, self._id()))
        if report is not None:
            self._say(f"Invited {report.invited} customer(s); {report.already} had been invited before.")
        self._after(report)

    @rx.event
    def toggle_registration(self) -> None:
        """Close an open registration, or open a closed one."""
        wanted = not self.registration_open
        done = "Registration is open." if wanted else "Registration is closed."
        self._after(self._run(lambda s, a: set_registration_open(s, a, self._id(), wanted), done=done))

    @rx.event
    def link(self, form: dict) -> None:
        """Link a registration to the customer staff recognised (customer number); the form is read only after
        the session is checked."""

        def work(session: Session, actor: Actor) -> object:
            registration_id = read_int(str(form.get("registration", "")), 1, MAX_ID)
            customer_id = read_int(str(form.get("customer", "")).lstrip("#"), 1, MAX_ID)
            errors = {
                **({"registration": "Choose a registration."} if registration_id is None else {}),
                **({"customer": "Enter the customer number, e.g. 42."} if customer_id is None else {}),
            }
            require_fields(errors)
            return link_customer(session, actor, registration_id, customer_id)

        self._after(self._run(work, done="Registration linked."))


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["position"]),
        rx.table.cell(row["name"], white_space="nowrap"),
        rx.table.cell(row["email"]),
        rx.table.cell(row["phone"], white_space="nowrap"),
        rx.table.cell(rx.cond(row["customer_link"] != "", rx.link(row["customer"], href=row["customer_link"]), "")),
        rx.table.cell(row["registered"], white_space="nowrap"),
        rx.table.cell(row["checked_in"]),
    )


def _list(title: str, rows: rx.Var, empty: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4"),
            rx.cond(rows.length() > 0, simple_table(HEADERS, rows, _row), rx.text(empty, color_scheme="gray")),
            width="100%",
        ),
        width="100%",
    )


def _facts() -> rx.Component:
    event = EventState.event
    return rx.card(
        rx.vstack(
            rx.heading(event["title"], size="6"),
            fact("Kind", event["kind"]),
            fact("When", event["when"]),
            fact("Place", event["place"]),
            fact("Meeting link", event["meeting_link"]),
            fact("Places taken", event["places"]),
            fact("Waiting", EventState.waiting.length().to_string()),
            fact("Checked in", event["checked_in"]),
            fact("Audience", event["audience"]),
            fact("Invited", event["invited"]),
            fact("Registration", rx.cond(EventState.registration_open, "Open", "Closed")),
            rx.text(event["description"], size="2", white_space="pre-line"),
            rx.hstack(
                rx.text("Public page:", size="2", color_scheme="gray"),
                rx.link(
                    event["public_url"], href=event["public_url"], is_external=True, size="2", word_break="break-all"
                ),
                align="start",
                wrap="wrap",
            ),
            rx.cond(
                EventState.can_manage,
                rx.hstack(
                    rx.button(rx.icon("send", size=16), "Send invitations", on_click=EventState.invite),
                    rx.button(
                        rx.cond(EventState.registration_open, "Close registration", "Open registration"),
                        variant="soft",
                        on_click=EventState.toggle_registration,
                    ),
                    wrap="wrap",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _link_form() -> rx.Component:
    return rx.cond(
        EventState.can_manage & (EventState.link_choices.length() > 0),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Link a registration to a customer", size="4"),
                    rx.text(
                        "Registrations made without the customer's own invitation link are not linked: check who it "
                        "is, then link it here.",
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.grid(
                        select_field("Registration", "registration", EventState.link_choices),
                        field("Customer no.", "customer", type="number", min="1"),
                        columns=rx.breakpoints(initial="1", md="2"),
                        spacing="3",
                        width="100%",
                    ),
                    rx.button("Link", type="submit"),
                    width="100%",
                ),
                on_submit=EventState.link,
                reset_on_submit=False,
                no_validate=True,
                key=EventState.version.to_string(),
            ),
            width="100%",
        ),
    )


def event_page() -> rx.Component:
    """The event page."""
    return shell(
        rx.cond(
            EventState.found,
            rx.vstack(
                rx.link("← All events", href="/events", size="2"),
                _facts(),
                _list("Registrations", EventState.confirmed, "Nobody has registered yet."),
                _list("Waiting list", EventState.waiting, "Nobody is waiting."),
                _list("Cancelled", EventState.cancelled, "No cancellations."),
                _link_form(),
                spacing="4",
                width="100%",
            ),
        ),
        "Event",
    )
