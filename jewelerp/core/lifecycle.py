"""Installing, upgrading and uninstalling modules (``jewelerp db upgrade``, ``jewelerp modules ...``, the Modules
page).

A module is *installed* in a database when ``core_installed_module`` has its row: its migrations ran, its
install data loaded and its permissions were granted to their default roles, at the recorded version.
``jewelerp db upgrade`` records the built-in modules (the platform and the packages under ``modules/``) as
installed; a module that arrived with pip is available but stays out until ``jewelerp modules install NAME``.
Only an installed module whose tables are at its code's head can be enabled in a store.

Each operation runs in one transaction on one connection, Alembic's DDL and the rows alike (SQLite and
PostgreSQL roll DDL back): a failure at any step leaves the database as it was. Uninstall takes a signed
backup first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import delete, func, inspect
from sqlmodel import Session, select

from jewelerp import migrations
from jewelerp.backup import PRE_RESTORE_FOLDER, backup
from jewelerp.core.models import (
    EventDelivery,
    InstalledModule,
    JobLease,
    JobRun,
    ModuleState,
    PermissionSeed,
    Role,
    RolePermission,
    StoreSetting,
    UserStoreRole,
)
from jewelerp.core.roles import sync_roles_and_permissions
from jewelerp.core.settings import encrypt_plain_secrets
from jewelerp.db import get_engine, utcnow
from jewelerp.errors import JewelError
from jewelerp.install_data import run_install_data
from jewelerp.keys import data_dir
from jewelerp.registry import Module, Registry, get_registry

T = TypeVar("T")


class LifecycleError(JewelError):
    """An install, upgrade or uninstall that was refused or failed; names the module. Nothing was changed."""


@dataclass(frozen=True)
class ModuleStatus:
    """One module as ``jewelerp modules list`` and the Modules page show it."""

    module: Module
    installed_version: str  # "" when not installed
    upgrade_reason: str  # "" when up to date (or not installed)

    @property
    def installed(self) -> bool:
        """Whether the module is installed in this database."""
        return bool(self.installed_version)


@dataclass(frozen=True)
class Upgraded:
    """One module brought up to date: its recorded version before and after, and whether its tables moved."""

    name: str
    before: str
    after: str
    tables_upgraded: bool


@dataclass(frozen=True)
class UpgradeReport:
    """What an install, an upgrade or ``jewelerp db upgrade`` did."""

    modules: list[Upgraded]
    seeded: int  # permissions granted to their default roles for the first time
    recorded: list[str]  # built-in modules recorded as installed now (db upgrade)
    encrypted: int = 0  # secret settings an older version kept in plain text (db upgrade)


@dataclass(frozen=True)
class UninstallReport:
    """What an uninstall removed, and where the backup taken before it is."""

    backup: Path
    tables: list[str]


def is_built_in(module: Module) -> bool:
    """The platform and the packages under ``modules/`` come with the code; a pip-installed module does not."""
    return module.core or module.package.startswith("modules.")


def installed_versions(session: Session) -> dict[str, str]:
    """Module name -> installed version, for every module installed in this database."""
    return {row.name: row.version for row in session.exec(select(InstalledModule))}


def installed_registry(session: Session, registry: Registry | None = None) -> Registry:
    """The modules of ``registry`` (default: every discovered one) that are installed in this database."""
    registry = registry or get_registry()
    installed = installed_versions(session)
    return Registry(m for m in registry.modules if m.name in installed)


def record_installed(session: Session, modules: Iterable[Module]) -> list[str]:
    """Record each of ``modules`` that has no record as installed at its manifest version (audited); returns
    their names. ``jewelerp db upgrade`` does it for the built-in modules, the tests' database for all."""
    installed = installed_versions(session)
    new = [m for m in modules if m.name not in installed]
    for module in new:
        session.add(InstalledModule(name=module.name, version=module.version))
    session.flush()
    return [m.name for m in new]


def module_statuses(session: Session, registry: Registry | None = None) -> list[ModuleStatus]:
    """Every module of ``registry`` in dependency order, with its installed version and why it needs an
    upgrade: its tables behind its code, or an installed version other than the code's."""
    registry = registry or get_registry()
    installed = installed_versions(session)
    behind = migrations.behind(session.connection(), [name for name in registry.names() if name in installed])
    return [
        ModuleStatus(m, installed.get(m.name, ""), _upgrade_reason(m, installed.get(m.name, ""), m.name in behind))
        for m in registry.modules
    ]


def _upgrade_reason(module: Module, installed: str, schema_behind: bool) -> str:
    if not installed:
        return ""
    if schema_behind:
        return _tables_behind(module)
    if installed != module.version:
        return f"installed version {installed}, code version {module.version}"
    return ""


def _tables_behind(module: Module) -> str:
    return f"{module.title}'s database tables are behind its code"


