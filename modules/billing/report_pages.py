"""The report pages: daily sales (``/billing/reports/sales``) and the GST summary (``/billing/reports/gst``).

Each page has a period (this month by default, in the store's dates), an optional "every store"
scope, summary figures, the table 50 rows at a time (the whole report stays on the server, only
the page shown reaches the browser) and "Export to Excel" with the whole report.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.money import format_inr
from jewelerp.ui.downloads import download_export
from jewelerp.ui.forms import field, scrolling_table, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import new_export
from modules.billing.reports import (
    GST,
    SALES,
    ReportKind,
    ReportTable,
    parse_period,
    report_stores,
    this_month,
    write_report,
)

PAGE_ROWS = 50
EVERY_STORE = "all"
SCOPES = [("", "This store"), (EVERY_STORE, "Every store")]


def _text(value: Any) -> str:
    """A cell as shown on the page: rupees with paise, dates as 02 Nov 2026, counts with commas."""
    if isinstance(value, Decimal):
        return format_inr(value, paise=True)
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _cells(table: ReportTable, row: dict[str, Any]) -> list[str]:
    return [_text(row.get(column.key, "")) for column in table.columns]


def _defaults(session: Session, actor: Actor) -> dict[str, Any]:
    start, end = this_month(actor)
    return {"start": start, "end": end, "several": len(report_stores(session, actor, every_store=True)) > 1}


class ReportMixin(rx.State, mixin=True):
    """A report's period, scope and the page of rows shown; the whole report stays in ``_cells``."""

    report: ClassVar[ReportKind]
    date_from: str = ""
    date_to: str = ""
    scope: str = ""
    several_stores: bool = False
    headers: list[str] = []
    aligns: list[str] = []
    rows: list[list[str]] = []
    footer: list[list[str]] = []
    summary: list[dict[str, str]] = []
    notes: list[str] = []
    page: int = 0
    pages: int = 0
    row_count: int = 0
    form_version: int = 0
    _cells: list[list[str]] = []

    def _build(self) -> ReportTable | None:
        """The report for the period and scope in the form (None after an error, which is shown)."""
        raw_from, raw_to, every = self.date_from, self.date_to, self.scope == EVERY_STORE
        kind = self.report

        def work(session: Session, actor: Actor) -> ReportTable:
            start, end = parse_period(raw_from, raw_to)
            return kind.build(session, actor, start, end, every)

        return self._run(work, write=False)

    def _show(self) -> None:
        table = self._build()
        if table is None:
            self.rows, self.footer, self.summary, self.notes, self._cells = [], [], [], [], []
            self.page = self.pages = self.row_count = 0
            return
        self.headers = [column.label for column in table.columns]
        self.aligns = ["right" if column.key in table.numeric else "left" for column in table.columns]
        self._cells = [_cells(table, row) for row in table.rows]
        self.footer = [_cells(table, row) for row in table.footer]
        self.summary = [{"label": label, "value": _text(value)} for label, value in table.summary]
        self.notes = list(table.notes)
        self.row_count = len(self._cells)
        self.pages = max(1, -(-self.row_count // PAGE_ROWS))
        self.page = 0
        self._slice()

    def _slice(self) -> None:
        self.rows = self._cells[self.page * PAGE_ROWS : (self.page + 1) * PAGE_ROWS]

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check: this month, this store."""
        self._clear_messages()
        defaults = self._run(_defaults, write=False)
        if defaults is None:
            return
        self.date_from, self.date_to = defaults["start"].isoformat(), defaults["end"].isoformat()
        self.scope, self.several_stores = "", defaults["several"]
        self.form_version += 1
        self._show()

    @rx.event
    def apply(self, form: dict) -> None:
        """Show the report for the period (and scope) in the form."""
        self._clear_messages()
        self.date_from, self.date_to = str(form.get("date_from", "")), str(form.get("date_to", ""))
        self.scope = EVERY_STORE if str(form.get("scope", "")) == EVERY_STORE else ""
        self._show()

    @rx.event
    def next_page(self) -> None:
        """The next 50 rows."""
        if self.page + 1 < self.pages:
            self.page += 1
            self._slice()

    @rx.event
    def previous_page(self) -> None:
        """The previous 50 rows."""
        if self.page > 0:
            self.page -= 1
            self._slice()

    @rx.event
    def export(self):
        """Write the whole report (as shown: period and scope of the last "Show") to .xlsx and download it."""
        table = self._build()
        if table is None:
            return None
        token, path = new_export(table.filename)
        write_report(path, table)
        return download_export(token)


class SalesReportState(ReportMixin, AppState):
    """The daily sales report page."""

    report: ClassVar[ReportKind] = SALES


class GstReportState(ReportMixin, AppState):
    """The GST summary page."""

    report: ClassVar[ReportKind] = GST


def _filters(state: type[ReportMixin]) -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(field("From", "date_from", type="date", default_value=state.date_from), min_width="11em"),
            rx.box(field("To", "date_to", type="date", default_value=state.date_to), min_width="11em"),
            rx.cond(
                state.several_stores,
                rx.box(select_field("Stores", "scope", SCOPES, default_value=state.scope), min_width="11em"),
            ),
            rx.button(rx.icon("refresh-cw", size=16), "Show", type="submit"),
            rx.button(
                rx.icon("file-spreadsheet", size=16),
                "Export to Excel",
                type="button",
                variant="soft",
                on_click=state.export,
            ),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=state.apply,
        no_validate=True,
        reset_on_submit=False,
        key=state.form_version.to_string(),
        width="100%",
    )


def _summary(state: type[ReportMixin]) -> rx.Component:
    return rx.grid(
        rx.foreach(
            state.summary,
            lambda s: rx.card(
                rx.text(s["label"], size="2", color_scheme="gray"),
                rx.text(s["value"], size="5", weight="bold", white_space="nowrap"),
            ),
        ),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )


def _cell_row(state: type[ReportMixin], row: rx.Var, bold: bool = False) -> rx.Component:
    return rx.table.row(
        rx.foreach(
            row.to(list[str]),
            lambda cell, index: rx.table.cell(
                cell, text_align=state.aligns[index], white_space="nowrap", font_weight="bold" if bold else "normal"
            ),
        )
    )


def _table(state: type[ReportMixin], caption: str) -> rx.Component:
    return scrolling_table(
        rx.table.root(
            rx.el.caption(caption, class_name="sr-only"),
            rx.table.header(
                rx.table.row(
                    rx.foreach(
                        state.headers,
                        lambda h, index: rx.table.column_header_cell(
                            h, text_align=state.aligns[index], white_space="nowrap"
                        ),
                    )
                )
            ),
            rx.table.body(
                rx.foreach(state.rows, lambda row: _cell_row(state, row)),
                rx.foreach(state.footer, lambda row: _cell_row(state, row, bold=True)),
            ),
            variant="surface",
            size="1",
        ),
        caption,
    )


def _pager(state: type[ReportMixin]) -> rx.Component:
    return rx.cond(
        state.pages > 1,
        rx.hstack(
            rx.text(
                "Rows ",
                (state.page * PAGE_ROWS + 1).to_string(),
                "–",
                rx.cond(state.row_count < (state.page + 1) * PAGE_ROWS, state.row_count, (state.page + 1) * PAGE_ROWS),
                " of ",
                state.row_count.to_string(),
                size="2",
                color_scheme="gray",
            ),
            rx.spacer(),
            rx.button("Previous", variant="outline", size="1", on_click=state.previous_page, disabled=state.page == 0),
            rx.button(
                "Next", variant="outline", size="1", on_click=state.next_page, disabled=state.page + 1 >= state.pages
            ),
            width="100%",
            align="center",
        ),
    )


def _report(state: type[ReportMixin], intro: str, caption: str, empty: str) -> rx.Component:
    return rx.vstack(
        rx.text(intro, size="2", color_scheme="gray"),
        _filters(state),
        _summary(state),
        rx.cond(
            state.row_count > 0,
            rx.vstack(_table(state, caption), _pager(state), spacing="2", width="100%"),
            rx.text(empty, size="2", color_scheme="gray"),
        ),
        rx.foreach(state.notes, lambda note: rx.text(note, size="2", color_scheme="gray")),
        spacing="4",
        width="100%",
    )


def sales_report_page() -> rx.Component:
    """Daily sales by store, salesperson and category (``/billing/reports/sales``)."""
    return shell(
        _report(
            SalesReportState,
            "Sales per day (in the store's dates), salesperson and category: taxable value, GST and total. "
            "Cancelled invoices are left out.",
            "Sales by day, salesperson and category",
            "No sales in this period.",
        ),
        "Sales report",
    )


def gst_report_page() -> rx.Component:
    """The GST summary for filing (``/billing/reports/gst``)."""
    return shell(
        _report(
            GstReportState,
            "Outward supplies by supply type, buyer (B2B with a GSTIN, else B2C), place of supply, HSN/SAC and rate, "
            "less the credit notes written in the period.",
            "GST summary",
            "No invoices or credit notes in this period.",
        ),
        "GST summary",
    )
