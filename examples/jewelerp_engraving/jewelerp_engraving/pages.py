"""The engraving page: the request form above the list of the store's requests."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from jewelerp_engraving.models import EngravingRequest
from jewelerp_engraving.services import (
    FONTS,
    MANAGE,
    REQUESTS,
    TEXT_LIMIT,
    RequestInput,
    create_request,
    mark_done,
)

FORM_FIELDS = ("invoice_number", "sku", "text", "font", "due_on")


class RequestsState(DataTableMixin, AppState):
    """One page of the store's requests and the form's key (a new key empties the form)."""

    spec: ClassVar[TableSpec] = REQUESTS
    form_version: int = 0

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check (the manifest's ``on_load``)."""
        self._load()

    @rx.event
    def add(self, form: dict) -> None:
        """Save the request; on bad input each field shows its message and keeps what was typed."""

        def work(session: Session, actor: Actor) -> EngravingRequest:
            actor.require(MANAGE)  # before anything the browser sent is looked at
            sent = form if isinstance(form, dict) else {}
            return create_request(session, actor, RequestInput(**{key: str(sent.get(key, "")) for key in FORM_FIELDS}))

        request = self._run(work)
        if request is not None:
            self._say(f"Engraving on {request.sku} recorded, due {request.due_on:%d %b %Y}.")
            self.form_version += 1
            self._refresh()

    @rx.event
    def done(self, request_id: str) -> None:
        """The workshop finished a request."""

        def work(session: Session, actor: Actor) -> EngravingRequest:
            actor.require(MANAGE)
            return mark_done(session, actor, int(request_id) if str(request_id).isdigit() else 0)

        if self._run(work, done="Marked done."):
            self._refresh()


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("New engraving request", size="4"),
                rx.hstack(
                    field("Invoice number", "invoice_number", placeholder="MUM/2627/000012"),
                    field("Piece SKU", "sku", hint="A piece on that invoice"),
                    spacing="3",
                    width="100%",
                ),
                field("Text to engrave", "text", hint=f"Exactly as it should appear, at most {TEXT_LIMIT} characters"),
                rx.hstack(
                    select_field("Font", "font", list(FONTS)),
                    field("Due date", "due_on", type="date"),
                    spacing="3",
                    width="100%",
                ),
                rx.button("Save request", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=RequestsState.add,
            no_validate=True,
            key=RequestsState.form_version.to_string(),
        ),
        width="100%",
    )


def _actions(row: dict) -> rx.Component:
    return rx.cond(
        row["status"] == "Open",
        rx.button(
            "Done", size="1", variant="soft", on_click=RequestsState.done(row["id"]), aria_label="Done: " + row["sku"]
        ),
    )


def requests_page() -> rx.Component:
    """The page the manifest registers at ``/engraving``."""
    return shell(
        rx.vstack(_form(), data_table(RequestsState, row_actions=_actions), spacing="4", width="100%"),
        "Engraving",
    )