def unready(session: Session, names: Iterable[str], registry: Registry | None = None) -> dict[str, str]:
    """Why each of the modules ``names`` cannot be switched on in a store, with the command that fixes it: not
    installed, or its tables behind its code. Modules that can be switched on are left out."""
    registry = registry or get_registry()
    wanted = [n for n in names if not registry.module(n).core]
    installed = installed_versions(session)
    reasons = {
        name: f"{registry.module(name).title} is not installed: run jewelerp modules install {name}"
        for name in wanted
        if name not in installed
    }
    for name in migrations.behind(session.connection(), [n for n in wanted if n in installed]):
        reasons[name] = f"{_tables_behind(registry.module(name))}: run jewelerp modules upgrade {name}"
    return reasons


def upgrade_database() -> UpgradeReport:
    """``jewelerp db upgrade``: the platform's migrations, then every built-in module without a record is
    recorded as installed, then every installed module is upgraded (migrations, install data, new
    permissions, version); one transaction."""
    registry = get_registry()
    with _transaction(set_up=False) as session:
        migrations.upgrade([m.name for m in registry.modules if m.core], session.connection())
        recorded = record_installed(session, [m for m in registry.modules if is_built_in(m)])
        report = _upgrade(session, registry, installed_registry(session, registry).names())
        encrypted = encrypt_plain_secrets(session)
    return UpgradeReport(report.modules, report.seeded, recorded, encrypted)


def install(name: str) -> UpgradeReport:
    """Install module ``name``: its migrations to head, its install data, its roles and permissions (granted to
    their default roles), its record. Refused while a module it needs is not installed or is behind."""
    registry = get_registry()
    module = _known(registry, name)
    with _transaction() as session:
        installed = installed_versions(session)
        if name in installed:
            raise LifecycleError(
                f"module '{name}' is already installed (version {installed[name]}); "
                f"to bring it up to date run 'jewelerp modules upgrade {name}'"
            )
        needs = [n for n in registry.requirements(name) if n != name]
        missing = [n for n in needs if n not in installed]
        if missing:
            raise LifecycleError(
                f"module '{name}' needs {', '.join(missing)} installed first: "
                f"run 'jewelerp modules install {missing[0]}'"
            )
        late = sorted(migrations.behind(session.connection(), needs), key=needs.index)
        if late:
            raise LifecycleError(
                f"module '{name}' needs {', '.join(late)} upgraded first: run 'jewelerp modules upgrade {late[0]}'"
            )
        connection = session.connection()
        _step(name, "migrations", "nothing was installed", lambda: migrations.upgrade([name], connection))
        _step(name, "install data", "nothing was installed", lambda: run_install_data(session, module))
        session.add(InstalledModule(name=name, version=module.version))
        session.flush()
        seeded = _step(
            name,
            "permissions",
            "nothing was installed",
            lambda: sync_roles_and_permissions(session, installed_registry(session, registry)),
        )
    return UpgradeReport([Upgraded(name, "", module.version, True)], seeded, [])


def upgrade(names: Iterable[str] | None = None) -> UpgradeReport:
    """Upgrade the installed modules ``names`` (default: every installed one) and the modules they need:
    migrations to head, install data again (it adds only what is missing), new permissions, version."""
    registry = get_registry()
    with _transaction() as session:
        installed = installed_versions(session)
        if names is None:
            wanted = [n for n in registry.names() if n in installed]
        else:
            wanted = []
            for name in names:
                _known(registry, name)
                if name not in installed:
                    raise LifecycleError(f"module '{name}' is not installed: run 'jewelerp modules install {name}'")
                wanted += registry.requirements(name)
        return _upgrade(session, registry, wanted)


def _upgrade(session: Session, registry: Registry, names: Iterable[str]) -> UpgradeReport:
    """Bring the installed modules ``names`` to their code: migrations, install data, permissions, versions."""
    installed = installed_registry(session, registry)
    wanted = [m for m in installed.modules if m.name in set(names)]
    connection = session.connection()
    behind = migrations.behind(connection, [m.name for m in wanted])
    migrations.upgrade([m.name for m in wanted], connection)
    for module in wanted:
        run_install_data(session, module)
    seeded = sync_roles_and_permissions(session, installed)
    done = [_record_version(session, module, module.name in behind) for module in wanted]
    return UpgradeReport(done, seeded, [])


def _record_version(session: Session, module: Module, schema_moved: bool) -> Upgraded:
    record = session.get(InstalledModule, module.name)
    before = record.version
    if before != module.version or schema_moved:
        record.version, record.upgraded_at = module.version, utcnow()
        session.add(record)
        session.flush()
    return Upgraded(module.name, before, module.version, schema_moved)


