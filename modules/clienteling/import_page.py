"""Import customers: upload a .csv or .xlsx, preview every row, import the good ones, download the rest."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import reflex as rx

from jewelerp.ui.downloads import download_export
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import new_export
from jewelerp.ui.uploads import read_spreadsheet, spreadsheet_drop_zone
from modules.clienteling.importer import (
    LIMITS,
    PERMISSION,
    ImportPreview,
    RowReport,
    error_report_xlsx,
    import_rows,
    preview,
    read_rows,
)

UPLOAD_ID = "customer-import"
SHOWN_ROWS = 200
STATUS_LABELS = {"ok": "Ready", "error": "Needs fixing", "duplicate": "Duplicate"}
STATUS_COLORS = {"ok": "green", "error": "red", "duplicate": "amber"}


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _shown(reports: list[RowReport]) -> list[dict[str, str]]:
    return [
        {
            "row": str(r.row),
            "name": r.name,
            "status": STATUS_LABELS[r.status],
            "color": STATUS_COLORS[r.status],
            "message": r.message,
        }
        for r in reports[:SHOWN_ROWS]
    ]


class ImportState(AppState):
    """One upload at a time: counts and at most 200 row reports reach the browser, the rows stay here."""

    ready: bool = False
    filename: str = ""
    previewed: bool = False
    imported: bool = False
    total: int = 0
    good: int = 0
    bad: int = 0
    duplicates: int = 0
    imported_count: int = 0
    ignored_columns: str = ""
    reports: list[dict[str, str]] = []
    more_rows: int = 0
    _rows: list[dict[str, str]] = []
    _report: ImportPreview | None = None

    def _reset(self) -> None:
        self.filename, self.previewed, self.imported = "", False, False
        self.total = self.good = self.bad = self.duplicates = self.imported_count = self.more_rows = 0
        self.ignored_columns, self.reports = "", []
        self._rows, self._report = [], None

    def _show(self, report: ImportPreview, problems_only: bool) -> None:
        self._report = report
        self.total, self.good, self.bad, self.duplicates = report.total, report.good, report.errors, report.duplicates
        self.ignored_columns = ", ".join(report.ignored_columns)
        listed = report.problems if problems_only else sorted(report.rows, key=lambda r: (r.status == "ok", r.row))
        self.reports = _shown(listed)
        self.more_rows = max(0, len(listed) - SHOWN_ROWS)

    @rx.event
    def load(self) -> None:
        """Start empty each time the page opens (a file already chosen stays chosen)."""
        self._reset()
        self._clear_messages()
        self.ready = True

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]) -> None:
        """Check the session and permission, then read the chosen file and check every row, saving nothing.

        Reading and checking run in worker threads, so a large file never holds up other users.
        """
        self._reset()
        self._clear_messages()
        chosen = await read_spreadsheet(self, files, PERMISSION, LIMITS.max_bytes, read_rows)
        if chosen is None:
            return
        name, rows = chosen
        report = await asyncio.to_thread(self._run, lambda s, a: preview(s, a, rows), write=False)
        if report is None:
            return
        self.filename, self._rows, self.previewed = name, rows, True
        self._show(report, problems_only=False)

    @rx.event
    async def import_all(self) -> None:
        """Insert the good rows in one transaction (in a worker thread); list the rows that were left out."""
        rows = self._rows
        if not rows:
            self._say("Choose a file and preview it first.", ok=False)
            return
        report = await asyncio.to_thread(self._run, lambda s, a: import_rows(s, a, rows))
        if report is None:
            return
        self._rows, self.imported, self.imported_count = [], True, report.imported
        self._show(report, problems_only=True)
        left = report.total - report.imported
        self._say(
            f"Imported {_plural(report.imported, 'customer', 'customers')}; "
            f"{_plural(left, 'row needs', 'rows need')} fixing."
        )

    @rx.event
    def download_errors(self):
        """The rows that were not imported, with why, as an .xlsx download."""
        report = self._report
        if report is None or not report.problems:
            self._say("There are no rows to fix.", ok=False)
            return None

        def work(session: Any, actor: Any) -> str:
            actor.require(PERMISSION)
            token, path = new_export(f"customer-import-errors-{date.today().isoformat()}.xlsx")
            error_report_xlsx(path, report)
            return token

        token = self._run(work, write=False)
        if token:
            return download_export(token)
        return None

    @rx.event
    def start_over(self):
        """Forget this file and choose another."""
        self._reset()
        self._clear_messages()
        return rx.clear_selected_files(UPLOAD_ID)


def _picker() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Choose a file", size="4"),
            rx.text(
                "A .csv or .xlsx file (first sheet) up to 10 MB and 20,000 rows. The first row holds the headings: "
                "Name, Phone, Alternate phone, Email, Address, Gender, Date of birth, Anniversary, Tags, Notes, "
                "Metals, Stones, Styles, Min price, Max price, Ring size. Only Name is required; every customer "
                "needs a phone or an email.",
                size="2",
                color_scheme="gray",
            ),
            spreadsheet_drop_zone(UPLOAD_ID, "Customer file", LIMITS.max_bytes),
            rx.hstack(
                rx.button(
                    rx.icon("eye", size=16),
                    "Preview",
                    on_click=ImportState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
                    disabled=~ImportState.ready,
                ),
                rx.cond(
                    ImportState.previewed | ImportState.imported,
                    rx.button("Start over", variant="outline", on_click=ImportState.start_over),
                ),
                spacing="2",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _count(label: str, value: rx.Var, color: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            rx.text(value, size="6", weight="bold", color_scheme=color),
            spacing="1",
        ),
        min_width="9rem",
    )


def _report_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["row"]),
        rx.table.cell(row["name"]),
        rx.table.cell(rx.badge(row["status"], color_scheme=row["color"])),
        rx.table.cell(row["message"], white_space="normal", min_width="18rem"),
    )


def _results() -> rx.Component:
    return rx.vstack(
        rx.heading(rx.cond(ImportState.imported, "Imported from ", "Preview of "), ImportState.filename, size="4"),
        rx.flex(
            rx.cond(
                ImportState.imported,
                _count("Imported", ImportState.imported_count, "green"),
                _count("Ready to import", ImportState.good, "green"),
            ),
            _count("Need fixing", ImportState.bad, "red"),
            _count("Duplicates", ImportState.duplicates, "amber"),
            _count("Rows in the file", ImportState.total, "gray"),
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            ImportState.ignored_columns != "",
            rx.text("Columns not imported: ", ImportState.ignored_columns, size="2", color_scheme="gray"),
        ),
        rx.flex(
            rx.cond(
                ~ImportState.imported & (ImportState.good > 0),
                rx.button(
                    rx.icon("upload", size=16),
                    rx.cond(ImportState.good == 1, "Import 1 customer", f"Import {ImportState.good} customers"),
                    on_click=ImportState.import_all,
                ),
            ),
            rx.cond(
                ImportState.bad + ImportState.duplicates > 0,
                rx.button(
                    rx.icon("file-down", size=16),
                    "Download error report",
                    variant="soft",
                    on_click=ImportState.download_errors,
                ),
            ),
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            ImportState.reports.length() > 0,
            rx.box(
                rx.table.root(
                    rx.el.caption(
                        rx.cond(ImportState.imported, "Rows not imported", "Rows in the file"), class_name="sr-only"
                    ),
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Row"),
                            rx.table.column_header_cell("Name"),
                            rx.table.column_header_cell("Status"),
                            rx.table.column_header_cell("Problem"),
                        )
                    ),
                    rx.table.body(rx.foreach(ImportState.reports, _report_row)),
                    variant="surface",
                    size="2",
                    width="100%",
                ),
                width="100%",
                overflow_x="auto",
            ),
        ),
        rx.cond(
            ImportState.more_rows > 0,
            rx.text(
                ImportState.more_rows,
                " more rows are not shown; the error report lists every row to fix.",
                size="2",
                color_scheme="gray",
            ),
        ),
        spacing="3",
        width="100%",
    )


def import_page() -> rx.Component:
    """The page registered in the manifest."""
    return shell(
        rx.vstack(
            _picker(),
            rx.cond(ImportState.previewed | ImportState.imported, _results()),
            spacing="4",
            width="100%",
        ),
        "Import customers",
    )
