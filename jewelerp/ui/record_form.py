"""A create-or-edit form shown above a list: its state mixin and its card."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import reflex as rx


class RecordFormMixin(rx.State, mixin=True):
    """Whether the form is open, which record it edits (0 = new) and the values it starts with."""

    form_open: bool = False
    editing_id: int = 0
    editing: dict[str, str] = {}
    form_version: int = 0

    def _open_form(self, record_id: int, values: dict[str, str]) -> None:
        self._clear_messages()
        self.editing_id, self.editing, self.form_open = record_id, values, True
        self.form_version += 1  # remount the form so its fields start from ``values``

    def _keep_typed(self, form: dict[str, Any], keys: Iterable[str]) -> None:
        """After a refused save, keep what the person typed."""
        self.editing = {**self.editing, **{k: str(form.get(k, "")) for k in keys}}

    @rx.event
    def cancel(self) -> None:
        """Close the form without saving."""
        self._clear_messages()
        self.form_open = False


def record_form(
    state: type[RecordFormMixin], title: tuple[str, str], body: rx.Component, submit: str, on_submit: Any
) -> rx.Component:
    """The form card: ``title`` is (new, edit); ``body`` holds the fields; errors show beside them."""
    return rx.cond(
        state.form_open,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(rx.cond(state.editing_id == 0, title[0], title[1]), size="4"),
                    body,
                    rx.hstack(
                        rx.button(submit, type="submit"),
                        rx.button("Cancel", type="button", variant="soft", color_scheme="gray", on_click=state.cancel),
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=on_submit,
                no_validate=True,
                key=state.form_version.to_string(),
            ),
            width="100%",
        ),
    )
