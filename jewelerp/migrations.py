"""Alembic migrations, one branch per module (CLI, backup/restore and tests call these).

Each module may ship ``<package>/migrations/``: an Alembic branch labelled with the module's name, whose
first revision ``depends_on`` the branches of the modules it depends on (core is everyone's). Every branch
runs in one shared environment (``jewelerp/migration_env``); the version locations come from the registry.

Databases made before the branches existed carry a revision of the frozen legacy history
(``jewelerp/core/legacy_migrations``, never extended). :func:`upgrade` brings such a database to the legacy
head, then stamps the branches' baselines (revisions marked ``replaces_legacy_history = True``, which build
exactly what the legacy head built) in its place, then upgrades the branches. Everything one :func:`upgrade`
does runs in one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import load_python_file
from sqlalchemy import Connection

from jewelerp.db import get_engine
from jewelerp.errors import JewelError
from jewelerp.registry import Module, Registry, get_registry

ENVIRONMENT = Path(__file__).resolve().parent / "migration_env"
LEGACY_HISTORY = Path(__file__).resolve().parent / "core" / "legacy_migrations"
REVISION_ID_LIMIT = 32  # alembic_version.version_num is VARCHAR(32)


class MigrationError(JewelError):
    """A migration that cannot run or failed; the message names the module."""


@dataclass(frozen=True)
class RevisionFile:
    """What one revision file of a module's branch declares."""

    module: str
    path: Path
    revision: str
    down_revisions: tuple[str, ...]
    depends_on: tuple[str, ...]
    branch_labels: tuple[str, ...]
    replaces_legacy_history: bool


