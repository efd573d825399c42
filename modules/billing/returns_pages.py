"""The accountant's exports page (``/billing/reports/returns``): GSTR-1 JSON and Excel, and Tally XML of a month.

Pick the month and the store (any store where the user may export returns); the page shows each GSTR-1 table's
documents, taxable value and tax, and the net that reconciles to the GST summary. Each download is written on
the server and handed over once through a one-time token, like every other export.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import ValidationError
from jewelerp.money import format_inr
from jewelerp.ui.downloads import download_export
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import new_export
from modules.billing.gstr1 import RETURNS, Gstr1, build_gstr1, parse_month, store_actor, write_gstr1_xlsx
from modules.billing.reports import report_stores
from modules.billing.tally import month_vouchers, tally_xml

T = TypeVar("T")
TABLES = (
    ("b2b", "B2B invoices (table 4A)"),
    ("b2cl", "B2C large invoices (table 5)"),
    ("b2cs", "B2C small rows (table 7)"),
    ("cdnr", "Credit notes, registered buyers (table 9B)"),
    ("cdnur", "Credit notes, unregistered buyers (table 9B)"),
)


def _store_id(raw: str) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ValidationError({"store": "Choose the store."}) from None


def _money(value: Decimal) -> str:
    return format_inr(value, paise=True)


def summary_rows(gstr1: Gstr1) -> list[dict[str, str]]:
    """What the page shows of a return: each table's documents, taxable value and tax; the net; HSN and Table 13."""

    def row(label: str, count: int | str, sums: dict[str, Decimal] | None = None) -> dict[str, str]:
        taxable = _money(sums["taxable"]) if sums else ""
        tax = _money(sums["cgst"] + sums["sgst"] + sums["igst"]) if sums else ""
        return {"table": label, "count": str(count), "taxable": taxable, "tax": tax}

    rows = [row(label, gstr1.counts[key], gstr1.totals[key]) for key, label in TABLES]
    rows.append(row("Net of credit notes (the GST summary's net)", "", gstr1.net))
    rows.append(row("HSN summary rows (table 12)", gstr1.counts["hsn"], gstr1.totals["hsn"]))
    rows.append(row("Documents issued (table 13)", gstr1.counts["doc_issue"]))
    return rows


def _previous_month(today: date) -> str:
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"


class ReturnsState(AppState):
    """The month and store chosen, the return's summary rows and the Tally voucher count."""

    month: str = ""
    store_id: str = ""
    store_options: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    gstin: str = ""
    vouchers: int = 0
    form_version: int = 0

    def _for_choice(self, make: Callable[[Session, Actor, int, int], T]) -> T | None:
        """``make(session, actor in the chosen store, year, month)`` for the month and store last shown."""
        raw_month, raw_store = self.month, self.store_id

        def work(session: Session, actor: Actor) -> T:
            actor.require(RETURNS)  # before anything typed is read
            errors = {}
            try:
                year, month = parse_month(raw_month)
            except ValidationError as exc:
                errors.update(exc.fields)
            try:
                store = store_actor(session, actor, _store_id(raw_store))
            except ValidationError as exc:
                errors.update(exc.fields)
            if errors:
                raise ValidationError(errors)
            return make(session, store, year, month)

        return self._run(work, write=False)

    def _show(self) -> None:
        def summary(session: Session, actor: Actor, year: int, month: int) -> tuple[Gstr1, int]:
            return build_gstr1(session, actor, year, month), len(month_vouchers(session, actor, year, month))

        result = self._for_choice(summary)
        if result is None:
            self.rows, self.gstin, self.vouchers = [], "", 0
            return
        gstr1, self.vouchers = result
        self.rows, self.gstin = summary_rows(gstr1), gstr1.gstin

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check: last month, this store."""
        self._clear_messages()

        def defaults(session: Session, actor: Actor) -> dict[str, Any]:
            stores = report_stores(session, actor, every_store=True, permission=RETURNS)
            options = [{"value": str(s.id), "label": f"{s.code} · {s.state or s.code}"} for s in stores]
            return {"month": _previous_month(actor.today()), "store": str(actor.store_id), "options": options}

        chosen = self._run(defaults, write=False)
        if chosen is None:
            return
        self.month, self.store_id, self.store_options = chosen["month"], chosen["store"], chosen["options"]
        self.form_version += 1
        self._show()

    @rx.event
    def apply(self, form: dict) -> None:
        """Show the return of the month and store in the form."""
        self._clear_messages()
        self.month, self.store_id = str(form.get("month", "")), str(form.get("store", ""))
        self._show()

    def _download(self, prepare: Callable[[Session, Actor, int, int], tuple[str, Callable[[Path], Any]]]):
        """Write the file ``prepare`` names for the month and store last shown, and hand it to the browser once."""

        def work(session: Session, actor: Actor, year: int, month: int) -> str:
            filename, write = prepare(session, actor, year, month)
            token, path = new_export(filename)
            write(path)
            return token

        token = self._for_choice(work)
        return None if token is None else download_export(token)

    @rx.event
    def download_json(self):
        """The GSTR-1 as the offline tool's JSON."""

        def prepare(session: Session, actor: Actor, year: int, month: int) -> tuple[str, Callable[[Path], Any]]:
            gstr1 = build_gstr1(session, actor, year, month)
            return f"{gstr1.filename}.json", lambda path: path.write_text(gstr1.to_json(), encoding="utf-8")

        return self._download(prepare)

    @rx.event
    def download_excel(self):
        """The GSTR-1 as a workbook, one sheet per table."""

        def prepare(session: Session, actor: Actor, year: int, month: int) -> tuple[str, Callable[[Path], Any]]:
            gstr1 = build_gstr1(session, actor, year, month)
            return f"{gstr1.filename}.xlsx", lambda path: write_gstr1_xlsx(path, gstr1)

        return self._download(prepare)

    @rx.event
    def download_tally(self):
        """The month's vouchers as Tally XML."""

        def prepare(session: Session, actor: Actor, year: int, month: int) -> tuple[str, Callable[[Path], Any]]:
            content = tally_xml(month_vouchers(session, actor, year, month))
            return f"Tally-{actor.store_code}-{year}-{month:02d}.xml", lambda path: path.write_bytes(content)

        return self._download(prepare)


