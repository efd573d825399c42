"""One event: its facts and public link, invitations, registration open or closed, changing the event and
calling it off (managers, before it starts), the registrations with their check-ins, the waiting list in order,
cancelling a registration for someone who asked, cancellations, and linking a registration to a customer."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound, require_fields
from jewelerp.ui.forms import fact, field, field_error, select_field, simple_table
from jewelerp.ui.record_form import record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.validation import MAX_ID, read_int
from modules.events.changes import cancel_event, cancel_registration, edit_values, update_event
from modules.events.detail import event_view, link_customer
from modules.events.event_form import EventFormMixin, event_fields, event_input, form_values
from modules.events.invitations import send_invitations
from modules.events.records import MANAGE
from modules.events.services import set_registration_open

HEADERS = ("#", "Name", "E-mail", "Phone", "Customer", "Registered", "Checked in")


class EventState(EventFormMixin, AppState):
    """What the event page shows (one event; its registrations are at most its capacity plus a waiting list), and
    the edit form."""

    event: dict[str, str] = {}
    confirmed: list[dict[str, str]] = []
    waiting: list[dict[str, str]] = []
    cancelled: list[dict[str, str]] = []
    link_choices: list[dict[str, str]] = []  # registrations not linked to a customer: value (id) and label
    registration_open: bool = False
    can_manage: bool = False
    changeable: bool = False  # not cancelled, not started
    calling_off: bool = False  # the "Cancel event" form is open
    confirm_cancel: str = ""  # the registration (id) whose cancellation waits for "Yes, cancel"
    confirm_name: str = ""
    confirm_list: str = ""  # where that registration is shown: confirmed | waiting
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
        self.changeable, self.confirm_cancel, self.confirm_list = data["changeable"], "", ""
        self.link_choices = [
            {"value": row["id"], "label": f"{row['name']} · {row['email']}"}
            for row in data["confirmed"] + data["waiting"]
            if not row["customer"]
        ]
        keys = ("title", "kind", "when", "place", "meeting_link", "description", "capacity", "audience", "called_off")
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
        self.form_open = self.calling_off = False
        self._reload()

    @rx.event
    def edit(self) -> None:
        """Open the edit form on the event as it is (managers; the service checks)."""
        values = self._run(lambda s, a: edit_values(s, a, self._id()), write=False)
        if values is not None:
            self.calling_off = False
            self._open_event_form(self._id(), values)

    @rx.event
    def save(self, form: dict) -> None:
        """Save the changes; on bad input each field shows its message and keeps what was typed."""
        event = self._run(lambda s, a: update_event(s, a, self._id(), event_input(form)))
        if event is None:
            self._keep_event_form(form)
            return
        self.form_open = False
        self._say(f"{event.title} was saved.")
        self._after(event)

    def _manager(self) -> bool:
        """Whether the signed-in person may manage events here (the session is checked first)."""
        return bool(self._run(lambda s, a: a.require(MANAGE) or True, write=False))

    @rx.event
    def open_call_off(self) -> None:
        """Show the form that cancels the event (managers)."""
        if self._manager():
            self.form_open, self.calling_off = False, True

    @rx.event
    def keep_event(self) -> None:
        """Close the cancel form without cancelling."""
        self._clear_messages()
        self.calling_off = False

    @rx.event
    def call_off(self, form: dict) -> None:
        """Cancel the event with the reason typed; registrants are told."""
        told = self._run(lambda s, a: cancel_event(s, a, self._id(), str(form_values(form).get("reason", ""))[:2000]))
        if told is not None:
            self.calling_off = False
            self._say(f"The event is cancelled; {told} registrant(s) will be told.")
        self._after(told)

    @rx.event
    def ask_cancel_registration(self, registration_id: str) -> None:
        """Ask to confirm cancelling one registration (managers)."""
        if not self._manager():
            return
        wanted = str(read_int(registration_id, 1, MAX_ID) or "")
        self.confirm_cancel = self.confirm_list = ""
        for group, rows in (("confirmed", self.confirmed), ("waiting", self.waiting)):
            for row in rows:
                if row["id"] == wanted:
                    self.confirm_cancel, self.confirm_name, self.confirm_list = wanted, row["name"], group

    @rx.event
    def keep_registration(self) -> None:
        """Leave the registration as it is."""
        self.confirm_cancel = self.confirm_list = ""

    @rx.event
    def cancel_registration(self, registration_id: str) -> None:
        """Cancel one registration for its holder; a freed place goes to the first waiting."""

        def work(session: Session, actor: Actor) -> object:
            number = read_int(str(registration_id), 1, MAX_ID)
            if number is None:
                raise NotFound("That registration does not exist in this store.")
            return cancel_registration(session, actor, number)

        registration = self._run(work)
        if registration is not None:
            self._say(f"{registration.name}'s registration is cancelled.")
        self.confirm_cancel = self.confirm_list = ""
        self._after(registration)

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


def _cancel_button(row: rx.Var) -> rx.Component:
    """Cancel one registration (managers, before the event); the bar above the lists asks to confirm."""
    return rx.cond(
        EventState.can_manage & EventState.changeable,
        rx.tooltip(
            rx.icon_button(
                rx.icon("user-x", size=14),
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label="Cancel the registration of " + row["name"],
                on_click=EventState.ask_cancel_registration(row["id"]),
            ),
            content="Cancel this registration",
        ),
    )


def _row(row: rx.Var, cancellable: bool) -> rx.Component:
    return rx.table.row(
        *([rx.table.cell(_cancel_button(row))] if cancellable else []),
        rx.table.cell(row["position"]),
        rx.table.cell(row["name"], white_space="nowrap"),
        rx.table.cell(row["email"]),
        rx.table.cell(row["phone"], white_space="nowrap"),
        rx.table.cell(rx.cond(row["customer_link"] != "", rx.link(row["customer"], href=row["customer_link"]), "")),
        rx.table.cell(row["registered"], white_space="nowrap"),
        rx.table.cell(row["checked_in"]),
    )


def _confirm_cancel(group: str) -> rx.Component:
    """Above the list ``group`` when one of its registrations is to be cancelled: confirm or keep it."""
    name = EventState.confirm_name
    return rx.cond(
        (EventState.confirm_cancel != "") & (EventState.confirm_list == group),
        rx.callout.root(
            rx.vstack(
                rx.text(
                    "Cancel the registration of ",
                    rx.text.strong(name),
                    "? A place it frees goes to the first on the waiting list.",
                ),
                rx.hstack(
                    rx.button(
                        "Yes, cancel",
                        color_scheme="red",
                        aria_label="Yes, cancel the registration of " + name,
                        on_click=EventState.cancel_registration(EventState.confirm_cancel),
                    ),
                    rx.button("Keep", variant="soft", on_click=EventState.keep_registration),
                    wrap="wrap",
                ),
                spacing="2",
            ),
            color_scheme="red",
            width="100%",
        ),
    )


def _list(title: str, rows: rx.Var, empty: str, group: str = "") -> rx.Component:
    """One list of registrations; those of ``group`` (confirmed, waiting) can be cancelled."""
    cancellable = bool(group)
    headers = ("", *HEADERS) if cancellable else HEADERS
    table = simple_table(headers, rows, lambda row: _row(row, cancellable))
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4"),
            _confirm_cancel(group) if cancellable else rx.fragment(),
            rx.cond(rows.length() > 0, table, rx.text(empty, color_scheme="gray")),
            width="100%",
        ),
        width="100%",
    )


def _manager_buttons() -> rx.Component:
    return rx.cond(
        EventState.can_manage & EventState.changeable,
        rx.hstack(
            rx.button(rx.icon("send", size=16), "Send invitations", on_click=EventState.invite),
            rx.button(
                rx.cond(EventState.registration_open, "Close registration", "Open registration"),
                variant="soft",
                on_click=EventState.toggle_registration,
            ),
            rx.button(rx.icon("pencil", size=16), "Edit event", variant="soft", on_click=EventState.edit),
            rx.button(
                rx.icon("calendar-x", size=16),
                "Cancel event",
                variant="soft",
                color_scheme="red",
                on_click=EventState.open_call_off,
            ),
            wrap="wrap",
        ),
    )


def _facts() -> rx.Component:
    event = EventState.event
    return rx.card(
        rx.vstack(
            rx.heading(event["title"], size="6"),
            rx.cond(
                event["called_off"] != "",
                rx.callout.root(
                    rx.callout.icon(rx.icon("calendar-x")),
                    rx.callout.text("Cancelled ", event["called_off"]),
                    color_scheme="red",
                    width="100%",
                ),
            ),
            fact("Kind", event["kind"]),
            fact("When", event["when"]),
            fact("Place", event["place"]),
            fact("Meeting link", event["meeting_link"]),
            fact("Places taken", event["places"]),
            fact("Waiting", EventState.waiting.length().to_string()),
            fact("Checked in", event["checked_in"]),
            fact("Audience", event["audience"]),
            fact("Invited", event["invited"]),
            fact(
                "Registration",
                rx.cond(event["called_off"] != "", "Closed", rx.cond(EventState.registration_open, "Open", "Closed")),
            ),
            rx.text(event["description"], size="2", white_space="pre-line"),
            rx.hstack(
                rx.text("Public page:", size="2", color_scheme="gray"),
                rx.link(
                    event["public_url"], href=event["public_url"], is_external=True, size="2", word_break="break-all"
                ),
                align="start",
                wrap="wrap",
            ),
            _manager_buttons(),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _call_off_form() -> rx.Component:
    return rx.cond(
        EventState.calling_off,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Cancel this event", size="4"),
                    rx.text(
                        "Everyone registered or waiting gets an e-mail with your reason. Registration closes for good; "
                        "the registrations are kept.",
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.el.label(rx.text("Reason", size="2", weight="medium"), html_for="field-reason"),
                    rx.text_area(id="field-reason", name="reason", width="100%", max_length=300),
                    field_error("reason"),
                    rx.hstack(
                        rx.button("Cancel the event", type="submit", color_scheme="red"),
                        rx.button("Keep the event", type="button", variant="soft", on_click=EventState.keep_event),
                        wrap="wrap",
                    ),
                    width="100%",
                ),
                on_submit=EventState.call_off,
                reset_on_submit=False,
                no_validate=True,
            ),
            width="100%",
        ),
    )


def _edit_form() -> rx.Component:
    fields = event_fields(EventState, new=False)
    return record_form(EventState, ("Edit event", "Edit event"), fields, "Save changes", EventState.save)


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
                _edit_form(),
                _call_off_form(),
                _list("Registrations", EventState.confirmed, "Nobody has registered yet.", "confirmed"),
                _list("Waiting list", EventState.waiting, "Nobody is waiting.", "waiting"),
                _list("Cancelled", EventState.cancelled, "No cancellations."),
                _link_form(),
                spacing="4",
                width="100%",
            ),
        ),
        "Event",
    )