def migrations_folder(module: Module) -> Path:
    """``<package>/migrations`` of ``module``, whether it exists yet or not."""
    if not module.package:
        raise MigrationError(f"module '{module.name}' names no package in its manifest, so it has no migrations")
    try:
        spec = importlib.util.find_spec(module.package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise MigrationError(f"module '{module.name}': its package '{module.package}' cannot be imported")
    return Path(next(iter(spec.submodule_search_locations))) / "migrations"


def branches(registry: Registry | None = None) -> dict[str, Path]:
    """Module name -> migrations folder, in dependency order, for every module whose folder holds revisions."""
    found = {}
    for module in (registry or get_registry()).modules:
        if module.package:
            folder = migrations_folder(module)
            if _revision_paths(folder):
                found[module.name] = folder
    return found


def table_owner(table: str, registry: Registry | None = None) -> str | None:
    """The module a table belongs to: the longest module name that prefixes it (``repairs_billing_x`` is
    repairs_billing's, not repairs')."""
    owners = [name for name in (registry or get_registry()).names() if table.startswith(f"{name}_")]
    return max(owners, key=len, default=None)


def alembic_config(connection: Connection | None = None, folders: Iterable[Path] | None = None) -> Config:
    """Alembic's configuration for the branches in ``folders`` (default: every module's), run on ``connection``
    (default: a transaction of its own on the configured database)."""
    config = Config()
    config.set_main_option("script_location", _escaped(ENVIRONMENT))
    config.set_main_option("path_separator", "os")
    locations = list(branches().values()) if folders is None else list(folders)
    if locations:
        config.set_main_option("version_locations", os.pathsep.join(_escaped(f) for f in locations))
    config.attributes["owner_of"] = table_owner
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(modules: Iterable[str] | None = None, connection: Connection | None = None) -> None:
    """Bring the branches of ``modules`` (default: every module) and of what they depend on to their heads,
    dependencies first, in one transaction (``connection``'s when given: its caller commits or rolls back);
    a database of the legacy history is moved onto the branches first."""
    registry = get_registry()
    found = branches(registry)
    revisions = _checked_revisions(found)
    wanted = _with_requirements(registry, modules)
    with _transaction(connection) as connection:
        config = alembic_config(connection, found.values())
        _leave_legacy_history(config, revisions)
        for name in (n for n in wanted if n in found):
            _run(f"module '{name}': migration failed", lambda n=name: command.upgrade(config, f"{n}@head"))


def downgrade_to_base(name: str, connection: Connection) -> None:
    """Undo every revision of module ``name``'s branch (its tables go) in ``connection``'s transaction; nothing
    to do when it ships no migrations. Alembic refuses while another module's branch depends on it."""
    found = branches()
    if name in found:
        _checked_revisions(found)
        config = alembic_config(connection, found.values())
        _run(f"module '{name}': removing its tables failed", lambda: command.downgrade(config, f"{name}@base"))


def behind(connection: Connection, modules: Iterable[str] | None = None) -> set[str]:
    """The modules (among ``modules``, default every module) whose branch the database has not reached the head
    of."""
    found = branches()
    script = _script(tuple(found.values()))
    applied = _applied_revisions(connection, script)
    wanted = found if modules is None else [name for name in modules if name in found]
    return {name for name in wanted if not {s.revision for s in script.get_revisions(f"{name}@head")} <= applied}


def applied_modules(connection: Connection) -> list[str]:
    """The modules (in dependency order) whose branch the database holds at least one revision of: the ones
    whose tables it has, installed or not."""
    found = branches()
    script = _script(tuple(found.values()))
    applied = _applied_revisions(connection, script)
    owner = {folder: name for name, folder in found.items()}
    holding = {owner[Path(s.path).parent] for s in script.walk_revisions() if s.revision in applied}
    return [name for name in found if name in holding]


def up_to_date(connection: Connection) -> bool:
    """Whether the database is on the branches (not the legacy history) and every module whose tables it has
    is at its head: nothing for :func:`upgrade` to do."""
    script = _script(tuple(branches().values()))
    known = {s.revision for s in script.walk_revisions()}
    rows = set(MigrationContext.configure(connection).get_current_heads())
    return rows <= known and not behind(connection, applied_modules(connection))


def _applied_revisions(connection: Connection, script: ScriptDirectory) -> set[str]:
    """Every revision of ``script`` the database has applied. ``alembic_version`` keeps only leaf rows, so a
    revision counts as applied when it lies below one of them, through ``down_revision`` or ``depends_on``."""
    known = {s.revision for s in script.walk_revisions()}
    current = [r for r in MigrationContext.configure(connection).get_current_heads() if r in known]
    return {s.revision for s in script.iterate_revisions(tuple(current), "base")} if current else set()


def stamp_heads(connection: Connection) -> None:
    """Mark every branch as at its head without running a migration: for a database whose tables were made
    from the models (``SQLModel.metadata.create_all``), as the tests make theirs."""
    MigrationContext.configure(connection).stamp(_script(tuple(branches().values())), "heads")


def upgrade_legacy(revision: str = "head") -> None:
    """Run the frozen legacy history up to ``revision`` (tests build databases as older versions left them)."""
    with _transaction() as connection:
        command.upgrade(alembic_config(connection, [LEGACY_HISTORY]), revision)


def revision(name: str, message: str, autogenerate: bool = False) -> Path:
    """Write a new revision into module ``name``'s folder on top of its branch head, or its first revision
    (labelled ``name``, depending on its dependencies' branches) when it has none; returns the file.

    With ``autogenerate`` the configured database (at every head) is compared with the models of that module's
    tables only, so the revision never touches another module's tables.
    """
    registry = get_registry()
    try:
        module = registry.module(name)
    except KeyError:
        raise MigrationError(f"unknown module '{name}' (see 'jewelerp modules list')") from None
    folder = migrations_folder(module)
    found = branches(registry)
    existing = [r for r in _checked_revisions(found) if r.module == name]
    rev_id = f"{name}_{len(existing) + 1:04d}"
    if len(rev_id) > REVISION_ID_LIMIT:
        raise MigrationError(f"module '{name}': its name is too long for revision ids like '{rev_id}'")
    needed = set(_requirements(registry, name))
    if autogenerate:  # the database's other branches too: Alembic compares with a database at every head
        with get_engine().connect() as connection:
            needed.update(applied_modules(connection))
    created = not folder.exists()
    folder.mkdir(exist_ok=True)
    folders = [path for module_name, path in found.items() if module_name in needed]
    config = alembic_config(folders=[*folders, *([] if existing else [folder])])
    config.attributes["modules"] = {name}
    first = {} if existing else {"branch_label": name, "depends_on": _nearest_branches(registry, module, found)}
    try:
        script = command.revision(
            config,
            message=message,
            autogenerate=autogenerate,
            head=f"{name}@head" if existing else "base",
            version_path=str(folder),
            rev_id=rev_id,
            **first,
        )
    except Exception as exc:
        if created:
            folder.rmdir()
        raise MigrationError(f"module '{name}': no revision written: {_one_line(exc)}") from exc
    return Path(script.path)


def check() -> None:
    """Raise if the models of the modules whose tables the database has differ from what their migrations
    build (the database must be at their heads). An add-on that is available but not installed is left out."""
    found = branches()
    with get_engine().connect() as connection:
        applied = applied_modules(connection)
        config = alembic_config(connection, [found[name] for name in applied])
        config.attributes["modules"] = set(applied)
        command.check(config)


def known_revisions() -> set[str]:
    """Every revision this code can upgrade from, the legacy history's too."""
    revisions = _checked_revisions(branches())
    legacy = ScriptDirectory.from_config(alembic_config(folders=[LEGACY_HISTORY]))
    return {r.revision for r in revisions} | {s.revision for s in legacy.walk_revisions()}


@contextmanager
def _transaction(connection: Connection | None = None) -> Iterator[Connection]:
    """One transaction for a whole migration run (SQLite rolls DDL back too: the engine issues BEGIN itself);
    ``connection``'s own when given."""
    if connection is not None:
        yield connection
        return
    with get_engine().begin() as own:
        yield own


def _script(folders: tuple[Path, ...]) -> ScriptDirectory:
    """The revisions in ``folders``, read again only when one of their files changed (every module switch and
    the Modules page ask which branches are behind)."""
    files = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for f in folders for p in _revision_paths(f))
    return _script_of(folders, files)