def check_uninstall(name: str) -> Module:
    """Refuse (one line naming the module) an uninstall that cannot go ahead; returns the manifest."""
    registry = get_registry()
    module = _known(registry, name)
    with _transaction() as session:
        _refuse_uninstall(session, registry, module)
    return module


def _refuse_uninstall(session: Session, registry: Registry, module: Module) -> None:
    if module.core:
        raise LifecycleError(f"module '{module.name}' is the platform and cannot be uninstalled")
    installed = installed_versions(session)
    if module.name not in installed:
        raise LifecycleError(f"module '{module.name}' is not installed")
    dependents = [n for n in registry.dependents(module.name) if n in installed]
    if dependents:
        raise LifecycleError(
            f"module '{module.name}' is needed by the installed module(s) {', '.join(dependents)}: uninstall them first"
        )
    roles = [role.name for role in module.roles]
    holders = session.scalar(select(func.count()).select_from(UserStoreRole).join(Role).where(Role.code.in_(roles)))
    if holders:
        raise LifecycleError(
            f"module '{module.name}': staff still hold its role(s) {', '.join(roles)} ({holders} in all): "
            "give them another role first"
        )


def uninstall(name: str) -> UninstallReport:
    """Uninstall module ``name``: a backup first, then its tables (its branch downgraded to base), permissions
    and grants, roles, settings, per-store switches, event deliveries, job runs and leases, and its record
    (audited). Refused while an installed module needs it."""
    registry = get_registry()
    module = check_uninstall(name)
    saved = _backup_before_uninstall(name)
    with _transaction() as session:
        _refuse_uninstall(session, registry, module)
        before = set(_tables(session))
        _step(
            name,
            "removing its tables",
            "nothing was uninstalled",
            lambda: migrations.downgrade_to_base(name, session.connection()),
        )
        _delete_module_rows(session, module)
        session.delete(session.get(InstalledModule, name))
        session.flush()
        removed = sorted(before - set(_tables(session)))
    return UninstallReport(saved, removed)


def _delete_module_rows(session: Session, module: Module) -> None:
    """Every platform row that belongs to ``module``: its names all start with ``<module>.``."""
    prefix = f"{module.name}."
    roles = select(Role.id).where(Role.code.startswith(prefix, autoescape=True))
    for statement in (
        delete(RolePermission).where(RolePermission.permission.startswith(prefix, autoescape=True)),
        delete(RolePermission).where(RolePermission.role_id.in_(roles)),
        delete(PermissionSeed).where(PermissionSeed.permission.startswith(prefix, autoescape=True)),
        delete(Role).where(Role.code.startswith(prefix, autoescape=True)),
        delete(StoreSetting).where(StoreSetting.key.startswith(prefix, autoescape=True)),
        delete(ModuleState).where(ModuleState.module == module.name),
        delete(EventDelivery).where(EventDelivery.module == module.name),
        delete(JobRun).where(JobRun.job_id.startswith(prefix, autoescape=True)),
        delete(JobLease).where(JobLease.job_id.startswith(prefix, autoescape=True)),
    ):
        session.execute(statement)


def _backup_before_uninstall(name: str) -> Path:
    """A signed backup of the database in ``<data folder>/backups/``, taken before anything is removed."""
    folder = data_dir() / PRE_RESTORE_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    try:
        return backup(folder / f"pre-uninstall-{name}-{stamp}.jbak")
    except JewelError as exc:
        raise LifecycleError(f"module '{name}' was not uninstalled: no backup could be taken: {exc.message}") from exc


def _tables(session: Session) -> list[str]:
    return inspect(session.connection()).get_table_names()


def _known(registry: Registry, name: str) -> Module:
    if name not in registry:
        raise LifecycleError(f"unknown module '{name}' (see 'jewelerp modules list')")
    return registry.module(name)


def _step(name: str, step: str, outcome: str, run: Callable[[], T]) -> T:
    """Run one step of an install, upgrade or uninstall; a failure becomes one line naming the module and the
    step (the transaction then rolls back)."""
    try:
        return run()
    except JewelError as exc:
        raise LifecycleError(f"{exc.message}; {outcome}") from exc
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise LifecycleError(f"module '{name}': {step} failed: {type(exc).__name__}: {first}; {outcome}") from exc


@contextmanager
def _transaction(set_up: bool = True) -> Iterator[Session]:
    """A session on one connection whose single transaction holds every step: migrations, rows and records.
    It commits when the block ends and rolls back whole on any error. Unless ``set_up`` is False the
    database must have been through ``jewelerp db upgrade``."""
    if set_up and not inspect(get_engine()).has_table(InstalledModule.__tablename__):
        raise LifecycleError("the database is not set up: run 'jewelerp db upgrade' first")
    with get_engine().begin() as connection:
        session = Session(bind=connection, expire_on_commit=False)
        session.info["actor"] = None
        try:
            yield session
            session.flush()
        finally:
            session.close()
