"""Customer list with search, filters and export, and the new-customer form."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.clienteling.services import CUSTOMERS, CustomerInput, create_customer

FORM_FIELDS = ("name", "phone", "email", "date_of_birth", "anniversary", "tags", "notes")


class CustomersTable(DataTableMixin, AppState):
    """The customer list and the add form."""

    spec: ClassVar[TableSpec] = CUSTOMERS
    can_edit: bool = False
    form_open: bool = False
    form_version: int = 0

    @rx.event
    def open_page(self):
        """Load the first page and whether the viewer may add customers."""
        self.form_open = False
        self.can_edit = bool(self._run(lambda s, a: a.can("clienteling.customer.edit"), write=False))
        return CustomersTable.load

    @rx.event
    def toggle_form(self) -> None:
        """Show or hide the add form."""
        self._clear_messages()
        self.form_open = not self.form_open

    @rx.event
    def add(self, form: dict) -> None:
        """Create the customer; bad fields keep what was typed and say why."""
        data = CustomerInput(**{k: str(form.get(k, "")) for k in FORM_FIELDS})
        customer = self._run(lambda s, a: create_customer(s, a, data))
        if customer is not None:
            self._say(f"{customer.name} was added.")
            self.form_open = False
            self.form_version += 1
            self._refresh()


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("New customer", size="4"),
                rx.grid(
                    field("Name", "name"),
                    field("Phone", "phone", type="tel", hint="Any format; +country code if not Indian"),
                    field("Email", "email", type="email"),
                    field("Tags", "tags", hint="Comma separated, e.g. bridal, diamonds"),
                    field("Date of birth", "date_of_birth", type="date"),
                    field("Anniversary", "anniversary", type="date"),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.el.label(rx.text("Notes", size="2", weight="medium"), html_for="field-notes"),
                rx.text_area(id="field-notes", name="notes", width="100%"),
                rx.hstack(
                    rx.button("Save customer", type="submit"),
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=CustomersTable.toggle_form,
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=CustomersTable.add,
            no_validate=True,
            key=CustomersTable.form_version.to_string(),
        ),
        width="100%",
    )


def customers_page() -> rx.Component:
    """The customers page."""
    return shell(
        rx.vstack(
            rx.cond(CustomersTable.form_open, _form()),
            data_table(
                CustomersTable,
                toolbar=rx.cond(
                    CustomersTable.can_edit,
                    rx.button(rx.icon("user-plus", size=16), "New customer", on_click=CustomersTable.toggle_form),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "Customers",
    )