@lru_cache(maxsize=8)
def _script_of(folders: tuple[Path, ...], _files: tuple[tuple[str, int, int], ...]) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(folders=folders))


def _leave_legacy_history(config: Config, revisions: list[RevisionFile]) -> None:
    """Move a database of the legacy history onto the branches: legacy head, then the baselines' stamps."""
    connection = config.attributes["connection"]
    current = set(MigrationContext.configure(connection).get_current_heads())
    unknown = current - {r.revision for r in revisions}
    if not unknown:
        return
    legacy = alembic_config(connection, [LEGACY_HISTORY])
    legacy_ids = {s.revision for s in ScriptDirectory.from_config(legacy).walk_revisions()}
    if not unknown <= legacy_ids:
        raise MigrationError(
            f"the database is at revision(s) {', '.join(sorted(unknown))}, which no installed module provides "
            "(was a module removed without 'jewelerp modules uninstall'?)"
        )
    _run("legacy history: migration failed", lambda: command.upgrade(legacy, "head"))
    command.stamp(config, sorted(_baselines(revisions)), purge=True)


def baseline_revisions() -> set[str]:
    """The revisions that build exactly what the legacy history's head built (the built-in modules' first)."""
    return _baselines(_checked_revisions(branches()))


def _baselines(revisions: list[RevisionFile]) -> set[str]:
    return _version_rows([r for r in revisions if r.replaces_legacy_history])


def _version_rows(revisions: list[RevisionFile]) -> set[str]:
    """What ``alembic_version`` holds once ``revisions`` (with everything below them) are applied: those no
    other one revises or depends on (Alembic keeps one row per leaf; a depended-on revision is implied)."""
    by_label = {label: r.revision for r in revisions for label in r.branch_labels}
    below = {b for r in revisions for b in (*r.down_revisions, *(by_label.get(d, d) for d in r.depends_on))}
    return {r.revision for r in revisions} - below


