"""The module boundary, checked on the source: modules meet only through each other's ``api.py``.

Part of the strict registry check (``jewelerp modules check``, the tests). For every module it reads the
Python files of its package and reports, one line each with the file and line:

- an import of another module's package other than its ``api`` (``from modules.stock.models import Piece``
  reaches into stock's internals; ``from modules.stock.api import Piece`` is the way);
- an import of the ``api`` of a module it does not depend on, directly or through its dependencies;
- a record type another module's api exports (a table class such as ``Piece``) used outside a type hint:
  querying or changing another module's rows goes through that module's services;
- for the platform (the ``jewelerp`` package): any import of a module at all.

Relative imports stay inside their own package and are always allowed.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jewelerp.registry import Module, Registry

PLATFORM_PACKAGE = "jewelerp"


@dataclass(frozen=True)
class Source:
    """One Python file of a package, as the boundary reads it."""

    path: Path
    shown: str  # the path as a problem line names it
    tree: ast.Module


def problems(registry: Registry) -> list[str]:
    """Every boundary problem of every module in ``registry``, each one line naming the module and the file."""
    owners = {m.package: m for m in registry.modules if m.package and m.name != "core"}
    found = [f"module 'core': {line}" for line in _platform_problems(owners)]
    for module in registry.modules:
        if module.name == "core" or module.package not in owners:
            continue
        allowed = set(registry.requirements(module.name)) - {module.name}
        others = tuple(package for package in owners if package != module.package)
        for source in package_sources(module.package, others):
            lines = _module_problems(source, module, owners, allowed)
            found += [f"module '{module.name}': {line}" for line in lines]
    return found


def package_sources(package: str, mentioning: tuple[str, ...]) -> list[Source]:
    """The parsed Python files of ``package`` (its sub-packages included) whose text mentions one of the
    ``mentioning`` package names (a file that names none cannot import them); none when it cannot be found."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return []
    sources = []
    for folder in map(Path, spec.submodule_search_locations):
        for path in sorted(folder.rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if not any(name in text for name in mentioning):
                continue
            shown = f"{package.replace('.', '/')}/{path.relative_to(folder).as_posix()}"
            sources.append(Source(path, shown, ast.parse(text, str(path))))
    return sources


@dataclass(frozen=True)
class Imported:
    """One name an import statement binds: what it reaches (``modules.stock.api``) and how the file calls it."""

    line: int
    target: str  # the module reached: ``from modules.billing import payments`` reaches ``modules.billing.payments``
    name: str  # the imported name (``Piece``, or the module's last part for ``from a import b``)
    local: str  # the name bound in the file
    from_module: bool  # ``from target import name`` (else the name is the module ``target`` itself)


def _imports(tree: ast.Module, owners: dict[str, Module]) -> Iterator[Imported]:
    """Every absolute import of a module's package in ``tree``, one per bound name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _owner(alias.name, owners):
                    local = alias.asname or alias.name.split(".", 1)[0]
                    yield Imported(node.lineno, alias.name, alias.name.rsplit(".", 1)[-1], local, False)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and _owner(node.module, owners):
            package = node.module in owners
            for alias in node.names:
                local = alias.asname or alias.name
                if package:  # from modules.billing import payments: a submodule
                    yield Imported(node.lineno, f"{node.module}.{alias.name}", alias.name, local, False)
                else:
                    yield Imported(node.lineno, node.module, alias.name, local, True)


def _platform_problems(owners: dict[str, Module]) -> Iterator[str]:
    for source in package_sources(PLATFORM_PACKAGE, tuple(owners)):
        for imported in _imports(source.tree, owners):
            yield f"{source.shown}:{imported.line} imports {imported.target}: the platform knows no module"


def _module_problems(source: Source, module: Module, owners: dict[str, Module], allowed: set[str]) -> Iterator[str]:
    records: dict[str, tuple[str, str]] = {}  # local name -> (owner, record type) imported from an api
    apis: dict[str, str] = {}  # local name bound to another module's api -> that module
    for imported in _imports(source.tree, owners):
        owner = _owner(imported.target, owners)
        if owner is None or owner.name == module.name:
            continue
        api = f"{owner.package}.api"
        if imported.target != api:
            yield f"{source.shown}:{imported.line} imports {imported.target}: use {api}"
        elif owner.name not in allowed:
            yield f"{source.shown}:{imported.line} imports {api} but '{module.name}' does not depend on '{owner.name}'"
        elif not imported.from_module:
            apis[imported.local] = owner.name
        elif imported.name in _record_types(api):
            records[imported.local] = (owner.name, imported.name)
    yield from _record_type_uses(source, records, apis, owners)


def _record_type_uses(
    source: Source, records: dict[str, tuple[str, str]], apis: dict[str, str], owners: dict[str, Module]
) -> Iterator[str]:
    if not records and not apis:
        return
    hints = _annotation_nodes(source.tree)
    packages = {m.name: m.package for m in owners.values()}
    for node in ast.walk(source.tree):
        if id(node) in hints:
            continue
        if isinstance(node, ast.Name) and node.id in records:
            owner, record = records[node.id]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in apis
            and node.attr in _record_types(f"{packages[apis[node.value.id]]}.api")
        ):
            owner, record = apis[node.value.id], node.attr
        else:
            continue
        yield (
            f"{source.shown}:{node.lineno} uses {owner}'s record type {record} outside a type hint: "
            f"read and change {owner}'s records through its api's services"
        )


def _owner(target: str, owners: dict[str, Module]) -> Module | None:
    """The module whose package holds ``target``, if any."""
    for package, module in owners.items():
        if target == package or target.startswith(f"{package}."):
            return module
    return None


def _record_types(api: str) -> set[str]:
    """The names under which ``api`` exports a mapped table class."""
    imported = importlib.import_module(api)
    return {name for name, value in vars(imported).items() if isinstance(value, type) and hasattr(value, "__table__")}


def _annotation_nodes(tree: ast.Module) -> set[int]:
    """The ids of every node inside a type hint (parameters, return types, annotated assignments)."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            roots.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
    return {id(inner) for root in roots for inner in ast.walk(root)}
