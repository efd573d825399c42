"""Form pieces: labelled fields with their error beside them, page messages."""

from __future__ import annotations

from typing import Any

import reflex as rx

from jewelerp.ui.state import AppState


def field_error(name: str) -> rx.Component:
    """The validation message for ``name``, shown only when there is one."""
    return rx.cond(
        AppState.errors.contains(name),
        rx.text(AppState.errors[name], color_scheme="red", size="1", id=f"{name}-error"),
    )


def field(label: str | rx.Var, name: str, *, type: str = "text", hint: str = "", **props: Any) -> rx.Component:
    """A labelled input inside an ``rx.form``; its error appears right under it."""
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id),
        rx.input(id=field_id, name=name, type=type, width="100%", **props),
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        field_error(name),
        spacing="1",
        width="100%",
        align="stretch",
    )


def select_field(label: str, name: str, options: list[tuple[str, str]] | Any, **props: Any) -> rx.Component:
    """A labelled native select (value, text) that submits with the form."""
    field_id = f"field-{name}"
    if isinstance(options, list):
        choices = [rx.el.option(text, value=value) for value, text in options]
    else:
        choices = [rx.foreach(options, lambda o: rx.el.option(o["label"], value=o["value"]))]
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id),
        rx.el.select(*choices, id=field_id, name=name, class_name="jewel-select", **props),
        field_error(name),
        spacing="1",
        width="100%",
        align="stretch",
    )


def fact(label: str, value: rx.Var, label_width: str = "9rem") -> rx.Component:
    """A label and its value on one line of a details card; nothing when the value is empty."""
    return rx.cond(
        value != "",
        rx.hstack(
            rx.text(label, size="2", color_scheme="gray", min_width=label_width),
            rx.text(value, size="2", weight="medium"),
            align="start",
        ),
    )


def page_message() -> rx.Component:
    """The page's success or error message (role=alert / status for screen readers)."""
    return rx.cond(
        AppState.message != "",
        rx.callout.root(
            rx.callout.icon(rx.cond(AppState.message_ok, rx.icon("circle-check"), rx.icon("triangle-alert"))),
            rx.callout.text(AppState.message),
            color_scheme=rx.cond(AppState.message_ok, "green", "red"),
            role=rx.cond(AppState.message_ok, "status", "alert"),
            width="100%",
        ),
    )


def scrolling_table(table: rx.Component, label: str | rx.Var) -> rx.Component:
    """``table`` (an ``rx.table.root``) in a box that scrolls sideways when the table is wider than the screen: a
    region named ``label`` that keyboard users can focus and scroll (WCAG 2.1.1). The table takes at least its
    narrowest width, so the box scrolls rather than the table's own inner scroll area, which cannot be focused."""
    table.style.update({"width": "fit-content", "min_width": "100%"})
    return rx.box(table, overflow_x="auto", width="100%", tab_index=0, role="region", aria_label=label)


def simple_table(headers: tuple[str, ...], rows: Any, row: Any) -> rx.Component:
    """A plain table of ``rows`` (a list var) drawn by ``row(item)``, under ``headers``; it scrolls sideways on a
    narrow screen instead of squeezing."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(title) for title in headers])),
            rx.table.body(rx.foreach(rows, row)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )
