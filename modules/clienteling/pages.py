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
from modules.clienteling.services import CustomerInput, DuplicateCustomer, create_customer
from modules.clienteling.tables import CUSTOMERS

QUICK_FIELDS = ("name", "phone", "email", "date_of_birth", "anniversary", "tags", "notes")


class CustomersTable(RecordFormMixin, DataTableMixin, AppState):
    """The customer list and the quick add form."""

    spec: ClassVar[TableSpec] = CUSTOMERS
    can_edit: bool = False
    duplicate_id: int = 0
    duplicate_name: str = ""

    @rx.event
    def open_page(self):
        """Load the first page and whether the viewer may add customers."""
        self.form_open = False
        self.can_edit = bool(self._run(lambda s, a: a.can("clienteling.customer.edit"), write=False))
        self._load()

    @rx.event
    def new(self) -> None:
        """Open the add form."""
        self.duplicate_id = 0
        self._open_form(0, {})

    @rx.event
    def add(self, form: dict):
        """Create the customer. A shared phone or email warns with a link; "Save anyway" confirms."""
        data = CustomerInput.from_form(form)
        allow = bool(form.get("allow_duplicate")) and self.duplicate_id != 0
        try:
            customer = self._run(
                lambda s, a: create_customer(s, a, data, allow_duplicate=allow), reraise=DuplicateCustomer
            )
        except DuplicateCustomer as exc:
            self.duplicate_id, self.duplicate_name = exc.existing_id, exc.existing_name
            self.errors = exc.fields
            self._say(f"{exc.existing_name} already has this contact. Open their profile, or save anyway.", ok=False)
            self._keep_typed(form, QUICK_FIELDS)
            return None
        if customer is None:
            self._keep_typed(form, QUICK_FIELDS)
            return None
        self.duplicate_id = 0
        self.form_open = False
        self._say(f"{customer.name} was added.")
        return rx.redirect(f"/clienteling/customers/{customer.id}")


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
        rx.cond(
            CustomersTable.duplicate_id != 0,
            rx.callout.root(
                rx.callout.text(
                    "Possible duplicate: ",
                    rx.link(
                        CustomersTable.duplicate_name,
                        href="/clienteling/customers/" + CustomersTable.duplicate_id.to_string(),
                    ),
                    ". Tick below to save a separate profile anyway (e.g. a spouse sharing the number).",
                ),
                rx.el.label(
                    rx.hstack(
                        rx.el.input(type="checkbox", name="allow_duplicate", id="field-allow-duplicate"),
                        rx.text("Save anyway as a separate customer", size="2"),
                        align="center",
                    ),
                ),
                color_scheme="amber",
                width="100%",
            ),
        ),
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
                link_column="name",
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
