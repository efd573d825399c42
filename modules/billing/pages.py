"""The metal rates page: today's rates with the entry form, the last 30 days, and the import."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.money import format_inr
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from jewelerp.ui.uploads import read_spreadsheet, spreadsheet_drop_zone
from modules.billing.importer import LIMITS, RatePreview, import_rows, preview, read_rows
from modules.billing.rates import MANAGE, RATE_HISTORY, set_rate, todays_rates

UPLOAD_ID = "billing-rate-import"
SHOWN_ROWS = 100


def _today_data(session: Session, actor: Actor) -> dict[str, Any]:
    """Today's rates as display rows, and whether the viewer may change them."""
    rates = todays_rates(session, actor)
    return {
        "can_manage": actor.can(MANAGE),
        "today": f"{actor.today():%d %b %Y}",
        "rates": [
            {
                "metal": r["metal"],
                "rate": f"{format_inr(r['rate'], paise=True)}/g" if r["rate"] is not None else "Not entered",
                "entered": f"{r['entered_by']}, {r['entered_at']:%H:%M}" if r["entered_at"] else "—",
            }
            for r in rates
        ],
        "metals": [{"value": str(r["metal_id"]), "label": r["metal"]} for r in rates],
    }


class RatesState(DataTableMixin, AppState):
    """Today's rates (one row per metal), the entry form and one page of the 30-day history."""

    spec: ClassVar[TableSpec] = RATE_HISTORY
    today_rates: list[dict[str, str]] = []
    metals: list[dict[str, str]] = []
    today: str = ""
    can_manage: bool = False
    form_version: int = 0

    def _reload_today(self) -> None:
        data = self._run(_today_data, write=False)
        if data is None:
            self.today_rates, self.metals, self.can_manage = [], [], False
            return
        self.today_rates, self.metals = data["rates"], data["metals"]
        self.today, self.can_manage = data["today"], data["can_manage"]

    @rx.event
    def open_page(self):
        """Runs after the shell's access check (the manifest's on_load)."""
        self._reload_today()
        self._load()

    @rx.event
    def save_rate(self, form: dict) -> None:
        """Enter or correct today's rate of one metal."""
        metal_id, rate = str(form.get("metal_id", "")), str(form.get("rate", ""))
        saved = self._run(lambda s, a: set_rate(s, a, metal_id, rate))
        if saved is not None:
            self._say(f"Rate saved: {format_inr(saved.rate, paise=True)}/g for {saved.on:%d %b %Y}.")
            self.form_version += 1
            self._reload_today()
            self._refresh()


class RateImportState(AppState):
    """One upload at a time: counts and at most 100 row reports reach the browser; the rows stay here."""

    filename: str = ""
    previewed: bool = False
    imported: bool = False
    total: int = 0
    good: int = 0
    bad: int = 0
    imported_count: int = 0
    reports: list[dict[str, str]] = []
    _rows: list[dict[str, str]] = []

    def _reset(self) -> None:
        self.filename, self.previewed, self.imported = "", False, False
        self.total = self.good = self.bad = self.imported_count = 0
        self.reports, self._rows = [], []

    def _show(self, report: RatePreview) -> None:
        self.total, self.good, self.bad = report.total, report.good, report.errors
        rows = sorted(report.rows, key=lambda r: (r.status == "ok", r.row))[:SHOWN_ROWS]
        self.reports = [
            {
                "row": str(r.row),
                "label": r.label,
                "status": "Ready" if r.status == "ok" else "Needs fixing",
                "color": "green" if r.status == "ok" else "red",
                "message": r.message,
            }
            for r in rows
        ]

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]) -> None:
        """Check the session and permission, then read the chosen file and check every row, saving nothing.

        Reading and checking run in worker threads, so a large file never holds up other users.
        """
        self._reset()
        self._clear_messages()
        chosen = await read_spreadsheet(self, files, MANAGE, LIMITS.max_bytes, read_rows)
        if chosen is None:
            return
        name, rows = chosen
        report = await asyncio.to_thread(self._run, lambda s, a: preview(s, a, rows), write=False)
        if report is None:
            return
        self.filename, self._rows, self.previewed = name, rows, True
        self._show(report)

    @rx.event
    async def import_all(self):
        """Save the good rows in one transaction (in a worker thread), then refresh today's rates and the history."""
        rows = self._rows
        if not rows:
            self._say("Choose a file and preview it first.", ok=False)
            return None
        report = await asyncio.to_thread(self._run, lambda s, a: import_rows(s, a, rows))
        if report is None:
            return None
        self._rows, self.imported, self.imported_count = [], True, report.imported
        self._show(report)
        self._say(f"Imported {report.imported} rates; {report.errors} rows need fixing.")
        return RatesState.open_page

    @rx.event
    def start_over(self):
        """Forget this file."""
        self._reset()
        self._clear_messages()
        return rx.clear_selected_files(UPLOAD_ID)


