"""The events list with the new-event form (managers)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.record_form import record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.events.event_form import EventFormMixin, event_fields, event_input
from modules.events.records import MANAGE
from modules.events.services import create_event
from modules.events.tables import EVENTS


class EventsTable(EventFormMixin, DataTableMixin, AppState):
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
        self._open_event_form(0, {"kind": "trunk_show", "capacity": "30"})

    @rx.event
    def add(self, form: dict):
        """Create the event and open its page; on bad input each field shows its message."""
        event = self._run(lambda s, a: create_event(s, a, event_input(form)))  # the form is read after the session
        if event is None:
            self._keep_event_form(form)
            return None
        self.form_open = False
        self._say(f"{event.title} was created.")
        return rx.redirect(f"/events/{event.id}")


def events_page() -> rx.Component:
    """The events page."""
    fields = event_fields(EventsTable, new=True)
    return shell(
        rx.vstack(
            record_form(EventsTable, ("New event", "New event"), fields, "Create event", EventsTable.add),
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
