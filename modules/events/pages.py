"""The events list with the new-event form (managers)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import field, field_error, select_field
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.clienteling.api import SEGMENTS
from modules.events.records import KINDS, MANAGE
from modules.events.services import EventInput, create_event
from modules.events.tables import EVENTS

TEXT_FIELDS = ("kind", "title", "description", "starts", "ends", "place", "meeting_link", "capacity")


def event_input(form: dict) -> EventInput:
    """The form's values as the service reads them (ticked boxes are present, unticked ones missing)."""
    values = {key: str(form.get(key, "") or "") for key in TEXT_FIELDS}
    audience = [key for key, _label in SEGMENTS if form.get(f"audience_{key}")]
    return EventInput(**values, audience=audience, registration_open=bool(form.get("registration_open")))


class EventsTable(RecordFormMixin, DataTableMixin, AppState):
    """One page of the store's events and the new-event form."""

    spec: ClassVar[TableSpec] = EVENTS
    can_manage: bool = False

    @rx.event
    def open_page(self) -> None:
        """Load the first page and whether the viewer may create events."""
        self.form_open = False
        self.can_manage = bool(self._run(lambda s, a: a.can(MANAGE), write=False))
        self._load()

    @rx.event
    def new(self) -> None:
        """Open the form, a trunk show with 30 places and registration open."""
        self._open_form(0, {"kind": "trunk_show", "capacity": "30"})

    @rx.event
    def add(self, form: dict):
        """Create the event and open its page; on bad input each field shows its message."""
        data = event_input(form)
        event = self._run(lambda s, a: create_event(s, a, data))
        if event is None:
            self._keep_typed(form, TEXT_FIELDS)
            return None
        self.form_open = False
        self._say(f"{event.title} was created.")
        return rx.redirect(f"/events/{event.id}")


def _checkbox(label: str, name: str, checked: bool | rx.Var = False) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="checkbox", name=name, id=f"field-{name}", default_checked=checked),
            rx.text(label, size="2"),
            align="center",
        ),
    )


def _fields() -> rx.Component:
    value = EventsTable.editing
    return rx.vstack(
        rx.grid(
            select_field("Kind", "kind", list(KINDS), default_value=value["kind"]),
            field("Title", "title", default_value=value["title"]),
            field("Starts", "starts", type="datetime-local", default_value=value["starts"], hint="Store time"),
            field("Ends", "ends", type="datetime-local", default_value=value["ends"], hint="Store time"),
            field("Place", "place", default_value=value["place"], hint="For an event in a store"),
            field(
                "Meeting link",
                "meeting_link",
                type="url",
                default_value=value["meeting_link"],
                hint="For a webinar: https://...",
            ),
            field("Capacity", "capacity", type="number", default_value=value["capacity"], min="1"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.el.label(rx.text("Description", size="2", weight="medium"), html_for="field-description"),
        rx.text_area(id="field-description", name="description", width="100%", default_value=value["description"]),
        field_error("description"),
        rx.el.fieldset(
            rx.el.legend(rx.text("Invite (customer segments)", size="2", weight="medium")),
            rx.hstack(*[_checkbox(label, f"audience_{key}") for key, label in SEGMENTS], spacing="4", wrap="wrap"),
            field_error("audience"),
            border="none",
            padding="0",
            margin="0",
        ),
        _checkbox("Registration open", "registration_open", True),
        width="100%",
    )


def events_page() -> rx.Component:
    """The events page."""
    return shell(
        rx.vstack(
            record_form(EventsTable, ("New event", "New event"), _fields(), "Create event", EventsTable.add),
            data_table(
                EventsTable,
                link_column="title",
                toolbar=rx.cond(
                    EventsTable.can_manage,
                    rx.button(rx.icon("calendar-plus", size=16), "New event", on_click=EventsTable.new),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "Events",
    )