def _today_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Today's rates, ", RatesState.today, size="4"),
            rx.box(
                rx.table.root(
                    rx.el.caption("Today's rates", class_name="sr-only"),
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in ("Metal", "Rate", "Entered")])
                    ),
                    rx.table.body(
                        rx.foreach(
                            RatesState.today_rates,
                            lambda r: rx.table.row(
                                *[rx.table.cell(r[k], white_space="nowrap") for k in ("metal", "rate", "entered")]
                            ),
                        )
                    ),
                    variant="surface",
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text(
                "A sale uses the rate of its own date; without today's rate of its metal a sale cannot be made.",
                size="1",
                color_scheme="gray",
            ),
            rx.cond(RatesState.can_manage, _rate_form()),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _rate_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(select_field("Metal and purity", "metal_id", RatesState.metals), min_width="14em"),
            rx.box(field("Rate (₹ per gram)", "rate", hint="Today's rate, e.g. 12000.50"), min_width="14em"),
            rx.button("Save rate", type="submit"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=RatesState.save_rate,
        no_validate=True,
        reset_on_submit=False,
        key=RatesState.form_version.to_string(),
    )


def _report_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["row"]),
        rx.table.cell(row["label"]),
        rx.table.cell(rx.badge(row["status"], color_scheme=row["color"])),
        rx.table.cell(row["message"], white_space="normal", min_width="16rem"),
    )


def _import_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Import rates", size="4"),
            rx.text(
                "A .csv or .xlsx file whose first row holds the headings Date, Metal, Purity (or Fineness), Rate; "
                "one row per day and metal, e.g. 27-11-2026, Gold, 22K, 12000. A day that has a rate is corrected.",
                size="2",
                color_scheme="gray",
            ),
            spreadsheet_drop_zone(UPLOAD_ID, "Rate file", LIMITS.max_bytes),
            rx.hstack(
                rx.button(
                    rx.icon("eye", size=16),
                    "Preview",
                    on_click=RateImportState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
                ),
                rx.cond(
                    RateImportState.previewed & ~RateImportState.imported & (RateImportState.good > 0),
                    rx.button(rx.icon("upload", size=16), "Import the good rows", on_click=RateImportState.import_all),
                ),
                rx.cond(
                    RateImportState.previewed,
                    rx.button("Start over", variant="outline", on_click=RateImportState.start_over),
                ),
                spacing="2",
            ),
            rx.cond(
                RateImportState.previewed,
                rx.vstack(
                    rx.text(
                        rx.cond(RateImportState.imported, "Imported from ", "Preview of "),
                        RateImportState.filename,
                        ": ",
                        RateImportState.total,
                        " rows, ",
                        rx.cond(RateImportState.imported, RateImportState.imported_count, RateImportState.good),
                        rx.cond(RateImportState.imported, " imported, ", " ready, "),
                        RateImportState.bad,
                        " to fix.",
                        size="2",
                    ),
                    rx.box(
                        rx.table.root(
                            rx.el.caption("Rows in the file", class_name="sr-only"),
                            rx.table.header(
                                rx.table.row(
                                    *[rx.table.column_header_cell(h) for h in ("Row", "Rate", "Status", "Problem")]
                                )
                            ),
                            rx.table.body(rx.foreach(RateImportState.reports, _report_row)),
                            variant="surface",
                            size="1",
                            width="100%",
                        ),
                        overflow_x="auto",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def rates_page() -> rx.Component:
    """The page registered in the manifest."""
    return shell(
        rx.vstack(
            _today_card(),
            rx.heading("Last 30 days", size="4"),
            data_table(RatesState),
            rx.cond(RatesState.can_manage, _import_card()),
            spacing="4",
            width="100%",
        ),
        "Metal rates",
    )
