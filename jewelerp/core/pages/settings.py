"""Settings page: the current store's values for every enabled module's settings."""

from __future__ import annotations

import reflex as rx

from jewelerp.core.settings import set_setting, store_settings
from jewelerp.errors import ValidationError, require_fields
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState


class SettingsState(AppState):
    """Settings of the current store."""

    settings: list[dict[str, str]] = []

    def _reload(self) -> None:
        def work(session, actor):
            actor.require("core.settings.manage")
            return store_settings(session, actor.store_id, set(actor.enabled_modules))

        rows = self._run(work, write=False) or []
        self.settings = [
            {"key": s.key, "label": s.label, "help": s.help, "module": m.title, "value": str(v)} for m, s, v in rows
        ]

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
            self._reload()


def _setting(row: dict) -> rx.Component:
    return rx.box(
        rx.text(row["module"], size="1", color_scheme="gray"),
        rx.el.label(rx.text(row["label"], size="2", weight="medium"), html_for="setting-" + row["key"]),
        rx.input(id="setting-" + row["key"], name=row["key"], default_value=row["value"]),
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
            ),
            rx.text("The modules enabled in this store have no settings.", color_scheme="gray"),
        ),
        "Settings",
    )
