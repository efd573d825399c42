"""Which modules are enabled in which store."""

from __future__ import annotations

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core import lifecycle
from jewelerp.core.models import ModuleState
from jewelerp.errors import JewelError
from jewelerp.registry import Module, Registry, get_registry


def enabled_modules(session: Session, store_id: int, registry: Registry | None = None) -> set[str]:
    """Names of modules enabled in the store (the platform core always is)."""
    registry = registry or get_registry()
    rows = session.exec(select(ModuleState.module).where(ModuleState.store_id == store_id, ModuleState.enabled))
    return {"core"} | {name for name in rows if name in registry}


def enabled_stores(session: Session, module: str) -> list[int]:
    """Ids of stores where ``module`` is enabled."""
    rows = session.exec(select(ModuleState.store_id).where(ModuleState.module == module, ModuleState.enabled))
    return list(rows)


def _set(session: Session, store_id: int, module: str, enabled: bool) -> None:
    row = session.get(ModuleState, (store_id, module))
    if row is None:
        row = ModuleState(store_id=store_id, module=module, enabled=enabled)
    elif row.enabled == enabled:
        return
    row.enabled = enabled
    session.add(row)


def enable_module(
    session: Session, actor: Actor | None, module: str, store_id: int, registry: Registry | None = None
) -> list[str]:
    """Enable ``module`` and what it depends on in the store; returns the newly enabled names.

    Refused while one of them is not installed or its tables are behind its code. Installed bridge modules
    marked ``auto_install`` switch on too once all they depend on is on.
    """
    if actor is not None:
        actor.require("core.modules.manage")
    registry = registry or get_registry()
    manifest = _known(registry, module)
    if manifest.core:
        raise JewelError("The platform core is always enabled.")
    already = enabled_modules(session, store_id, registry)
    wanted = [n for n in registry.requirements(module) if n not in already]
    bridges = [m.name for m in registry.modules if m.auto_install and m.name not in already]
    unready = lifecycle.unready(session, [*wanted, *bridges], registry)
    for name in wanted:
        if name in unready:
            raise JewelError(unready[name])
    for name in wanted:
        _set(session, store_id, name, True)
    on = already | set(wanted)
    for bridge in registry.modules:
        if bridge.auto_install and bridge.name not in on | set(unready) and set(bridge.depends) <= on:
            _set(session, store_id, bridge.name, True)
            on.add(bridge.name)
            wanted.append(bridge.name)
    session.flush()
    return wanted


def disable_module(
    session: Session, actor: Actor | None, module: str, store_id: int, registry: Registry | None = None
) -> None:
    """Disable ``module`` in the store, refused while an enabled module needs it. No data is deleted."""
    if actor is not None:
        actor.require("core.modules.manage")
    registry = registry or get_registry()
    manifest = _known(registry, module)
    if manifest.core:
        raise JewelError("The platform core cannot be disabled.")
    on = enabled_modules(session, store_id, registry)
    needed_by = [n for n in registry.dependents(module) if n in on and not registry.module(n).auto_install]
    if needed_by:
        titles = ", ".join(registry.module(n).title for n in needed_by)
        raise JewelError(
            f"{manifest.title} cannot be disabled: {titles} need{'s' if len(needed_by) == 1 else ''} it. "
            "Disable those first."
        )
    for bridge in registry.dependents(module):
        if bridge in on:
            _set(session, store_id, bridge, False)
    _set(session, store_id, module, False)
    session.flush()


def _known(registry: Registry, module: str) -> Module:
    if module not in registry:
        raise JewelError(f"Unknown module '{module}'. Run 'jewelerp modules list' to see them.")
    return registry.module(module)
