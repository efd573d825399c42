"""Low stock: the branch's reorder rules with what is on hand, the open alerts, and a form for rules."""

from __future__ import annotations

import reflex as rx

from jewelerp.ui.forms import field, field_error
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from modules.stock.reorder import (
    RuleInput,
    alert_rows,
    low_stock_rows,
    raise_alerts,
    remove_rule,
    rule_options,
    set_rule,
)

RULE_FIELDS = ("category_id", "design_id", "min_qty")


class ReorderState(AppState):
    """The store's rules and open alerts (a few dozen rows at most), and the form's choices."""

    rules: list[dict[str, str]] = []
    alerts: list[dict[str, str]] = []
    categories: list[dict[str, str]] = []
    designs: list[dict[str, str]] = []
    can_manage: bool = False
    form_version: int = 0

    def _reload(self) -> None:
        result = self._run(lambda s, a: (low_stock_rows(s, a), alert_rows(s, a)), write=False)
        self.rules, self.alerts = result if result else ([], [])

    @rx.event
    def load(self) -> None:
        """Rules, alerts and, for managers, the form's categories and designs."""
        result = self._run(
            lambda s, a: (a.can("stock.masters.manage"), rule_options(s, a)),
            write=False,
        )
        self.can_manage, options = result if result else (False, {"categories": [], "designs": []})
        self.categories, self.designs = options["categories"], options["designs"]
        self._reload()

    @rx.event
    def add_rule(self, form: dict) -> None:
        """Save the rule (or the new minimum of an existing one); bad input keeps the form."""
        data = RuleInput(**{k: str(form.get(k, "")) for k in RULE_FIELDS})
        rule = self._run(lambda s, a: set_rule(s, a, data), done="Reorder rule saved.")
        if rule is not None:
            self.form_version += 1
            self._reload()

    @rx.event
    def remove(self, rule_id: str) -> None:
        """Delete a rule with its alerts."""
        if rule_id.isdigit() and self._run(lambda s, a: remove_rule(s, a, int(rule_id)) or True, done="Rule removed."):
            self._reload()

    @rx.event
    def check_now(self) -> None:
        """Run the daily check now for this branch."""
        counts = self._run(raise_alerts)
        if counts is not None:
            self._say(
                f"Checked {counts.rules} rules: {counts.short} short, "
                f"{counts.opened} new alerts, {counts.resolved} resolved."
            )
            self._reload()


def _table(headers: list[str], rows: rx.Var, keys: list[str], actions: bool = False) -> rx.Component:
    def render(row: rx.Var) -> rx.Component:
        cells = [rx.table.cell(row[k], white_space="nowrap") for k in keys]
        if actions:
            cells.append(
                rx.table.cell(
                    rx.cond(
                        ReorderState.can_manage,
                        rx.button(
                            "Remove",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=ReorderState.remove(row["id"]),
                            aria_label="Remove rule: " + row["category"] + ", " + row["design"],
                        ),
                    )
                )
            )
        return rx.table.row(*cells)

    header = [rx.table.column_header_cell(h) for h in headers]
    if actions:
        header.append(rx.table.column_header_cell(rx.text("Actions", class_name="sr-only")))
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*header)),
            rx.table.body(rx.foreach(rows, render)),
            variant="surface",
            size="2",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def _alerts() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Open alerts", size="4"),
            rx.cond(
                ReorderState.alerts.length() > 0,
                _table(
                    ["Category", "Design", "Minimum", "On hand when raised", "Raised"],
                    ReorderState.alerts,
                    ["category", "design", "min_qty", "on_hand", "raised"],
                ),
                rx.text("No open alerts: every rule has its minimum in stock.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _rules() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Reorder rules", size="4"),
                rx.spacer(),
                rx.cond(
                    ReorderState.can_manage,
                    rx.button(
                        rx.icon("refresh-cw", size=16), "Check now", variant="soft", on_click=ReorderState.check_now
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                ReorderState.rules.length() > 0,
                _table(
                    ["Category", "Design", "Minimum", "On hand", "Short by", "Status", "Alert"],
                    ReorderState.rules,
                    ["category", "design", "min_qty", "on_hand", "shortfall", "status", "alert"],
                    actions=True,
                ),
                rx.text("No reorder rules yet.", size="2", color_scheme="gray"),
            ),
            rx.text(
                "Only pieces in stock at this branch count; alerts are checked every morning.",
                size="1",
                color_scheme="gray",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _choice(label: str, name: str, empty: str, options: rx.Var) -> rx.Component:
    """A labelled select with an empty first choice and the options loaded for this store."""
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id),
        rx.el.select(
            rx.el.option(empty, value=""),
            rx.foreach(options, lambda o: rx.el.option(o["label"], value=o["value"])),
            id=field_id,
            name=name,
            class_name="jewel-select",
        ),
        field_error(name),
        spacing="1",
        width="100%",
        align="stretch",
    )


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Add or change a rule", size="4"),
                rx.grid(
                    _choice("Category", "category_id", "Choose…", ReorderState.categories),
                    _choice("Design", "design_id", "Any design", ReorderState.designs),
                    field("Minimum pieces", "min_qty", type="number", min="1", hint="Alert when fewer are in stock"),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.button("Save rule", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=ReorderState.add_rule,
            no_validate=True,
            reset_on_submit=False,
            key=ReorderState.form_version.to_string(),
        ),
        width="100%",
    )


def reorder_page() -> rx.Component:
    """The low-stock page registered in the manifest."""
    return shell(
        rx.vstack(
            _alerts(),
            _rules(),
            rx.cond(ReorderState.can_manage, _form()),
            spacing="4",
            width="100%",
        ),
        "Low stock",
    )
