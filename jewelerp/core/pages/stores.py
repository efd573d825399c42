"""Stores page: list, create and edit stores / branches."""

from __future__ import annotations

import reflex as rx

from jewelerp.core.stores import StoreInput, list_stores, save_store
from jewelerp.gst import state_options
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState

FIELDS = ("code", "name", "address", "state_code", "gstin", "time_zone", "currency")
SHOWN = (*FIELDS, "state")


class StoresState(RecordFormMixin, AppState):
    """The store list and the form for one store."""

    stores: list[dict[str, str]] = []

    def _reload(self) -> None:
        rows = self._run(lambda s, a: list_stores(s, a), write=False) or []
        self.stores = [{"id": str(x.id), **{k: str(getattr(x, k)) for k in SHOWN}} for x in rows]

    @rx.event
    def load(self) -> None:
        """Show every store."""
        self.form_open = False
        self._reload()

    @rx.event
    def new(self) -> None:
        """Open an empty form."""
        self._open_form(0, {"time_zone": "Asia/Kolkata", "currency": "INR"})

    @rx.event
    def edit(self, store_id: str) -> None:
        """Open the form filled with a store."""
        self._open_form(int(store_id), next((s for s in self.stores if s["id"] == store_id), {}))

    @rx.event
    def save(self, form: dict) -> None:
        """Validate and save; field errors keep the form open with what was typed."""
        data = StoreInput(**{k: str(form.get(k, "")) for k in FIELDS})
        store_id = self.editing_id or None
        if self._run(lambda s, a: save_store(s, a, data, store_id), done="Store saved.") is None:
            self._keep_typed(form, FIELDS)
            return
        self.form_open = False
        self._reload()


def _fields() -> rx.Component:
    value = StoresState.editing
    return rx.grid(
        field("Code", "code", default_value=value["code"], hint="2–8 letters or digits, e.g. MUM"),
        field("Name", "name", default_value=value["name"]),
        field("Address", "address", default_value=value["address"]),
        select_field(
            "State", "state_code", [("", "Choose the state"), *state_options()], default_value=value["state_code"]
        ),
        field("GSTIN", "gstin", default_value=value["gstin"], hint="Registered in the store's state"),
        field("Time zone", "time_zone", default_value=value["time_zone"]),
        field("Currency", "currency", default_value=value["currency"]),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


def _row(store: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(store["code"], weight="bold")),
        rx.table.cell(store["name"]),
        rx.table.cell(store["state"]),
        rx.table.cell(store["gstin"]),
        rx.table.cell(store["time_zone"]),
        rx.table.cell(
            rx.button(
                "Edit",
                size="1",
                variant="soft",
                on_click=StoresState.edit(store["id"]),
                aria_label="Edit " + store["code"],
            )
        ),
    )


def page() -> rx.Component:
    """The stores page."""
    headers = ("Code", "Name", "State", "GSTIN", "Time zone", "")
    return shell(
        rx.vstack(
            rx.hstack(
                rx.spacer(), rx.button(rx.icon("plus", size=16), "New store", on_click=StoresState.new), width="100%"
            ),
            record_form(StoresState, ("New store", "Edit store"), _fields(), "Save store", StoresState.save),
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                    rx.table.body(rx.foreach(StoresState.stores, _row)),
                    variant="surface",
                    width="100%",
                ),
                width="100%",
                overflow_x="auto",
            ),
            spacing="4",
            width="100%",
        ),
        "Stores",
    )
