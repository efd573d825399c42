"""A report page for any module's :class:`jewelerp.reports.ReportKind`.

Each page has a period (the report's default first, in the store's dates), an optional "every store" scope,
the report's own filters, summary figures, a bar chart where the report has one, the table 50 rows at a time
(the whole report stays on the server, only the page shown reaches the browser) and "Export to Excel" with the
whole report. A module declares ``class XState(ReportMixin, AppState): report = KIND`` and a page function
calling :func:`report_page`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Kind
from jewelerp.errors import require_fields
from jewelerp.money import format_inr
from jewelerp.reports import ReportKind, ReportRequest, ReportTable, parse_period, report_stores, write_report
from jewelerp.ui.charts import SHORT_NUMBER
from jewelerp.ui.downloads import download_export
from jewelerp.ui.forms import field, scrolling_table, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.table_query import new_export

PAGE_ROWS = 50
EVERY_STORE = "all"
SCOPES = [("", "This store"), (EVERY_STORE, "Every store")]
MAX_NUMBER = 100_000


def cell_text(value: Any) -> str:
    """A summary figure as shown: rupees with paise, dates as 02 Nov 2026, counts with commas."""
    if isinstance(value, Decimal):
        return format_inr(value, paise=True)
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _cells(table: ReportTable, row: dict[str, Any]) -> list[str]:
    return [column.text(row.get(column.key)) for column in table.columns]


def _chart_number(value: Any) -> float:
    """A figure as drawn (a bar's height only; the table and the export keep the exact Decimal)."""
    return float(value) if isinstance(value, int | Decimal) else 0.0


def read_choices(kind: ReportKind, form: dict[str, Any]) -> dict[str, str]:
    """The report's own filters from a submitted form; a number filter is blank or a whole number from 1 on."""
    choices, errors = {}, {}
    for spec in kind.filters:
        raw = str(form.get(spec.key, spec.default)).strip()
        if spec.options is None and raw and not (raw.isdigit() and 0 < int(raw) <= MAX_NUMBER):
            errors[spec.key] = f"Enter a whole number of days from 1 to {MAX_NUMBER:,}."
        choices[spec.key] = raw
    require_fields(errors)
    return choices


def _defaults(kind: ReportKind) -> Any:
    def load(session: Session, actor: Actor) -> dict[str, Any]:
        actor.require(kind.permission)  # before any option is read
        start, end = kind.default_period(actor)
        return {
            "start": start,
            "end": end,
            "several": kind.every_store and len(report_stores(session, actor, kind.permission, every_store=True)) > 1,
            "options": {
                spec.key: ([{"value": "", "label": spec.all_label}] if spec.all_label else [])
                + [{"value": value, "label": label} for value, label in spec.options(session, actor)]
                for spec in kind.filters
                if spec.options is not None
            },
        }

    return load


class ReportMixin(rx.State, mixin=True):
    """A report's period, scope, filters and the page of rows shown; the whole report stays in ``_cells``."""

    report: ClassVar[ReportKind]
    date_from: str = ""
    date_to: str = ""
    scope: str = ""
    choices: dict[str, str] = {}
    filter_options: dict[str, list[dict[str, str]]] = {}
    several_stores: bool = False
    headers: list[str] = []
    aligns: list[str] = []
    rows: list[list[str]] = []
    footer: list[list[str]] = []
    summary: list[dict[str, str]] = []
    notes: list[str] = []
    chart_data: list[dict[str, Any]] = []
    page: int = 0
    pages: int = 0
    row_count: int = 0
    form_version: int = 0
    _cells: list[list[str]] = []

    def _build(self, form: Any = None) -> ReportTable | None:
        """The report for the period, scope and filters (those of ``form`` when given, else the last shown; None
        after an error, which is shown). The form is read only once the session and permission are checked."""
        kind = self.report
        shown = {"date_from": self.date_from, "date_to": self.date_to, "scope": self.scope, **self.choices}

        def work(session: Session, actor: Actor) -> tuple[ReportTable, ReportRequest]:
            actor.require(kind.permission)
            raw = shown | (form if isinstance(form, dict) else {})
            start, end = parse_period(str(raw.get("date_from", "")), str(raw.get("date_to", "")))
            every = str(raw.get("scope", "")) == EVERY_STORE
            request = ReportRequest(start, end, every, read_choices(kind, raw))
            return kind.build(session, actor, request), request

        built = self._run(work, write=False)
        if built is None:
            return None
        table, request = built
        if kind.period:
            self.date_from, self.date_to = request.start.isoformat(), request.end.isoformat()
        self.scope, self.choices = EVERY_STORE if request.every_store else "", request.choices
        return table

    def _show(self, form: Any = None) -> None:
        table = self._build(form)
        if table is None:
            self.rows, self.footer, self.summary, self.notes, self.chart_data, self._cells = [], [], [], [], [], []
            self.page = self.pages = self.row_count = 0
            return
        self.headers = [column.label for column in table.columns]
        self.aligns = [
            "right" if column.key in table.numeric or column.kind != Kind.TEXT else "left" for column in table.columns
        ]
        self._cells = [_cells(table, row) for row in table.rows]
        self.footer = [_cells(table, row) for row in table.footer]
        self.summary = [{"label": label, "value": cell_text(value)} for label, value in table.summary]
        self.notes = list(table.notes)
        chart = self.report.chart
        self.chart_data = (
            [
                {"name": str(row.get(chart.category, "")), **{k: _chart_number(row.get(k)) for k, _ in chart.series}}
                for row in (table.chart_rows if table.chart_rows is not None else table.rows)[: chart.limit]
            ]
            if chart
            else []
        )
        self.row_count = len(self._cells)
        self.pages = max(1, -(-self.row_count // PAGE_ROWS))
        self.page = 0
        self._slice()

    def _slice(self) -> None:
        self.rows = self._cells[self.page * PAGE_ROWS : (self.page + 1) * PAGE_ROWS]

    def _allowed(self) -> bool:
        """Whether the session is live and its user still holds the report's permission (said when not)."""
        permission = self.report.permission

        def check(_session: Session, actor: Actor) -> bool:
            actor.require(permission)
            return True

        return bool(self._run(check, write=False))

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check: the report's default period, this store, every filter at its
        default."""
        self._clear_messages()
        defaults = self._run(_defaults(self.report), write=False)
        if defaults is None:
            return
        self.date_from, self.date_to = defaults["start"].isoformat(), defaults["end"].isoformat()
        self.scope, self.several_stores = "", defaults["several"]
        self.filter_options = defaults["options"]
        self.choices = {spec.key: spec.default for spec in self.report.filters}
        self.form_version += 1
        self._show()

    @rx.event
    def apply(self, form: Any) -> None:
        """Show the report for the period, scope and filters in the form."""
        self._clear_messages()
        self._show(form)

    @rx.event
    def next_page(self) -> None:
        """The next 50 rows."""
        if self._allowed() and self.page + 1 < self.pages:
            self.page += 1
            self._slice()

    @rx.event
    def previous_page(self) -> None:
        """The previous 50 rows."""
        if self._allowed() and self.page > 0:
            self.page -= 1
            self._slice()

    @rx.event
    def export(self):
        """Write the whole report (as shown: period, scope and filters of the last "Show") to .xlsx and download
        it."""
        table = self._build()
        if table is None:
            return None
        token, path = new_export(table.filename)
        write_report(path, table)
        return download_export(token)


def _filters(state: type[ReportMixin]) -> rx.Component:
    own = [
        rx.box(
            select_field(spec.label, spec.key, state.filter_options[spec.key], default_value=state.choices[spec.key])
            if spec.options is not None
            else field(
                spec.label, spec.key, type="number", min="1", hint=spec.hint, default_value=state.choices[spec.key]
            ),
            min_width="11em",
        )
        for spec in state.report.filters
    ]
    return rx.form(
        rx.flex(
            *_period(state),
            rx.cond(
                state.several_stores,
                rx.box(select_field("Stores", "scope", SCOPES, default_value=state.scope), min_width="11em"),
            ),
            *own,
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


def _period(state: type[ReportMixin]) -> list[rx.Component]:
    if not state.report.period:
        return []
    return [
        rx.box(field("From", "date_from", type="date", default_value=state.date_from), min_width="11em"),
        rx.box(field("To", "date_to", type="date", default_value=state.date_to), min_width="11em"),
    ]


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


COLOURS = ("var(--accent-9)", "var(--gray-9)", "var(--green-9)")


def _chart(state: type[ReportMixin], caption: str) -> rx.Component:
    chart = state.report.chart
    if chart is None:
        return rx.fragment()
    bars = [
        rx.recharts.bar(data_key=key, name=label, fill=COLOURS[n % len(COLOURS)])
        for n, (key, label) in enumerate(chart.series)
    ]
    return rx.cond(
        state.chart_data.length() > 0,
        rx.box(
            rx.recharts.bar_chart(
                *bars,
                rx.recharts.x_axis(data_key="name", tick={"fontSize": 12}),
                rx.recharts.y_axis(width=56, tick={"fontSize": 12}, tick_formatter=SHORT_NUMBER),
                rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                rx.recharts.graphing_tooltip(),
                rx.recharts.legend(),
                data=state.chart_data,
                width="100%",
                height=280,
            ),
            role="img",
            aria_label=f"Chart: {caption}",
            width="100%",
            # Recharts writes each legend label in its series' colour; text must meet 4.5:1 (WCAG 1.4.3).
            style={"& .recharts-legend-item-text": {"color": "var(--gray-12) !important"}},
        ),
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


def report_page(state: type[ReportMixin], title: str, intro: str, caption: str, empty: str) -> rx.Component:
    """The whole page of one report in the app shell: intro, filters, summary, chart, table, pager and notes."""
    return shell(
        rx.vstack(
            rx.text(intro, size="2", color_scheme="gray"),
            _filters(state),
            _summary(state),
            rx.cond(
                state.row_count > 0,
                rx.vstack(_chart(state, caption), _table(state, caption), _pager(state), spacing="3", width="100%"),
                rx.text(empty, size="2", color_scheme="gray"),
            ),
            rx.foreach(state.notes, lambda note: rx.text(note, size="2", color_scheme="gray")),
            spacing="4",
            width="100%",
        ),
        title,
    )
