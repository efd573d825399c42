"""Modules page: every discovered module with a switch per store."""

from __future__ import annotations

import reflex as rx
from sqlmodel import select

from jewelerp.core.models import ModuleState, Store
from jewelerp.core.module_states import disable_module, enable_module
from jewelerp.registry import get_registry
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState


class ModulesState(AppState):
    """Stores and which modules are on in each."""

    stores: list[dict[str, str]] = []
    enabled: list[str] = []

    def _reload(self) -> None:
        def work(session, actor):
            actor.require("core.modules.manage")
            stores = session.exec(select(Store).order_by(Store.code)).all()
            rows = session.exec(select(ModuleState).where(ModuleState.enabled)).all()
            return stores, rows

        result = self._run(work, write=False)
        if result is None:
            return
        stores, rows = result
        self.stores = [{"id": str(s.id), "code": s.code} for s in stores]
        self.enabled = [f"{r.store_id}|{r.module}" for r in rows]

    @rx.event
    def load(self) -> None:
        """Read stores and switches."""
        self._reload()

    @rx.event
    def toggle(self, module: str, store_id: str, on: bool) -> None:
        """Enable (with dependencies) or disable (unless needed) a module in one store."""
        code = next((s["code"] for s in self.stores if s["id"] == store_id), store_id)
        title = get_registry().module(module).title

        def work(session, actor):
            if on:
                added = enable_module(session, actor, module, int(store_id))
                return f"Enabled in {code}: " + ", ".join(get_registry().module(n).title for n in added)
            disable_module(session, actor, module, int(store_id))
            return f"{title} disabled in {code}. Its data is kept."

        done = self._run(work)
        if done:
            self._say(done)
        self._reload()


def _switch(module: str, title: str, store: dict) -> rx.Component:
    key = store["id"] + "|" + module
    return rx.hstack(
        rx.switch(
            checked=ModulesState.enabled.contains(key),
            on_change=lambda on: ModulesState.toggle(module, store["id"], on),
            aria_label=title + " in " + store["code"],
        ),
        rx.text(store["code"], size="2"),
        align="center",
    )


def _module_card(name: str, title: str, version: str, summary: str, depends: str) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(rx.heading(title, size="4"), rx.badge(f"v{version}", variant="soft"), align="center"),
                rx.text(summary, size="2", color_scheme="gray"),
                rx.text(f"Needs: {depends}", size="1", color_scheme="gray") if depends else rx.fragment(),
                spacing="1",
                flex="1",
                min_width="14rem",
            ),
            rx.flex(rx.foreach(ModulesState.stores, lambda s: _switch(name, title, s)), spacing="4", wrap="wrap"),
            spacing="4",
            wrap="wrap",
            align="center",
            justify="between",
        ),
        width="100%",
    )


def page() -> rx.Component:
    """The modules page."""
    registry = get_registry()
    cards = [
        _module_card(m.name, m.title, m.version, m.summary, ", ".join(registry.module(d).title for d in m.depends))
        for m in registry.toggleable()
    ]
    return shell(
        rx.vstack(
            rx.text(
                "Switching a module off hides its pages, menus and jobs in that store. Its data is never deleted.",
                color_scheme="gray",
            ),
            *cards,
            rx.fragment() if cards else rx.text("No modules are installed besides the platform."),
            spacing="3",
            width="100%",
        ),
        "Modules",
    )