def _filters() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(field("Month", "month", type="month", default_value=ReturnsState.month), min_width="11em"),
            rx.box(
                select_field("Store", "store", ReturnsState.store_options, default_value=ReturnsState.store_id),
                min_width="11em",
            ),
            rx.button(rx.icon("refresh-cw", size=16), "Show", type="submit"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=ReturnsState.apply,
        no_validate=True,
        reset_on_submit=False,
        key=ReturnsState.form_version.to_string(),
        width="100%",
    )


def _downloads() -> rx.Component:
    def button(icon: str, text: str, handler: rx.EventHandler) -> rx.Component:
        return rx.button(rx.icon(icon, size=16), text, type="button", variant="soft", on_click=handler)

    return rx.flex(
        button("file-json", "Download GSTR-1 JSON", ReturnsState.download_json),
        button("file-spreadsheet", "Download GSTR-1 Excel", ReturnsState.download_excel),
        button("file-code", "Download Tally XML", ReturnsState.download_tally),
        spacing="3",
        wrap="wrap",
    )


def _number_cell(value: rx.Var) -> rx.Component:
    return rx.table.cell(value, text_align="right", white_space="nowrap")


def _table() -> rx.Component:
    headers = (("GSTR-1 table", "left"), ("Documents", "right"), ("Taxable value", "right"), ("Tax", "right"))
    return rx.box(
        rx.table.root(
            rx.el.caption("GSTR-1 tables", class_name="sr-only"),
            rx.table.header(
                rx.table.row(*(rx.table.column_header_cell(h, text_align=a, white_space="nowrap") for h, a in headers))
            ),
            rx.table.body(
                rx.foreach(
                    ReturnsState.rows,
                    lambda r: rx.table.row(
                        rx.table.cell(r["table"]),
                        *(
                            rx.table.cell(r[k], text_align="right", white_space="nowrap")
                            for k in ("count", "taxable", "tax")
                        ),
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


def returns_page() -> rx.Component:
    """GSTR-1 and Tally exports of a month (``/billing/reports/returns``)."""
    return shell(
        rx.vstack(
            rx.text(
                "The month's GSTR-1 for the store's GSTIN, as the GST portal's offline-tool JSON or as Excel, and its "
                "sales, credit notes, receipts and refunds as Tally vouchers.",
                size="2",
                color_scheme="gray",
            ),
            _filters(),
            rx.cond(
                ReturnsState.rows.length() > 0,
                rx.vstack(
                    rx.text(
                        "GSTIN ",
                        ReturnsState.gstin,
                        " · ",
                        ReturnsState.vouchers.to_string(),
                        " Tally vouchers",
                        size="2",
                    ),
                    _table(),
                    _downloads(),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "GST returns",
    )
