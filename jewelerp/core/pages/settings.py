"""Settings page: the current store's values for every enabled module's settings.

A secret setting (a password) is never sent to the browser: its box starts empty and
is saved only when something is typed into it.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from jewelerp.core.settings import set_setting, store_settings
from jewelerp.errors import ValidationError, require_fields
from jewelerp.registry import Module, Setting
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState


class SettingsState(AppState):
    """Settings of the current store."""

    settings: list[dict[str, str]] = []
    version: int = 0

    def _reload(self) -> None:
        def work(session, actor):
            actor.require("core.settings.manage")
            return store_settings(session, actor.store_id, set(actor.enabled_modules))

        rows = self._run(work, write=False) or []
        self.settings = [_row(module, setting, value) for module, setting, value in rows]

    @rx.event
    def load(self) -> None:
        """Read the store's settings."""
        self._reload()

    @rx.event
    def save(self, form: dict) -> None:
        """Save every setting of the form in one transaction; a bad value saves none."""
        current = {s["key"]: s["value"] for s in self.settings}
        changed = {k: str(v) for k, v in form.items() if k in current and str(v) != current[k]}

        def work(session, actor):
            errors = {}
            for key, raw in changed.items():
                try:
                    set_setting(session, actor, actor.store_id, key, raw)
                except ValidationError as exc:  # collect every field's problem, then roll back all
                    errors.update(exc.fields)
            require_fields(errors)
            return len(changed)

        count = self._run(work)
        if count is not None:
            self._say(f"Saved {count} setting(s)." if count else "Nothing changed.")
            self.version += 1  # a fresh form, so a typed password does not linger
            self._reload()


def _row(module: Module, setting: Setting, value: Any) -> dict[str, str]:
    row = {"key": setting.key, "label": setting.label, "help": setting.help, "module": module.title}
    if setting.secret:
        placeholder = "Saved; type a new one to replace it" if value else "Not set"
        return {**row, "value": "", "secret": "yes", "placeholder": placeholder}
    return {**row, "value": str(value), "secret": "", "placeholder": ""}


def _setting(row: dict) -> rx.Component:
    return rx.box(
        rx.text(row["module"], size="1", color_scheme="gray"),
        rx.el.label(rx.text(row["label"], size="2", weight="medium"), html_for="setting-" + row["key"]),
        rx.input(
            id="setting-" + row["key"],
            name=row["key"],
            default_value=row["value"],
            type=rx.cond(row["secret"] != "", "password", "text"),
            placeholder=row["placeholder"],
            auto_complete=rx.cond(row["secret"] != "", "new-password", "off"),
        ),
        rx.text(row["help"], size="1", color_scheme="gray"),
        rx.cond(
            SettingsState.errors.contains(row["key"]),
            rx.text(SettingsState.errors[row["key"]], color_scheme="red", size="1"),
        ),
        width="100%",
    )


def page() -> rx.Component:
    """The settings page."""
    return shell(
        rx.cond(
            SettingsState.settings.length() > 0,
            rx.form(
                rx.vstack(
                    rx.grid(
                        rx.foreach(SettingsState.settings, _setting),
                        columns=rx.breakpoints(initial="1", md="2"),
                        spacing="4",
                        width="100%",
                    ),
                    rx.button("Save settings", type="submit"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=SettingsState.save,
                no_validate=True,
                key=SettingsState.version,
            ),
            rx.text("The modules enabled in this store have no settings.", color_scheme="gray"),
        ),
        "Settings",
    )
