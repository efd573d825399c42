"""The list-page data table: server-side search, filters, sort, paging and Excel export.

A page declares ``class CustomersTable(DataTableMixin, AppState): spec: ClassVar[TableSpec] = CUSTOMERS``
and renders ``data_table(CustomersTable)``. State holds one page of rows only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, ClassVar

import reflex as rx

from jewelerp.errors import JewelError
from jewelerp.ui.downloads import download_export
from jewelerp.ui.export_job import EXPORT_FAILED, ExportJob
from jewelerp.ui.table_query import TableQuery, TableSpec, count_label

PAGE_SIZE = 25
PROGRESS_SECONDS = 0.3  # how often the page hears how far an export got
log = logging.getLogger(__name__)


class DataTableMixin(rx.State, mixin=True):
    """Paging, search, filter and sort state for one :class:`TableSpec`."""

    spec: ClassVar[TableSpec]
    rows: list[dict[str, str]] = []
    total: int = 0
    total_label: str = "0"
    page: int = 0
    search: str = ""
    filters: dict[str, str] = {}
    sort: str = ""
    descending: bool = False
    filter_options: dict[str, list[dict[str, str]]] = {}
    exporting: bool = False
    export_written: int = 0
    export_total: int = 0
    export_status: str = ""

    def _query(self, paged: bool = True) -> TableQuery:
        return TableQuery(
            search=self.search,
            filters={k: v for k, v in self.filters.items() if v},
            sort=self.sort or self.spec.default_sort,
            descending=self.descending,
            offset=self.page * PAGE_SIZE if paged else 0,
            limit=PAGE_SIZE if paged else None,
        )

    def _refresh(self) -> None:
        query = self._query()
        result = self._run(lambda s, a: self.spec.fetch(s, a, query), write=False)
        self.rows, self.total = result if result else ([], 0)
        self.total_label = count_label(self.total, query.offset)

    def _load(self) -> None:
        """Open the list on its first page; filters named in the URL (``?segment=vip``) start applied."""
        params = self.router.url.query_parameters
        self.filters = {f.key: str(params[f.key]) for f in self.spec.filters if f.key in params}
        self.page, self.search, self.sort, self.descending = 0, "", "", False
        loaders = {f.key: f.options_loader for f in self.spec.filters if f.options_loader}
        if loaders:
            loaded = self._run(lambda s, a: {k: fn(s, a) for k, fn in loaders.items()}, write=False) or {}
            self.filter_options = {k: [{"value": v, "label": t} for v, t in opts] for k, opts in loaded.items()}
        self._refresh()

    @rx.event
    def load(self) -> None:
        """Open the list on its first page (a page's own load handler may call ``_load`` directly)."""
        self._load()

    @rx.event
    def refresh(self) -> None:
        """Reload the current page (after a change)."""
        self._refresh()

    @rx.event
    def set_search(self, value: str) -> None:
        """Search as the person types (debounced in the browser)."""
        self.search, self.page = value, 0
        self._refresh()

    @rx.event
    def set_filter(self, key: str, value: str) -> None:
        """Apply one drop-down filter."""
        self.filters = {**self.filters, key: value}
        self.page = 0
        self._refresh()

    @rx.event
    def sort_by(self, key: str) -> None:
        """Sort by a column; clicking it again reverses the order."""
        if self.sort == key:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, False
        self._refresh()

    @rx.event
    def next_page(self) -> None:
        """Show the next page."""
        if (self.page + 1) * PAGE_SIZE < self.total:
            self.page += 1
            self._refresh()

    @rx.event
    def previous_page(self) -> None:
        """Show the previous page."""
        if self.page > 0:
            self.page -= 1
            self._refresh()

    @rx.event(background=True)
    async def export(self):
        """Write every filtered row to an .xlsx file in the background while the page shows the rows written so
        far; the browser downloads the file when it is ready. A second click meanwhile starts nothing."""
        async with self:
            if self.exporting:
                return None
            query, spec = self._query(paged=False), self.spec
            started = self._run(lambda s, a: (a, spec.count(s, a, query)), write=False)
            if started is None:
                return None
            actor, total = started
            loaded = {k: [(o["value"], o["label"]) for o in options] for k, options in self.filter_options.items()}
            job = ExportJob(spec, actor, query, spec.filters_used(query, loaded))
            self._clear_messages()
            self.exporting, self.export_total = True, total
            self._show_progress(0)
        work = asyncio.ensure_future(asyncio.to_thread(job.run))
        while not work.done():
            await asyncio.wait({work}, timeout=PROGRESS_SECONDS)
            async with self:
                self._show_progress(job.written)
        async with self:
            self.exporting = False
            try:
                token = work.result()
            except JewelError as exc:
                self._say(exc.message, ok=False)
                return None
            except Exception:
                log.exception("The %s export failed", spec.name)
                self._say(EXPORT_FAILED, ok=False)
                return None
            self._say(f"Exported {job.written:,} rows; the download starts now.")
        return download_export(token)

    def _show_progress(self, written: int) -> None:
        self.export_written = written
        self.export_status = f"Exporting: {written:,} of {self.export_total:,} rows written"


def _header(state: type[DataTableMixin], spec: TableSpec, actions: bool) -> rx.Component:
    cells = []
    for column in spec.columns:
        if not column.sortable:
            cells.append(rx.table.column_header_cell(column.label))
            continue
        arrow = rx.cond(state.sort == column.key, rx.cond(state.descending, " ↓", " ↑"), "")
        cells.append(
            rx.table.column_header_cell(
                rx.button(
                    column.label,
                    arrow,
                    variant="ghost",
                    color_scheme="gray",
                    high_contrast=True,
                    size="2",
                    font_weight="bold",
                    on_click=state.sort_by(column.key),
                    aria_label=f"Sort by {column.label}",
                )
            )
        )
    if actions:
        cells.append(rx.table.column_header_cell(rx.text("Actions", class_name="sr-only")))
    return rx.table.header(rx.table.row(*cells))


def _export_progress(state: type[DataTableMixin]) -> rx.Component:
    """The bar of a running export: rows written out of the rows to write."""
    return rx.hstack(
        rx.progress(
            value=state.export_written,
            max=rx.cond(state.export_total > 0, state.export_total, 1),
            width="16rem",
            aria_label="Export progress",
        ),
        rx.text(state.export_status, size="2", role="status"),
        align="center",
        spacing="3",
    )


def data_table(
    state: type[DataTableMixin],
    *,
    link_column: str | None = None,
    row_actions: Callable[[Any], rx.Component] | None = None,
    toolbar: rx.Component | None = None,
) -> rx.Component:
    """The table with its search box, filters, pager and export button."""
    spec = state.spec

    def render_row(row: Any) -> rx.Component:
        cells = []
        for column in spec.columns:
            value = row[column.key]
            if column.key == link_column:
                value = rx.link(value, href=row["_link"], weight="medium")
            layout = {"white_space": "normal", "min_width": "18rem"} if column.wrap else {"white_space": "nowrap"}
            cells.append(rx.table.cell(value, **layout))
        if row_actions is not None:
            cells.append(rx.table.cell(row_actions(row)))
        return rx.table.row(*cells)

    filters = [
        rx.el.select(
            rx.el.option(f.empty_label, value=""),
            *[rx.el.option(text, value=value) for value, text in f.options],
            *(
                [rx.foreach(state.filter_options[f.key], lambda o: rx.el.option(o["label"], value=o["value"]))]
                if f.options_loader
                else []
            ),
            aria_label=f.label,
            class_name="jewel-select",
            value=state.filters.get(f.key, ""),
            on_change=lambda v, key=f.key: state.set_filter(key, v),
        )
        for f in spec.filters
    ]
    first = state.page * PAGE_SIZE + 1
    last = rx.cond(state.total < (state.page + 1) * PAGE_SIZE, state.total, (state.page + 1) * PAGE_SIZE)
    return rx.vstack(
        rx.flex(
            rx.debounce_input(
                rx.input(
                    placeholder="Search…",
                    aria_label=f"Search {spec.title.lower()}",
                    value=state.search,
                    on_change=state.set_search,
                    min_width="14em",
                ),
                debounce_timeout=300,
            ),
            *filters,
            rx.spacer(),
            toolbar or rx.fragment(),
            rx.button(
                rx.icon("file-spreadsheet", size=16),
                "Export to Excel",
                variant="soft",
                on_click=state.export,
                loading=state.exporting,
            ),
            spacing="2",
            wrap="wrap",
            width="100%",
            align="center",
        ),
        rx.cond(state.exporting, _export_progress(state)),
        rx.box(
            rx.table.root(
                _header(state, spec, row_actions is not None),
                rx.table.body(rx.foreach(state.rows, render_row)),
                variant="surface",
                size="2",
                width="100%",
            ),
            width="100%",
            overflow_x="auto",
        ),
        rx.cond(state.total == 0, rx.text("Nothing matches.", color_scheme="gray", size="2")),
        rx.hstack(
            rx.text(
                rx.cond(state.total > 0, f"{first}–{last} of {state.total_label}", ""), size="2", color_scheme="gray"
            ),
            rx.spacer(),
            rx.button("Previous", variant="outline", size="1", on_click=state.previous_page, disabled=state.page == 0),
            rx.button(
                "Next",
                variant="outline",
                size="1",
                on_click=state.next_page,
                disabled=(state.page + 1) * PAGE_SIZE >= state.total,
            ),
            width="100%",
            align="center",
        ),
        width="100%",
        spacing="3",
    )
