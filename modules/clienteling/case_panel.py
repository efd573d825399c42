"""The "Cases" section of the customer 360 page: the customer's cases in this store and a form to open one."""

from __future__ import annotations

from typing import Any

import reflex as rx

from jewelerp.ui.forms import field, scrolling_table, select_field
from modules.clienteling.cases import CHANNELS, KINDS, PRIORITIES, CaseInput

CASE_FIELDS = ("kind", "channel", "priority", "subject", "due_on", "assignee", "note")
FORM_PREFIX = "case_"


def case_input(form: object) -> CaseInput:
    """The opening form as typed (its fields are prefixed ``case_`` on the 360 page); junk reads as empty."""
    values = form if isinstance(form, dict) else {}
    typed = {key: values.get(FORM_PREFIX + key, "") for key in CASE_FIELDS}
    return CaseInput(**{key: value if isinstance(value, str) else "" for key, value in typed.items()})


def prefixed_errors(errors: dict[str, str]) -> dict[str, str]:
    """The service's field errors under the form's field names."""
    return {FORM_PREFIX + key: message for key, message in errors.items()}


def _list(state: Any) -> rx.Component:
    headers = ("Case", "Subject", "Kind", "Status", "Due", "Assigned to")
    return rx.cond(
        state.cases.length() > 0,
        scrolling_table(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(
                    rx.foreach(
                        state.cases,
                        lambda r: rx.table.row(
                            rx.table.cell(rx.link(r["number"], href="/clienteling/cases/" + r["id"])),
                            *[rx.table.cell(r[k]) for k in ("subject", "kind", "status", "due", "assignee")],
                        ),
                    )
                ),
                size="1",
            ),
            "Cases",
        ),
        rx.text("No cases in this store.", size="2", color_scheme="gray"),
    )


def _form(state: Any) -> rx.Component:
    def name(key: str) -> str:
        return FORM_PREFIX + key

    return rx.form(
        rx.vstack(
            field("Subject", name("subject")),
            rx.grid(
                select_field("Kind of case", name("kind"), list(KINDS)),
                select_field("How it came in", name("channel"), list(CHANNELS)),
                select_field("Priority", name("priority"), list(PRIORITIES), default_value="normal"),
                field("Due date", name("due_on"), type="date", hint="Empty: from the priority"),
                rx.cond(
                    state.can_assign_cases,
                    select_field("Assign to", name("assignee"), state.case_assignees),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="2",
                width="100%",
            ),
            field("First note", name("note"), hint="Internal: only staff see it"),
            rx.button("Open case", type="submit", size="2", variant="soft"),
            spacing="2",
            width="100%",
        ),
        on_submit=state.open_case,
        no_validate=True,
        reset_on_submit=False,
        key=state.version.to_string(),
    )


def cases_panel(state: Any) -> rx.Component:
    """The section, for the 360 page's state (``cases``, ``can_open_cases``, ``can_assign_cases``,
    ``case_assignees``, ``version`` and the ``open_case`` handler)."""
    return rx.card(
        rx.vstack(
            rx.heading("Cases", size="4"),
            _list(state),
            rx.cond(state.can_open_cases, _form(state)),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
