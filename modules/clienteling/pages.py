"""Customer list with search, filters and export, and the new-customer form."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import field
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.clienteling.services import CUSTOMERS, CustomerInput, create_customer

FORM_FIELDS = ("name", "phone", "email", "date_of_birth", "anniversary", "tags", "notes")


class CustomersTable(RecordFormMixin, DataTableMixin, AppState):
    """The customer list and the add form."""

    spec: ClassVar[TableSpec] = CUSTOMERS
    can_edit: bool = False

    @rx.event
    def open_page(self):
        """Load the first page and whether the viewer may add customers."""
        self.form_open = False
        self.can_edit = bool(self._run(lambda s, a: a.can("clienteling.customer.edit"), write=False))
        return CustomersTable.load

    @rx.event
    def new(self) -> None:
        """Open the add form."""
        self._open_form(0, {})

    @rx.event
    def add(self, form: dict) -> None:
        """Create the customer; bad fields keep what was typed and say why."""
        data = CustomerInput(**{k: str(form.get(k, "")) for k in FORM_FIELDS})
        customer = self._run(lambda s, a: create_customer(s, a, data))
        if customer is None:
            self._keep_typed(form, FORM_FIELDS)
            return
        self._say(f"{customer.name} was added.")
        self.form_open = False
        self._refresh()


def _fields() -> rx.Component:
    value = CustomersTable.editing
    return rx.vstack(
        rx.grid(
            field("Name", "name", default_value=value["name"]),
            field(
                "Phone",
                "phone",
                type="tel",
                default_value=value["phone"],
                hint="Any format; +country code if not Indian",
            ),
            field("Email", "email", type="email", default_value=value["email"]),
            field("Tags", "tags", default_value=value["tags"], hint="Comma separated, e.g. bridal, diamonds"),
            field("Date of birth", "date_of_birth", type="date", default_value=value["date_of_birth"]),
            field("Anniversary", "anniversary", type="date", default_value=value["anniversary"]),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.el.label(rx.text("Notes", size="2", weight="medium"), html_for="field-notes"),
        rx.text_area(id="field-notes", name="notes", width="100%", default_value=value["notes"]),
        width="100%",
    )


def customers_page() -> rx.Component:
    """The customers page."""
    return shell(
        rx.vstack(
            record_form(
                CustomersTable, ("New customer", "New customer"), _fields(), "Save customer", CustomersTable.add
            ),
            data_table(
                CustomersTable,
                toolbar=rx.cond(
                    CustomersTable.can_edit,
                    rx.button(rx.icon("user-plus", size=16), "New customer", on_click=CustomersTable.new),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "Customers",
    )
