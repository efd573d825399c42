"""The module registry: manifests, discovery, dependency order and validation.

A module is a package exposing ``MODULE = Module(...)``. Modules are found as
packages under ``modules/`` and as installed distributions declaring the
entry-point group ``jewelerp.modules``. The manifest is declarative data: code it
points at (pages, jobs, event handlers, demo data) is named by dotted paths
``"package.module:attribute"`` and imported only when used.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jewelerp import PROJECT_ROOT

if TYPE_CHECKING:
    from jewelerp.auth.actor import Actor

ENTRY_POINT_GROUP = "jewelerp.modules"
SETTING_TYPES = (str, int, bool, Decimal)
EVENT_PHASES = ("in_transaction", "after_commit")
DASHBOARD_FILTERS = ("period", "category", "salesperson")  # a card always shows its branches only
ROLE_CODE_LENGTH = 20  # the width of core_role.code
ROLE_NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


class RegistryError(Exception):
    """A manifest problem that stops the app from starting; names the module."""


@dataclass(frozen=True)
class Permission:
    """A permission a module defines, with the roles that get it by default."""

    name: str
    label: str
    default_roles: tuple[str, ...] = ("admin",)


@dataclass(frozen=True)
class MenuEntry:
    """Where a page appears in the sidebar."""

    label: str
    icon: str = "circle"
    order: int = 100


@dataclass(frozen=True)
class Page:
    """A routed page: ``component`` is a dotted path to a function returning it."""

    route: str
    component: str
    title: str
    permission: str | None = None
    menu: MenuEntry | None = None
    on_load: str | None = None
    public: bool = False


@dataclass(frozen=True)
class Job:
    """A scheduled job: ``func(session, actor)`` runs once per store that enabled the module.

    With ``per_store=False`` it runs once per trigger as ``func(session, None)``
    (chain-wide housekeeping of the platform). A ``quiet`` job (one that runs every
    minute) keeps only its failed and manual runs in the run history.
    """

    id: str
    cron: str
    func: str
    title: str
    per_store: bool = True
    quiet: bool = False


@dataclass(frozen=True)
class EventHandler:
    """React to another module's record event, e.g. ``("billing.invoice", "issued")``.

    An ``in_transaction`` handler runs inside the emitter's unit of work (a failure rolls the whole change
    back: for bridges that must be atomic); an ``after_commit`` one runs once that work has committed, in
    its own unit of work, retried on failure and never able to undo the emitter's change.
    """

    record: str
    event: str
    handler: str
    phase: Literal["in_transaction", "after_commit"] = "in_transaction"


@dataclass(frozen=True)
class ExtensionPoint:
    """A ``contributions`` key ``"<owner>.<point>"`` a module offers to others.

    ``protocol`` is the dotted path of the ``typing.Protocol`` every contribution must satisfy (a callable's
    parameters, an object's attributes), kept beside the code that calls the contributions.
    """

    key: str
    protocol: str
    summary: str = ""


@dataclass(frozen=True)
class Role:
    """A role: the platform's four, or one a module adds (``"repairs.coordinator"``); permissions name it."""

    name: str
    label: str


PLATFORM_ROLES = (
    Role("admin", "Admin"),
    Role("manager", "Manager"),
    Role("sales", "Sales"),
    Role("designer", "Designer"),
)


@dataclass(frozen=True)
class Setting:
    """A per-store setting with its default value; a ``secret`` one is never shown back and is masked in the audit."""

    key: str
    label: str
    default: Any
    help: str = ""
    secret: bool = False


@dataclass(frozen=True)
class DashboardCard:
    """A home-dashboard card: ``value`` names ``fn(session, actor, filters) -> CardValue | None``
    (:mod:`jewelerp.dashboard`); ``filters`` names the dashboard filters it applies besides the branch
    (:data:`DASHBOARD_FILTERS`)."""

    id: str
    title: str
    value: str
    permission: str | None = None
    filters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Searcher:
    """What the header search finds for a module: ``fn(session, actor, query) -> list[SearchHit]``
    (:mod:`jewelerp.search`), shown under ``kind`` to people holding ``permission`` where the module is on."""

    id: str
    kind: str
    fn: str
    permission: str


@dataclass(frozen=True)
class Module:
    """A module manifest. ``name`` prefixes its tables, routes and permissions.

    ``package`` is the Python package the manifest came from (filled in by discovery); its
    ``migrations/`` folder, if any, holds the module's own Alembic branch.
    """

    name: str
    title: str
    version: str
    summary: str
    depends: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    pages: tuple[Page, ...] = ()
    permissions: tuple[Permission, ...] = ()
    jobs: tuple[Job, ...] = ()
    events: tuple[EventHandler, ...] = ()
    dashboard_cards: tuple[DashboardCard, ...] = ()
    searchers: tuple[Searcher, ...] = ()
    contributions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extension_points: tuple[ExtensionPoint, ...] = ()
    emits: tuple[tuple[str, str], ...] = ()
    roles: tuple[Role, ...] = ()
    install_data: str | None = None
    demo_data: str | None = None
    settings: tuple[Setting, ...] = ()
    auto_install: bool = False
    core: bool = False
    package: str = ""


def resolve(dotted: str) -> Any:
    """Import ``"package.module:attr.sub"`` and return the attribute."""
    module_path, _, attr_path = dotted.partition(":")
    obj: Any = importlib.import_module(module_path)
    for part in filter(None, attr_path.split(".")):
        obj = getattr(obj, part)
    return obj


class Registry:
    """The validated, dependency-ordered list of every discovered module."""

    def __init__(self, modules: Iterable[Module]):
        self.modules: list[Module] = _dependency_order(list(modules))
        self._by_name = {m.name: m for m in self.modules}
        _validate(self.modules)
        self._points = {point.key: point for m in self.modules for point in m.extension_points}
        self._emitted = {emitted for m in self.modules for emitted in m.emits}

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def module(self, name: str) -> Module:
        """The manifest named ``name`` (KeyError with the name if unknown)."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no module named '{name}'") from None

    def names(self) -> list[str]:
        """Module names in dependency order."""
        return [m.name for m in self.modules]

    def toggleable(self) -> list[Module]:
        """Modules an admin can switch per store (everything but the platform core)."""
        return [m for m in self.modules if not m.core]

    def permissions(self) -> list[tuple[Module, Permission]]:
        """Every permission with the module that defines it."""
        return [(m, p) for m in self.modules for p in m.permissions]

    def pages(self) -> list[tuple[Module, Page]]:
        """Every page with its module."""
        return [(m, p) for m in self.modules for p in m.pages]

    def jobs(self) -> list[tuple[Module, Job]]:
        """Every scheduled job with its module."""
        return [(m, j) for m in self.modules for j in m.jobs]

    def job(self, job_id: str) -> tuple[Module, Job]:
        """The job with id ``job_id`` (KeyError naming it if unknown)."""
        for module, job in self.jobs():
            if job.id == job_id:
                return module, job
        raise KeyError(f"no job named '{job_id}'")

    def requirements(self, name: str) -> list[str]:
        """``name`` and everything it depends on, transitively, dependencies first."""
        wanted: set[str] = set()
        stack = [name]
        while stack:
            current = stack.pop()
            if current not in wanted:
                wanted.add(current)
                stack.extend(self.module(current).depends)
        return [n for n in self.names() if n in wanted]

    def dependents(self, name: str) -> list[str]:
        """Modules that need ``name``, directly or transitively."""
        return [n for n in self.names() if n != name and name in self.requirements(n)]

    def import_models(self) -> None:
        """Import every module's model classes so SQLModel's metadata knows them."""
        for module in self.modules:
            for dotted in module.models:
                resolve(dotted)

    def secret_settings(self) -> frozenset[str]:
        """Keys of the settings declared ``secret`` (passwords, API keys)."""
        return frozenset(s.key for m in self.modules for s in m.settings if s.secret)

    def module_of_permission(self, permission: str) -> str:
        """The module name a permission belongs to (its first dotted part)."""
        return permission.split(".", 1)[0]

    def roles(self) -> list[Role]:
        """The platform's roles, then the roles modules add, in dependency order."""
        return [*PLATFORM_ROLES, *(role for m in self.modules for role in m.roles)]

    def extension_point(self, key: str) -> ExtensionPoint:
        """The extension point declared under ``key`` (RegistryError naming it if no module declares it)."""
        try:
            return self._points[key]
        except KeyError:
            raise RegistryError(f"no module declares the extension point '{key}'") from None

    def contributions(self, key: str, actor: Actor | None) -> list[Any]:
        """The resolved contributions to ``key`` from the modules enabled in the actor's store, in dependency
        order; with no actor, from every installed module (platform-wide points such as ``core.api_routes``)."""
        enabled = None if actor is None else actor.enabled_modules
        return [value for _module, value in self.contributions_by_module(key, enabled)]

    def contributions_by_module(self, key: str, enabled: Collection[str] | None) -> list[tuple[Module, Any]]:
        """``(module, resolved contribution)`` for ``key`` from the modules in ``enabled`` (None: every
        module), in dependency order. An undeclared ``key`` raises RegistryError."""
        self.extension_point(key)
        return [
            (module, resolve(dotted))
            for module in self.modules
            if enabled is None or module.name in enabled
            for dotted in module.contributions.get(key, ())
        ]

    def check_emitted(self, record: str, event: str) -> None:
        """Refuse an event that the module owning ``record`` does not declare in its ``emits``."""
        if (record, event) not in self._emitted:
            owner = record.split(".", 1)[0]
            raise RegistryError(f"module '{owner}' emits ('{record}', '{event}') without declaring it in emits")

    def check(self) -> list[str]:
        """Every problem :mod:`jewelerp.registry_check` finds in the manifests, one line each (empty: sound)."""
        from jewelerp.registry_check import problems

        return problems(self)


def _dependency_order(modules: list[Module]) -> list[Module]:
    by_name: dict[str, Module] = {}
    for module in modules:
        if module.name in by_name:
            raise RegistryError(f"duplicate module name '{module.name}'")
        by_name[module.name] = module
    for module in modules:
        for dep in module.depends:
            if dep not in by_name:
                raise RegistryError(f"module '{module.name}' depends on unknown module '{dep}'")
    ordered: list[Module] = []
    state: dict[str, str] = {}

    def visit(module: Module, path: list[str]) -> None:
        if state.get(module.name) == "done":
            return
        if state.get(module.name) == "visiting":
            cycle = " -> ".join([*path[path.index(module.name) :], module.name])
            raise RegistryError(f"dependency cycle between modules: {cycle}")
        state[module.name] = "visiting"
        for dep in module.depends:
            visit(by_name[dep], [*path, module.name])
        state[module.name] = "done"
        ordered.append(module)

    for module in sorted(modules, key=lambda m: (not m.core, m.name)):
        visit(module, [])
    return ordered


def _validate(modules: list[Module]) -> None:
    """The checks that need no import: names, prefixes, duplicates, roles, permissions and routes."""
    for module in modules:
        if not module.name.isidentifier():
            raise RegistryError(f"module name '{module.name}' must be a Python identifier")
    roles = _validate_roles(modules)
    permissions = _validate_permissions(modules, roles)
    _validate_pages(modules, permissions)
    _validate_searchers(modules, permissions)
    jobs: dict[str, str] = {}
    settings: dict[str, str] = {}
    points: dict[str, str] = {}
    for module in modules:
        for job in module.jobs:
            _claim(jobs, job.id, module.name, "job")
            _prefixed(module, job.id, "job")
        for setting in module.settings:
            _claim(settings, setting.key, module.name, "setting")
            _prefixed(module, setting.key, "setting")
            if type(setting.default) not in SETTING_TYPES:
                raise RegistryError(
                    f"module '{module.name}': setting '{setting.key}' default must be one of str, int, bool or Decimal"
                )
        for card in module.dashboard_cards:
            _prefixed(module, card.id, "dashboard card")
            if set(card.filters) - set(DASHBOARD_FILTERS):
                raise RegistryError(
                    f"module '{module.name}': dashboard card '{card.id}' filters must be among "
                    + ", ".join(DASHBOARD_FILTERS)
                )
        for point in module.extension_points:
            _claim(points, point.key, module.name, "extension point")
            _prefixed(module, point.key, "extension point")
        for record, _event in module.emits:
            _prefixed(module, record, "emitted record")
        for i, handler in enumerate(module.events):
            if handler.phase not in EVENT_PHASES:
                raise RegistryError(
                    f"module '{module.name}': events[{i}].phase '{handler.phase}' must be one of "
                    + ", ".join(EVENT_PHASES)
                )


def _validate_roles(modules: list[Module]) -> set[str]:
    """Module roles are ``<module>.<role>``, unique and short enough for the role table; returns every role."""
    seen = {role.name: "core" for role in PLATFORM_ROLES}
    for module in modules:
        for role in module.roles:
            _claim(seen, role.name, module.name, "role")
            _prefixed(module, role.name, "role")
            if not ROLE_NAME.fullmatch(role.name) or len(role.name) > ROLE_CODE_LENGTH:
                raise RegistryError(
                    f"module '{module.name}': role '{role.name}' must be '{module.name}.<lower_case_name>', "
                    f"at most {ROLE_CODE_LENGTH} characters"
                )
            if not role.label.strip():
                raise RegistryError(f"module '{module.name}': role '{role.name}' needs a label")
    return set(seen)


def _validate_permissions(modules: list[Module], roles: set[str]) -> set[str]:
    """Permissions are prefixed, unique and grant only known roles; returns their names."""
    permissions: dict[str, str] = {}
    for module in modules:
        for perm in module.permissions:
            _claim(permissions, perm.name, module.name, "permission")
            _prefixed(module, perm.name, "permission")
            unknown = set(perm.default_roles) - roles
            if unknown:
                raise RegistryError(
                    f"module '{module.name}': permission '{perm.name}' grants unknown role(s) {sorted(unknown)}"
                )
    return set(permissions)


def _validate_pages(modules: list[Module], permissions: set[str]) -> None:
    """Routes are unique, under ``/<module>`` (the platform's excepted) and need defined permissions."""
    routes: dict[str, str] = {}
    for module in modules:
        for page in module.pages:
            _claim(routes, page.route.rstrip("/") or "/", module.name, "route")
            prefix = f"/{module.name}"
            if not module.core and page.route != prefix and not page.route.startswith(f"{prefix}/"):
                raise RegistryError(f"module '{module.name}': route '{page.route}' must start with '/{module.name}'")
    for module in modules:
        for page in module.pages:
            if page.permission and page.permission not in permissions:
                raise RegistryError(
                    f"module '{module.name}': page '{page.route}' needs undefined permission '{page.permission}'"
                )


def _validate_searchers(modules: list[Module], permissions: set[str]) -> None:
    """Searcher ids are prefixed and unique; each names a kind and a defined permission."""
    ids: dict[str, str] = {}
    for module in modules:
        for searcher in module.searchers:
            _claim(ids, searcher.id, module.name, "searcher")
            _prefixed(module, searcher.id, "searcher")
            if not searcher.kind.strip():
                raise RegistryError(f"module '{module.name}': searcher '{searcher.id}' needs a kind")
            if searcher.permission not in permissions:
                raise RegistryError(
                    f"module '{module.name}': searcher '{searcher.id}' needs undefined permission "
                    f"'{searcher.permission}'"
                )


def _prefixed(module: Module, key: str, kind: str) -> None:
    if not key.startswith(f"{module.name}."):
        raise RegistryError(f"module '{module.name}': {kind} '{key}' must start with '{module.name}.'")


def _claim(seen: dict[str, str], key: str, module: str, kind: str) -> None:
    if key in seen:
        raise RegistryError(f"duplicate {kind} '{key}' in modules '{seen[key]}' and '{module}'")
    seen[key] = module


def discover_packages(folder: Path, package: str = "modules") -> list[Module]:
    """Manifests of the packages under ``folder`` (imported as ``package.<name>``)."""
    found = []
    for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda i: i.name):
        if info.ispkg:
            found.append(_manifest(importlib.import_module(f"{package}.{info.name}"), f"{package}.{info.name}"))
    return found


