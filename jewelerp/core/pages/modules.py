"""Modules page: every discovered module, its installed and available versions, and a switch per store for
each installed one."""

from __future__ import annotations

import reflex as rx
from sqlmodel import select

from jewelerp.core.lifecycle import module_statuses
from jewelerp.core.models import ModuleState, Store
from jewelerp.core.module_states import disable_module, enable_module
from jewelerp.errors import JewelError
from jewelerp.registry import Module, get_registry
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState


class ModulesState(AppState):
    """Stores, which modules are installed (at which version, needing an upgrade) and which are on where."""

    stores: list[dict[str, str]] = []
    enabled: list[str] = []
    installed: list[str] = []
    installed_versions: dict[str, str] = {}
    upgrade_reasons: dict[str, str] = {}

    def _reload(self) -> None:
        def work(session, actor):
            actor.require("core.modules.manage")
            stores = session.exec(select(Store).order_by(Store.code)).all()
            rows = session.exec(select(ModuleState).where(ModuleState.enabled)).all()
            return stores, rows, module_statuses(session)

        result = self._run(work, write=False)
        if result is None:
            return
        stores, rows, statuses = result
        self.stores = [{"id": str(s.id), "code": s.code} for s in stores]
        self.enabled = [f"{r.store_id}|{r.module}" for r in rows]
        self.installed = [s.module.name for s in statuses if s.installed]
        self.installed_versions = {s.module.name: s.installed_version for s in statuses if s.installed}
        self.upgrade_reasons = {s.module.name: s.upgrade_reason for s in statuses if s.upgrade_reason}

    @rx.event
    def load(self) -> None:
        """Read stores, installed modules and switches."""
        self._reload()

    @rx.event
    def toggle(self, module: str, store_id: str, on: bool) -> None:
        """Enable (with dependencies) or disable (unless needed) a module in one store."""

        def work(session, actor):
            actor.require("core.modules.manage")  # before anything the browser sent is looked at
            registry = get_registry()
            if module not in registry:
                raise JewelError(f"Unknown module '{module}'.")
            store = session.get(Store, int(store_id)) if str(store_id).isdigit() else None
            if store is None:
                raise JewelError("Unknown store.")
            if on:
                added = enable_module(session, actor, module, store.id)
                return f"Enabled in {store.code}: " + ", ".join(registry.module(n).title for n in added)
            disable_module(session, actor, module, store.id)
            return f"{registry.module(module).title} disabled in {store.code}. Its data is kept."

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


def _versions(module: Module) -> rx.Component:
    """Available version, installed version or "Not installed", and "Upgrade needed" when it is."""
    installed = ModulesState.installed.contains(module.name)
    return rx.hstack(
        rx.badge(f"Available {module.version}", variant="soft"),
        rx.cond(
            installed,
            rx.badge("Installed " + ModulesState.installed_versions[module.name].to(str), color_scheme="green"),
            rx.badge("Not installed", color_scheme="gray"),
        ),
        rx.cond(
            ModulesState.upgrade_reasons.contains(module.name),
            rx.badge("Upgrade needed", color_scheme="orange"),
            rx.fragment(),
        ),
        align="center",
        wrap="wrap",
    )


def _what_to_run(module: Module) -> rx.Component:
    """The reason an upgrade is needed, or the command that installs the module."""
    return rx.cond(
        ModulesState.upgrade_reasons.contains(module.name),
        rx.text(
            ModulesState.upgrade_reasons[module.name].to(str) + f": run jewelerp modules upgrade {module.name}",
            size="2",
            color_scheme="orange",
        ),
        rx.cond(
            ModulesState.installed.contains(module.name),
            rx.fragment(),
            rx.text("Install it with ", rx.code(f"jewelerp modules install {module.name}"), size="2"),
        ),
    )


def _module_card(module: Module, depends: str) -> rx.Component:
    switches = (
        rx.text("Always on in every store", size="2", color_scheme="gray")
        if module.core
        else rx.cond(
            ModulesState.installed.contains(module.name),
            rx.flex(
                rx.foreach(ModulesState.stores, lambda s: _switch(module.name, module.title, s)),
                spacing="4",
                wrap="wrap",
            ),
            rx.fragment(),
        )
    )
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(rx.heading(module.title, size="4"), _versions(module), align="center", wrap="wrap"),
                rx.text(module.summary, size="2", color_scheme="gray"),
                rx.text(f"Needs: {depends}", size="1", color_scheme="gray") if depends else rx.fragment(),
                _what_to_run(module),
                spacing="1",
                flex="1",
                min_width="14rem",
            ),
            switches,
            spacing="4",
            wrap="wrap",
            align="center",
            justify="between",
        ),
        width="100%",
        role="region",
        aria_label=module.title,
    )


def page() -> rx.Component:
    """The modules page."""
    registry = get_registry()
    cards = [
        _module_card(m, ", ".join(registry.module(d).title for d in m.depends))
        for m in sorted(registry.modules, key=lambda m: not m.core)
    ]
    return shell(
        rx.vstack(
            rx.text(
                "Switching a module off hides its pages, menus and jobs in that store. Its data is never deleted. "
                "Installing, upgrading and uninstalling are done on the command line.",
                color_scheme="gray",
            ),
            *cards,
            spacing="3",
            width="100%",
        ),
        "Modules",
    )
