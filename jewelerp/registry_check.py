"""The strict registry check: what a manifest names must exist and fit, one line per problem.

:meth:`jewelerp.registry.Registry.check` (run by ``jewelerp modules check``, at app start-up and in the
tests) imports the code every manifest names and reports, naming the module and the field:

- a dotted path that does not resolve (models, pages, jobs, events, dashboard cards, searchers, contributions,
  extension point protocols, demo and install data), or one that must be callable and is not;
- a table defined by a module's models whose name lacks the module's prefix (``<name>_``; the platform's
  tables are ``core_``);
- an event handler listening to an event its owner (the record's first part) does not declare in ``emits``;
- a contribution to a key that its owner does not declare as an ``ExtensionPoint``, or a contribution that
  does not satisfy that point's protocol (a callable's parameters, an object's attributes and methods);
- a crossing of the module boundary (:mod:`jewelerp.module_boundary`): an import of another module's
  internals instead of its ``api``, or of the api of a module it does not depend on.

A handler or a contribution aimed at a module that is not installed waits for it and is not a problem.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from jewelerp.module_boundary import problems as boundary_problems
from jewelerp.registry import Module, resolve

if TYPE_CHECKING:
    from jewelerp.registry import Registry

_MISSING = object()
_PROTOCOL_BASES = (object, typing.Protocol, typing.Generic)


@dataclass(frozen=True)
class Named:
    """A dotted path a manifest field names, and what it must name."""

    field: str
    dotted: str
    expect: Literal["callable", "module", "protocol"] = "callable"


def problems(registry: Registry) -> list[str]:
    """Every problem of every manifest in ``registry``, each one line naming the module and the field."""
    found: list[str] = []
    for module in registry.modules:
        found += [f"module '{module.name}': {line}" for line in _module_problems(registry, module)]
    return found + boundary_problems(registry)


def _module_problems(registry: Registry, module: Module) -> Iterator[str]:
    for named in _named_paths(module):
        yield from _path_problem(named)
    yield from _table_problems(module)
    yield from _event_problems(registry, module)
    yield from _contribution_problems(registry, module)


def _named_paths(module: Module) -> Iterator[Named]:
    """Every dotted path of the manifest except contributions (checked against their protocols)."""
    yield from (Named(f"models[{i}]", dotted, "module") for i, dotted in enumerate(module.models))
    for i, page in enumerate(module.pages):
        yield Named(f"pages[{i}].component", page.component)
        if page.on_load:
            yield Named(f"pages[{i}].on_load", page.on_load)
    yield from (Named(f"jobs[{i}].func", job.func) for i, job in enumerate(module.jobs))
    yield from (Named(f"events[{i}].handler", handler.handler) for i, handler in enumerate(module.events))
    yield from (Named(f"dashboard_cards[{i}].value", card.value) for i, card in enumerate(module.dashboard_cards))
    yield from (Named(f"searchers[{i}].fn", searcher.fn) for i, searcher in enumerate(module.searchers))
    for i, point in enumerate(module.extension_points):
        yield Named(f"extension_points[{i}].protocol", point.protocol, "protocol")
    if module.demo_data:
        yield Named("demo_data", module.demo_data)
    if module.install_data:
        yield Named("install_data", module.install_data)


def _resolved(field: str, dotted: str) -> tuple[Any, str | None]:
    """The object ``dotted`` names, or the one-line reason it cannot be imported."""
    try:
        return resolve(dotted), None
    except Exception as exc:  # any import failure (missing name, syntax error, failing import) is a problem
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return _MISSING, f"{field} '{dotted}' cannot be imported: {reason}"


def _path_problem(named: Named) -> Iterator[str]:
    obj, problem = _resolved(named.field, named.dotted)
    if problem:
        yield problem
    elif named.expect == "callable" and not callable(obj):
        yield f"{named.field} '{named.dotted}' is not callable"
    elif named.expect == "module" and not isinstance(obj, ModuleType):
        yield f"{named.field} '{named.dotted}' is not a module path (write it without ':')"
    elif named.expect == "protocol" and not _is_protocol(obj):
        yield f"{named.field} '{named.dotted}' is not a typing.Protocol"


def _is_protocol(obj: Any) -> bool:
    return isinstance(obj, type) and getattr(obj, "_is_protocol", False)


def _table_problems(module: Module) -> Iterator[str]:
    prefix = f"{module.name}_"
    for i, dotted in enumerate(module.models):
        imported, _problem = _resolved(f"models[{i}]", dotted)  # an unusable path is reported with the paths
        if not isinstance(imported, ModuleType):
            continue
        for cls in _table_classes(imported):
            if not cls.__table__.name.startswith(prefix):
                yield f"models[{i}] table '{cls.__table__.name}' (class {cls.__name__}) must start with '{prefix}'"


def _table_classes(imported: ModuleType) -> list[type]:
    """The mapped table classes defined in (not imported into) a models module."""
    return [
        value
        for value in vars(imported).values()
        if isinstance(value, type) and value.__module__ == imported.__name__ and hasattr(value, "__table__")
    ]


def _event_problems(registry: Registry, module: Module) -> Iterator[str]:
    for i, handler in enumerate(module.events):
        owner = handler.record.split(".", 1)[0]
        if owner in registry and (handler.record, handler.event) not in registry.module(owner).emits:
            yield (
                f"events[{i}] listens to ('{handler.record}', '{handler.event}'), "
                f"which module '{owner}' does not declare in emits"
            )


def _contribution_problems(registry: Registry, module: Module) -> Iterator[str]:
    for key, paths in module.contributions.items():
        owner, dot, _point = key.partition(".")
        if not dot:
            yield f"contributions['{key}'] is not an extension point name ('<module>.<point>')"
            continue
        if owner not in registry:
            continue  # aimed at a module that is not installed: it waits for it
        points = {p.key: p for p in registry.module(owner).extension_points}
        if key not in points:
            yield f"contributions['{key}'] targets an extension point that module '{owner}' does not declare"
            continue
        protocol, _problem = _resolved("protocol", points[key].protocol)
        usable = _is_protocol(protocol)  # an unusable protocol is reported with the owner's manifest
        for i, dotted in enumerate(paths):
            field = f"contributions['{key}'][{i}]"
            value, problem = _resolved(field, dotted)
            misfit = protocol_misfit(value, protocol) if usable and not problem else None
            if problem:
                yield problem
            elif misfit:
                yield f"{field} '{dotted}' does not fit {points[key].protocol}: {misfit}"


def protocol_misfit(value: Any, protocol: type) -> str | None:
    """Why ``value`` does not satisfy ``protocol`` (None when it does).

    A callback protocol (one defining ``__call__``) needs a callable accepting as many positional arguments;
    other members need an attribute of that name, and a method member a callable accepting its arguments.
    """
    for name, member in _protocol_members(protocol):
        if name == "__call__":
            target, what = value, "it"
        else:
            target, what = getattr(value, name, _MISSING), name
            if target is _MISSING:
                return f"it has no attribute '{name}'"
        if member is None:
            continue
        params = _parameters(member)
        if not callable(target):
            return f"{what} is not callable"
        if not _accepts(target, len(params)):
            return f"{what} cannot be called as ({', '.join(params)})"
    return None


def _protocol_members(protocol: type) -> list[tuple[str, Any]]:
    """``(name, function)`` of a protocol's methods and ``(name, None)`` of its plain attributes."""
    members: dict[str, Any] = {}
    for cls in reversed(protocol.__mro__):
        if cls in _PROTOCOL_BASES:
            continue
        members.update(dict.fromkeys(inspect.get_annotations(cls)))
        members.update(
            (name, value)
            for name, value in vars(cls).items()
            if inspect.isfunction(value) and (name == "__call__" or not name.startswith("_"))
        )
    return list(members.items())


def _parameters(method: Any) -> list[str]:
    """The parameter names of a protocol method, without ``self``."""
    return list(inspect.signature(method).parameters)[1:]


def _accepts(fn: Any, count: int) -> bool:
    """Whether ``fn`` can be called with ``count`` positional arguments (True when Python cannot tell)."""
    try:
        inspect.signature(fn).bind(*range(count))
    except TypeError:
        return False
    except ValueError:  # a builtin without a signature
        return True
    return True
