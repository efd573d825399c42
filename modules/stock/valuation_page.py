"""Stock valuation: today's metal rates (and a form for stock's own rate), the value of every branch's
stock per metal with totals, and an Excel export."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.money import format_inr
from jewelerp.ui.downloads import download_export
from jewelerp.ui.forms import field, field_error
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from modules.stock.valuation import (
    export_valuation,
    set_rate,
    todays_rates,
    valuation,
    valuation_rows,
)


def _page_data(session: Session, actor: Actor) -> dict:
    """Everything the page shows, formatted (a few dozen rows)."""
    rates = todays_rates(session, actor)
    result = valuation(session, actor)
    return {
        "can_set": actor.can("stock.masters.manage"),
        "today": f"{actor.today():%d %b %Y}",
        "rates": [
            {
                "metal": r.metal,
                "rate": f"{format_inr(r.rate, paise=True)}/g" if r.rate is not None else "No rate today",
                "source": r.source,
                "stock_rate": (
                    f"{format_inr(r.stock_rate, paise=True)}/g on {r.stock_rate_on:%d %b}" if r.stock_rate else "—"
                ),
            }
            for r in rates
        ],
        "metals": [{"value": str(r.metal_id), "label": r.metal} for r in rates],
        "rows": valuation_rows(result),
        "missing": result.missing,
    }


class ValuationState(AppState):
    """Today's rates, the valuation rows (one per branch and metal, plus totals) and the rate form."""

    rates: list[dict[str, str]] = []
    metals: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    missing: list[str] = []
    can_set: bool = False
    today: str = ""
    form_version: int = 0

    def _reload(self) -> None:
        data = self._run(_page_data, write=False)
        if data is None:
            self.rates, self.metals, self.rows, self.missing, self.can_set = [], [], [], [], False
            return
        self.rates, self.metals, self.rows = data["rates"], data["metals"], data["rows"]
        self.missing, self.can_set, self.today = data["missing"], data["can_set"], data["today"]

    @rx.event
    def load(self) -> None:
        """Work out today's rates and the valuation."""
        self._reload()

    @rx.event
    def save_rate(self, form: dict) -> None:
        """Enter stock's own rate of a metal for today."""
        metal_id, rate = str(form.get("metal_id", "")), str(form.get("rate", ""))
        saved = self._run(lambda s, a: set_rate(s, a, metal_id, rate), done="Rate saved for today.")
        if saved is not None:
            self.form_version += 1
            self._reload()

    @rx.event
    def export(self):
        """Write the valuation to Excel and hand the file to the browser."""
        token = self._run(export_valuation, write=False)
        if token:
            return download_export(token)
        return None


def _rates() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Metal rates of ", ValuationState.today, size="4"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("Metal", "Today's rate", "Rate from", "Stock's own rate")
                            ]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            ValuationState.rates,
                            lambda r: rx.table.row(
                                *[rx.table.cell(r[k], white_space="nowrap") for k in ("metal", "rate", "source")],
                                rx.table.cell(r["stock_rate"], white_space="nowrap"),
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
                "Billing's rate of the day is used where billing is enabled and has one; otherwise the latest "
                "rate entered here.",
                size="1",
                color_scheme="gray",
            ),
            rx.cond(ValuationState.can_set, _rate_form()),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _rate_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.vstack(
                rx.el.label(rx.text("Metal", size="2", weight="medium"), html_for="field-metal_id"),
                rx.el.select(
                    rx.el.option("Choose…", value=""),
                    rx.foreach(ValuationState.metals, lambda o: rx.el.option(o["label"], value=o["value"])),
                    id="field-metal_id",
                    name="metal_id",
                    class_name="jewel-select",
                ),
                field_error("metal_id"),
                spacing="1",
            ),
            rx.box(field("Rate (₹ per gram)", "rate", hint="Today's rate, e.g. 12000.50"), min_width="14em"),
            rx.button("Save rate", type="submit"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=ValuationState.save_rate,
        no_validate=True,
        reset_on_submit=False,
        key=ValuationState.form_version.to_string(),
    )


def _valuation() -> rx.Component:
    keys = ("branch", "metal", "pieces", "net_weight", "rate", "source", "value")
    headers = ("Branch", "Metal", "Pieces", "Net weight", "Rate", "Rate from", "Value")

    def render(row: rx.Var) -> rx.Component:
        return rx.table.row(
            *[rx.table.cell(row[k], white_space="nowrap") for k in keys],
            font_weight=rx.cond(row["kind"] == "line", "normal", "bold"),
        )

    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Stock value at today's rates", size="4"),
                rx.spacer(),
                rx.button(
                    rx.icon("file-spreadsheet", size=16),
                    "Export to Excel",
                    variant="soft",
                    on_click=ValuationState.export,
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                ValuationState.missing.length() > 0,
                rx.callout.root(
                    rx.callout.icon(rx.icon("triangle-alert")),
                    rx.callout.text(
                        "Not valued: ",
                        ValuationState.missing.join("; "),
                        ". Enter today's rate to include them.",
                    ),
                    color_scheme="amber",
                    width="100%",
                ),
            ),
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                    rx.table.body(rx.foreach(ValuationState.rows, render)),
                    variant="surface",
                    size="2",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text(
                "Value = net weight × rate of the metal at its purity. Own stock in the branch, on memo, in repair "
                "or in transit; consignment pieces are the vendor's and are left out.",
                size="1",
                color_scheme="gray",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def valuation_page() -> rx.Component:
    """The valuation page registered in the manifest."""
    return shell(rx.vstack(_rates(), _valuation(), spacing="4", width="100%"), "Stock valuation")