def discover_entry_points() -> list[Module]:
    """Manifests published by installed distributions under ``jewelerp.modules``."""
    found = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = ep.load()
        except Exception as exc:
            raise RegistryError(f"module entry point '{ep.name}' failed to load: {exc}") from exc
        found.append(_manifest(loaded, _package_of(ep.module)))
    return found


def _package_of(dotted: str) -> str:
    """The package ``dotted`` names, or the package holding it when it names a plain module."""
    imported = importlib.import_module(dotted)
    return dotted if hasattr(imported, "__path__") else dotted.rpartition(".")[0]


def _manifest(obj: Any, package: str) -> Module:
    module = getattr(obj, "MODULE", obj)
    if not isinstance(module, Module):
        raise RegistryError(f"'{package}' does not expose MODULE = jewelerp.registry.Module(...)")
    return module if module.package else replace(module, package=package)


def discover(extra: Iterable[Module] = ()) -> Registry:
    """Build the registry: platform core, ``modules/`` packages, entry points, ``extra``."""
    from jewelerp.core.manifest import CORE

    return Registry([CORE, *discover_packages(PROJECT_ROOT / "modules"), *discover_entry_points(), *extra])


_current: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry (discovered on first use)."""
    global _current
    if _current is None:
        _current = discover()
    return _current


def set_registry(registry: Registry | None) -> None:
    """Replace the process-wide registry (tests); None means discover again on next use."""
    global _current
    _current = registry


def call(dotted: str) -> Callable[..., Any]:
    """Resolve a dotted path that must name a callable."""
    fn = resolve(dotted)
    if not callable(fn):
        raise RegistryError(f"'{dotted}' is not callable")
    return fn
