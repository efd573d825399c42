"""The tax classes page (``/billing/tax-classes``): every GST tax class with its rates over time, and the form
that adds a class, a new rate from a date, or corrects a row (:mod:`modules.billing.tax_classes`)."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.validation import read_int
from modules.billing.models import TaxClass
from modules.billing.tax_classes import KINDS, MANAGE, TaxClassInput, list_tax_classes, save_tax_class

FIELDS = ("code", "description", "hsn_sac", "kind", "rate_unregistered", "rate_registered", "effective_from")


def _row(row: TaxClass) -> dict[str, str]:
    return {
        "code": row.code,
        "description": row.description,
        "hsn_sac": row.hsn_sac,
        "kind": row.kind,
        "kind_label": dict(KINDS).get(row.kind, row.kind),
        "rate_unregistered": f"{row.rate_unregistered.normalize():f}",
        "rate_registered": f"{row.rate_registered.normalize():f}",
        "effective_from": row.effective_from.isoformat(),
        "since": f"{row.effective_from:%d %b %Y}",
    }


def _page_data(session: Session, actor: Actor) -> dict[str, object]:
    return {"rows": [_row(r) for r in list_tax_classes(session, actor)], "today": actor.today().isoformat()}


class TaxClassesState(RecordFormMixin, AppState):
    """Every tax class row (a few dozen at most) and the form."""

    rows: list[dict[str, str]] = []
    today: str = ""

    def _reload(self) -> None:
        data = self._run(_page_data, write=False) or {"rows": [], "today": ""}
        self.rows, self.today = data["rows"], str(data["today"])

    @rx.event
    def load(self) -> None:
        """Show every class and its rates."""
        self.form_open = False
        self._reload()

    def _row_at(self, index: object) -> dict[str, str] | None:
        """The shown row at ``index`` for someone who may change tax classes, else None."""
        allowed = self._run(lambda s, a: a.can(MANAGE), write=False)
        number = read_int(str(index), 0, len(self.rows) - 1) if self.rows else None
        return dict(self.rows[number]) if allowed and number is not None else None

    @rx.event
    def new(self) -> None:
        """An empty form for a new class, from today."""
        if self._run(lambda s, a: a.can(MANAGE), write=False):
            self._open_form(0, {"kind": "service", "effective_from": self.today})

    @rx.event
    def new_rate(self, index: str) -> None:
        """The form filled with a class's row, dated today: saving adds its new rate from that date."""
        if (row := self._row_at(index)) is not None:
            self._open_form(0, {**row, "effective_from": self.today})

    @rx.event
    def correct(self, index: str) -> None:
        """The form filled with one row as it is: saving with the same code and date corrects that row."""
        if (row := self._row_at(index)) is not None:
            self._open_form(1, row)

    @rx.event
    def save(self, form: dict) -> None:
        """Save the row (checked in the service); bad input keeps the form with what was typed."""
        data = TaxClassInput(**{k: str(form.get(k, "")) for k in FIELDS})
        if self._run(lambda s, a: save_tax_class(s, a, data), done=f"Tax class {data.code.upper()} saved.") is None:
            self._keep_typed(form, FIELDS)
            return
        self.form_open = False
        self._reload()


def _fields() -> rx.Component:
    value = TaxClassesState.editing
    return rx.grid(
        field("Code", "code", default_value=value["code"], hint="e.g. REPAIR; a new rate keeps the code"),
        field("Description", "description", default_value=value["description"]),
        select_field("Kind", "kind", list(KINDS), default_value=value["kind"]),
        field("HSN/SAC", "hsn_sac", default_value=value["hsn_sac"], hint="7113 jewellery, 9987 repairs"),
        field(
            "GST % without a GSTIN",
            "rate_unregistered",
            default_value=value["rate_unregistered"],
            hint="Total GST, e.g. 18",
        ),
        field(
            "GST % with the buyer's GSTIN",
            "rate_registered",
            default_value=value["rate_registered"],
            hint="e.g. 5 for job work for a registered business",
        ),
        field(
            "Effective from",
            "effective_from",
            type="date",
            default_value=value["effective_from"],
            hint="Invoices issued from this date take the row",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


def _table_row(row: dict, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["code"], weight="bold")),
        rx.table.cell(row["description"], white_space="normal"),
        rx.table.cell(row["kind_label"]),
        rx.table.cell(row["hsn_sac"]),
        rx.table.cell(row["rate_unregistered"] + "%"),
        rx.table.cell(row["rate_registered"] + "%"),
        rx.table.cell(row["since"]),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "New rate",
                    size="1",
                    variant="soft",
                    on_click=TaxClassesState.new_rate(index),
                    aria_label="New rate for " + row["code"],
                ),
                rx.button(
                    "Correct",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=TaxClassesState.correct(index),
                    aria_label="Correct " + row["code"] + " from " + row["since"],
                ),
            )
        ),
    )


def tax_classes_page() -> rx.Component:
    """The tax classes page."""
    headers = ("Code", "Description", "Kind", "HSN/SAC", "Without GSTIN", "With GSTIN", "From", "")
    return shell(
        rx.vstack(
            rx.text(
                "Each invoice line takes the row of its class in effect on the invoice's date; issued invoices keep "
                "the rate they were issued with. A rate change is a new row from its date.",
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.spacer(),
                rx.button(rx.icon("plus", size=16), "New tax class", on_click=TaxClassesState.new),
                width="100%",
            ),
            record_form(
                TaxClassesState, ("New tax class or rate", "Correct a row"), _fields(), "Save", TaxClassesState.save
            ),
            rx.box(
                rx.table.root(
                    rx.el.caption("Tax classes", class_name="sr-only"),
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                    rx.table.body(rx.foreach(TaxClassesState.rows, _table_row)),
                    variant="surface",
                    size="2",
                    width="100%",
                ),
                width="100%",
                overflow_x="auto",
            ),
            spacing="4",
            width="100%",
        ),
        "Tax classes",
    )
