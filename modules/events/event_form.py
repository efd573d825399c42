"""The event form, shared by the events list (a new event) and the event page (changing one): its fields, how the
form's values become an :class:`EventInput`, and the state that holds the audience's lists of events."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.ui.forms import field, field_error, select_field
from jewelerp.ui.record_form import RecordFormMixin
from modules.clienteling.api import SEGMENTS
from modules.events.audience import ATTENDED, REGISTERED, audience_choices
from modules.events.records import KINDS, MANAGE
from modules.events.services import EventInput

TEXT_FIELDS = ("kind", "title", "description", "starts", "ends", "place", "meeting_link", "capacity")
CHOICE_FIELDS = ("audience_attended", "audience_registered")


def form_values(form: object) -> dict:
    """What a handler was sent as its form: a dict, or an empty one for anything else (a forged call)."""
    return form if isinstance(form, dict) else {}


def event_input(form: object) -> EventInput:
    """The form's values as the service reads them (ticked boxes are present, unticked ones missing)."""
    form = form_values(form)
    values = {key: str(form.get(key, "") or "") for key in TEXT_FIELDS}
    audience = [key for key, _label in SEGMENTS if form.get(f"audience_{key}")]
    return EventInput(
        **values,
        audience=audience,
        attended=str(form.get("audience_attended", "") or ""),
        registered=str(form.get("audience_registered", "") or ""),
        registration_open=bool(form.get("registration_open")),
    )


class EventFormMixin(RecordFormMixin, mixin=True):
    """The open form and the events its audience lists offer (past events; other events of the store)."""

    attended_choices: list[dict[str, str]] = []
    registered_choices: list[dict[str, str]] = []

    def _open_event_form(self, event_id: int, values: dict[str, str]) -> None:
        """Open the form on ``values`` with the store's events to choose from (managers only)."""

        def work(session: Session, actor: Actor) -> dict[str, list[dict[str, str]]]:
            actor.require(MANAGE)
            return audience_choices(session, actor, event_id)

        choices = self._run(work, write=False)  # type: ignore[attr-defined]
        if choices is None:
            return
        self.attended_choices, self.registered_choices = choices[ATTENDED], choices[REGISTERED]
        self._open_form(event_id, values)

    def _keep_event_form(self, form: object) -> None:
        """After a refused save of the open form, keep what was typed and ticked."""
        if not self.form_open:
            return
        form = form_values(form)
        ticked = {f"audience_{key}": "on" for key, _label in SEGMENTS if form.get(f"audience_{key}")}
        kept = {k: v for k, v in self.editing.items() if not k.startswith("audience_")}
        self.editing = kept | ticked
        self._keep_typed(form, TEXT_FIELDS + CHOICE_FIELDS)


def _checkbox(label: str, name: str, checked: bool | rx.Var = False) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="checkbox", name=name, id=f"field-{name}", default_checked=checked),
            rx.text(label, size="2"),
            align="center",
        ),
    )


def _audience(state: type[EventFormMixin]) -> rx.Component:
    value = state.editing
    return rx.el.fieldset(
        rx.el.legend(rx.text("Who is invited", size="2", weight="medium")),
        rx.vstack(
            rx.text(
                "Invitations go only to customers who agreed to be contacted, on the channels they chose.",
                size="1",
                color_scheme="gray",
            ),
            rx.text("Customer segments", size="2"),
            rx.hstack(
                *[_checkbox(label, f"audience_{key}", value.contains(f"audience_{key}")) for key, label in SEGMENTS],
                spacing="4",
                wrap="wrap",
            ),
            field_error("audience"),
            rx.grid(
                select_field(
                    "And customers who came to",
                    "audience_attended",
                    state.attended_choices,
                    default_value=value["audience_attended"],
                ),
                select_field(
                    "And customers who registered for",
                    "audience_registered",
                    state.registered_choices,
                    default_value=value["audience_registered"],
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        border="none",
        padding="0",
        margin="0",
        width="100%",
    )


def event_fields(state: type[EventFormMixin], *, new: bool) -> rx.Component:
    """The form's fields; a new event also has "Registration open" (an existing one has its own button)."""
    value = state.editing
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
        _audience(state),
        _checkbox("Registration open", "registration_open", True) if new else rx.fragment(),
        width="100%",
    )