def _checked_revisions(found: dict[str, Path]) -> list[RevisionFile]:
    """Every branch's revision files, refused with one line naming the module when one is broken."""
    revisions = [_read_revision(name, path) for name, folder in found.items() for path in _revision_paths(folder)]
    owners: dict[str, str] = {}
    for r in revisions:
        if r.revision in owners:
            raise MigrationError(
                f"module '{r.module}': revision id '{r.revision}' is also used by '{owners[r.revision]}'"
            )
        owners[r.revision] = r.module
    labels = {label for r in revisions for label in r.branch_labels}
    for r in revisions:
        _check_links(r, set(owners), labels)
    return revisions


def _check_links(r: RevisionFile, ids: set[str], labels: set[str]) -> None:
    where = f"module '{r.module}': revision '{r.revision}' ({r.path.name})"
    if not r.down_revisions and r.module not in r.branch_labels:
        raise MigrationError(f"{where} starts the branch but lacks branch_labels=('{r.module}',)")
    for down in r.down_revisions:
        if down not in ids:
            raise MigrationError(f"{where} revises '{down}', which no installed module's migrations contain")
    for dependency in r.depends_on:
        if dependency not in ids | labels:
            raise MigrationError(f"{where} depends on '{dependency}', which is not installed")


def _read_revision(module: str, path: Path) -> RevisionFile:
    try:
        loaded = load_python_file(path.parent, path.name)
        return RevisionFile(
            module,
            path,
            str(loaded.revision),
            _as_tuple(loaded.down_revision),
            _as_tuple(loaded.depends_on),
            _as_tuple(loaded.branch_labels),
            bool(getattr(loaded, "replaces_legacy_history", False)),
        )
    except Exception as exc:
        raise MigrationError(f"module '{module}': {path.name} is not a readable revision: {_one_line(exc)}") from exc


def _revision_paths(folder: Path) -> list[Path]:
    """The revision files of a migrations folder, as Alembic picks them (``*.py`` but ``__init__``)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith(("__init__", ".#")))


def _with_requirements(registry: Registry, modules: Iterable[str] | None) -> list[str]:
    if modules is None:
        return registry.names()
    wanted: set[str] = set()
    for name in modules:
        if name not in registry:
            raise MigrationError(f"unknown module '{name}' (see 'jewelerp modules list')")
        wanted.update(registry.requirements(name))
    return [n for n in registry.names() if n in wanted]


def _nearest_branches(registry: Registry, module: Module, found: dict[str, Path]) -> list[str]:
    """The branches a module's first revision depends on: each dependency's own branch (or, when it ships none,
    the nearest branches below it) and core's, leaving out any another of them already depends on (Alembic
    cannot upgrade past a dependency named twice)."""
    nearest: set[str] = set()
    pending = [*module.depends, *(m.name for m in registry.modules if m.core and m.name != module.name)]
    while pending:
        name = pending.pop()
        if name in found:
            nearest.add(name)
        else:
            pending.extend(registry.module(name).depends)
    below = {dep for name in nearest for dep in _requirements(registry, name) if dep != name}
    return [name for name in registry.names() if name in nearest - below]


def _requirements(registry: Registry, name: str) -> list[str]:
    """What ``name`` needs, transitively, core included (every module needs the platform)."""
    core = [m.name for m in registry.modules if m.core]
    return [*registry.requirements(name), *([] if registry.module(name).core else core)]


def _run(failure: str, step: Callable[[], object]) -> None:
    try:
        step()
    except MigrationError:
        raise
    except Exception as exc:
        raise MigrationError(f"{failure}: {_one_line(exc)}") from exc


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _escaped(path: Path) -> str:
    return str(path).replace("%", "%%")  # Config values pass through ConfigParser interpolation
