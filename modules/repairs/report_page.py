"""The workshop reports page (``/repairs/reports``): choose a report and a period (the last 90 days by
default, in the store's dates), see its summary and rows, and export it to Excel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import reflex as rx

from jewelerp.money import format_inr
from jewelerp.reports import ReportTable, write_report
from jewelerp.ui.downloads import download_export
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import new_export
from modules.repairs.reports import REPORTS, build_report, default_period

MONEY_COLUMNS = frozenset({"estimate"})


def _text(key: str, value: Any) -> str:
    """A cell as shown: rupees for money, 3 decimals for grams, commas in counts."""
    if isinstance(value, Decimal):
        return format_inr(value, paise=True) if key in MONEY_COLUMNS else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class WorkshopReportState(AppState):
    """The chosen report, its period and what it shows (a few dozen rows: stages, karigars, kinds)."""

    report: str = REPORTS[0].key
    date_from: str = ""
    date_to: str = ""
    title: str = ""
    headers: list[str] = []
    aligns: list[str] = []
    rows: list[list[str]] = []
    summary: list[dict[str, str]] = []
    notes: list[str] = []
    form_version: int = 0

    def _build(self) -> ReportTable | None:
        key, raw_from, raw_to = self.report, self.date_from, self.date_to
        return self._run(lambda s, a: build_report(s, a, key, raw_from, raw_to), write=False)

    def _show(self) -> None:
        table = self._build()
        if table is None:
            self.rows, self.summary, self.notes = [], [], []
            return
        self.title = table.title
        self.headers = [c.label for c in table.columns]
        self.aligns = ["right" if c.key in table.numeric else "left" for c in table.columns]
        self.rows = [[_text(c.key, row.get(c.key, "")) for c in table.columns] for row in table.rows]
        self.summary = [{"label": label, "value": value} for label, value in table.summary]
        self.notes = list(table.notes)

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check: the first report over the last 90 days."""
        self._clear_messages()
        period = self._run(lambda _s, a: default_period(a), write=False)
        if period is None:
            return
        self.report = REPORTS[0].key
        self.date_from, self.date_to = period[0].isoformat(), period[1].isoformat()
        self.form_version += 1
        self._show()

    @rx.event
    def apply(self, form: dict) -> None:
        """Show the chosen report for the period in the form."""
        self._clear_messages()
        self.report = str(form.get("report", ""))
        self.date_from, self.date_to = str(form.get("date_from", "")), str(form.get("date_to", ""))
        self._show()

    @rx.event
    def export(self):
        """Write the report last shown (its kind and period) to .xlsx and download it."""
        table = self._build()
        if table is None:
            return None
        token, path = new_export(table.filename)
        write_report(path, table)
        return download_export(token)


def _filters() -> rx.Component:
    state = WorkshopReportState
    return rx.form(
        rx.flex(
            rx.box(
                select_field("Report", "report", [(r.key, r.label) for r in REPORTS], default_value=state.report),
                min_width="14em",
            ),
            rx.box(field("From", "date_from", type="date", default_value=state.date_from), min_width="11em"),
            rx.box(field("To", "date_to", type="date", default_value=state.date_to), min_width="11em"),
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


def _summary() -> rx.Component:
    return rx.grid(
        rx.foreach(
            WorkshopReportState.summary,
            lambda s: rx.card(
                rx.text(s["label"], size="2", color_scheme="gray"),
                rx.text(s["value"], size="5", weight="bold", white_space="nowrap"),
            ),
        ),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )


def _table() -> rx.Component:
    state = WorkshopReportState
    return rx.box(
        rx.table.root(
            rx.el.caption(state.title, class_name="sr-only"),
            rx.table.header(
                rx.table.row(
                    rx.foreach(
                        state.headers,
                        lambda h, i: rx.table.column_header_cell(h, text_align=state.aligns[i], white_space="nowrap"),
                    )
                )
            ),
            rx.table.body(
                rx.foreach(
                    state.rows,
                    lambda row: rx.table.row(
                        rx.foreach(
                            row.to(list[str]),
                            lambda cell, i: rx.table.cell(cell, text_align=state.aligns[i], white_space="nowrap"),
                        )
                    ),
                )
            ),
            variant="surface",
            size="1",
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
    )


def report_page() -> rx.Component:
    """Workshop reports (``/repairs/reports``)."""
    state = WorkshopReportState
    return shell(
        rx.vstack(
            rx.text(
                "Jobs by stage and by karigar (jobs taken in during the period), turnaround (jobs delivered in it) "
                "and metal loss per karigar (work closed in it).",
                size="2",
                color_scheme="gray",
            ),
            _filters(),
            _summary(),
            rx.cond(
                state.rows.length() > 0,
                _table(),
                rx.text("Nothing in this period.", size="2", color_scheme="gray"),
            ),
            rx.foreach(state.notes, lambda note: rx.text(note, size="2", color_scheme="gray")),
            spacing="4",
            width="100%",
        ),
        "Workshop reports",
    )
