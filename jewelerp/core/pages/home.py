"""Home dashboard: the cards and charts enabled modules contribute, under filters kept in the URL.

The filters (dates, branch or every branch, category, salesperson) are the page's query string, so a reload
or a shared link shows the same dashboard; "Show" checks them, computes the cards and writes them into the
address bar. Filters that make no sense (an end before the start, a branch the user has no role in) are
named beside their field and no card is computed.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.dashboard import ALL_BRANCHES, dashboard_cards, filters_query, parse_filters, visible_branches
from jewelerp.ui.charts import SHORT_NUMBER
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.shell import shell
from jewelerp.ui.shell_state import ShellState
from jewelerp.ui.state import AppState

FILTER_KEYS = ("from", "to", "branch", "category", "salesperson")
FORM_FIELDS = {"from": "date_from", "to": "date_to", "branch": "branch", "category": "category"}


class HomeState(AppState):
    """The dashboard's filters as shown in the form, the branches to choose from and the computed cards."""

    cards: list[dict[str, Any]] = []
    branches: list[dict[str, str]] = []
    date_from: str = ""
    date_to: str = ""
    branch: str = ""
    category: str = ""
    salesperson: str = ""
    form_version: int = 0
    _address: str = "/"

    def _show(self, query: dict[str, str]) -> bool:
        """Check ``query``'s filters and compute the cards; on bad filters show why and no card."""

        def work(session: Session, actor: Actor) -> tuple[list[dict[str, str]], dict[str, str], list, str]:
            branches = visible_branches(session, actor)
            filters = parse_filters(session, actor, query)
            every = query.get("branch") == ALL_BRANCHES and len(branches) > 1
            return (
                [{"value": str(b.id), "label": f"{b.code} · {b.name}"} for b in branches],
                filters_query(filters, actor, every),
                dashboard_cards(session, actor, filters),
                str(actor.store_id),
            )

        self._clear_messages()
        self.date_from, self.date_to = query.get("from", ""), query.get("to", "")
        self.branch, self.category, self.salesperson = (query.get(k, "") for k in ("branch", "category", "salesperson"))
        result = self._run(work, write=False)
        if result is None:
            self.cards = []
            self.form_version += 1
            return False
        branches, normal, self.cards, current = result
        if len(branches) > 1:
            branches = [*branches, {"value": ALL_BRANCHES, "label": "All my branches"}]
        self.branches = branches
        self.date_from, self.date_to = normal["from"], normal["to"]
        self.branch = normal.get("branch", current)  # the branch list shows the branch the cards are of
        self._address = "/?" + urlencode(normal)
        self.form_version += 1
        return True

    @rx.event
    def load(self) -> None:
        """Runs after the shell's access check: the filters of the URL (this month and this branch by default)."""
        self._session()
        params = self.router.url.query_parameters
        self._show({key: str(params[key])[:200] for key in FILTER_KEYS if key in params})

    @rx.event
    def apply(self, form: dict) -> rx.event.EventSpec | None:
        """Show the dashboard for the filters in the form and keep them in the address bar."""
        self._session()
        if not isinstance(form, dict):
            return None
        query = {key: str(form.get(FORM_FIELDS.get(key, key), ""))[:200] for key in FILTER_KEYS}
        query = {key: value for key, value in query.items() if value.strip()}
        if not self._show(query):
            return None
        address = json.dumps(self._address)
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {address})")


def _chart(card: rx.Var) -> rx.Component:
    points = card["points"].to(list[dict[str, Any]])
    series = card["series"].to(str)

    def axes(domain: list[str | int]) -> tuple[rx.Component, ...]:
        return (
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.x_axis(data_key="label", tick={"fontSize": 12}),
            rx.recharts.y_axis(width=48, tick={"fontSize": 12}, tick_formatter=SHORT_NUMBER, domain=domain),
            rx.recharts.graphing_tooltip(),
        )

    return rx.box(
        rx.cond(
            card["chart"] == "line",
            rx.recharts.line_chart(  # a trend (a rate, a month's days): the axis fits the figures, not zero
                *axes(["auto", "auto"]),
                rx.recharts.line(
                    data_key="value", name=series, stroke="var(--accent-9)", dot=False, is_animation_active=False
                ),
                data=points,
                width="100%",
                height=180,
            ),
            rx.recharts.bar_chart(
                *axes([0, "auto"]),
                rx.recharts.bar(data_key="value", name=series, fill="var(--accent-9)", is_animation_active=False),
                data=points,
                width="100%",
                height=180,
            ),
        ),
        width="100%",
        aria_label=card["title"].to(str) + " chart",
        role="img",
    )


def _row(row: rx.Var) -> rx.Component:
    label = rx.text(row["label"], size="2")
    return rx.hstack(
        rx.cond(row["link"] != "", rx.link(label, href=row["link"].to(str)), label),
        rx.spacer(),
        rx.text(row["value"], size="2", weight="medium"),
        width="100%",
    )


def _card(card: rx.Var) -> rx.Component:
    title = rx.text(card["title"], size="2", color_scheme="gray", weight="medium")
    return rx.card(
        rx.vstack(
            rx.cond(card["link"] != "", rx.link(title, href=card["link"].to(str), underline="hover"), title),
            rx.heading(card["value"], size="7"),
            rx.text(card["caption"], size="2", color_scheme="gray"),
            rx.cond(card["chart"] != "", _chart(card)),
            rx.foreach(card["rows"].to(list[dict[str, str]]), _row),
            rx.text("Filters: ", card["filters"], size="1", color_scheme="gray"),
            spacing="2",
            width="100%",
        ),
        data_card=card["id"].to(str),
        role="region",
        aria_label=card["title"].to(str),
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(field("From", "date_from", type="date", default_value=HomeState.date_from), min_width="10em"),
            rx.box(field("To", "date_to", type="date", default_value=HomeState.date_to), min_width="10em"),
            rx.cond(
                HomeState.branches.length() > 1,
                rx.box(
                    select_field("Branch", "branch", HomeState.branches, default_value=HomeState.branch),
                    min_width="12em",
                ),
            ),
            rx.box(
                field("Category", "category", default_value=HomeState.category, placeholder="gold, diamond…"),
                min_width="10em",
            ),
            rx.box(field("Salesperson", "salesperson", default_value=HomeState.salesperson), min_width="10em"),
            rx.button(rx.icon("filter", size=16), "Show", type="submit"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=HomeState.apply,
        no_validate=True,
        reset_on_submit=False,
        key=HomeState.form_version.to_string(),
        width="100%",
    )


def page() -> rx.Component:
    """The home page."""
    return shell(
        rx.vstack(
            rx.text("Welcome, ", ShellState.user_name, ". You are working in ", ShellState.store_name, ".", size="3"),
            _filters(),
            rx.cond(
                HomeState.cards.length() > 0,
                rx.grid(
                    rx.foreach(HomeState.cards, _card),
                    columns=rx.breakpoints(
                        initial="1", sm="2", xl="3"
                    ),  # three only beside the sidebar of a wide screen
                    spacing="4",
                    width="100%",
                ),
                rx.cond(
                    HomeState.message == "",
                    rx.callout.root(
                        rx.callout.text("No enabled module contributes dashboard cards in this store yet."),
                        color_scheme="gray",
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "Home",
    )
