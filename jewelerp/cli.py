"""The ``jewelerp`` command line. Errors are one clear line and a non-zero exit."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import select

from jewelerp.db import database_problem
from jewelerp.errors import JewelError


def _cmd_db_upgrade(_args: argparse.Namespace) -> str:
    from jewelerp.core.lifecycle import upgrade_database

    report = upgrade_database()
    notes = [f"{report.seeded} new permission(s) granted to their default roles"]
    if report.recorded:
        notes.append(f"recorded as installed: {', '.join(report.recorded)}")
    if report.encrypted:
        notes.append(f"{report.encrypted} secret setting(s) encrypted")
    return f"database is up to date ({'; '.join(notes)})"


def _cmd_db_revision(args: argparse.Namespace) -> str:
    from jewelerp.migrations import revision

    path = revision(args.module, args.message, autogenerate=args.autogenerate)
    return f"wrote {path}; read it (and run 'ruff format' on it) before you commit it"


def _cmd_demo(args: argparse.Namespace) -> str:
    from jewelerp.demo import load_demo

    logins = load_demo(force=args.force)
    lines = ["demo data ready; sign in with:"]
    wide = max(len(email) for _r, email, _p in logins)
    lines += [f"  {role:<12} {email:<{wide}}  {password}" for role, email, password in logins]
    return "\n".join(lines)


def _cmd_modules_list(_args: argparse.Namespace) -> str:
    from jewelerp.core.lifecycle import module_statuses
    from jewelerp.core.models import ModuleState, Store
    from jewelerp.db import read_session

    with read_session() as session:
        codes = {s.id: s.code for s in session.exec(select(Store))}
        on: dict[str, list[str]] = {}
        for row in session.exec(select(ModuleState).where(ModuleState.enabled)):
            on.setdefault(row.module, []).append(codes.get(row.store_id, "?"))
        statuses = module_statuses(session)
    lines = []
    for status in statuses:
        module = status.module
        stores = "all stores (platform)" if module.core else (", ".join(sorted(on.get(module.name, []))) or "-")
        installed = status.installed_version or "-"
        if not status.installed:
            state = f"not installed (jewelerp modules install {module.name})"
        elif status.upgrade_reason:
            state = f"upgrade needed: {status.upgrade_reason} (jewelerp modules upgrade {module.name})"
        else:
            state = "up to date"
        lines.append(
            f"{module.name:<16} installed: {installed:<8} available: {module.version:<8} "
            f"depends: {', '.join(module.depends) or '-':<24} enabled: {stores:<20} {state}"
        )
    return "\n".join(lines)


def _cmd_modules_install(args: argparse.Namespace) -> str:
    from jewelerp.core.lifecycle import install

    report = install(args.name)
    return (
        f"installed {args.name} {report.modules[0].after}: its tables, install data and "
        f"{report.seeded} permission(s) granted to their default roles.\n"
        f"Restart the app to show its pages, then enable it per store: "
        f"jewelerp modules enable {args.name} --store CODE"
    )


def _cmd_modules_upgrade(args: argparse.Namespace) -> str:
    from jewelerp.core.lifecycle import upgrade

    if bool(args.name) == args.all:
        raise JewelError("name one module to upgrade, or pass --all (not both)")
    report = upgrade(None if args.all else [args.name])
    lines = [
        f"{m.name} {m.before if m.before == m.after else f'{m.before} -> {m.after}'}: "
        + ("tables upgraded" if m.tables_upgraded else "tables already at head")
        for m in report.modules
    ]
    lines.append(f"{report.seeded} new permission(s) granted to their default roles; restart the app")
    return "\n".join(lines)


def _cmd_modules_uninstall(args: argparse.Namespace) -> str:
    from jewelerp.core.lifecycle import check_uninstall, uninstall

    module = check_uninstall(args.name)
    if not args.yes:
        _confirm_uninstall(module.name, module.title)
    report = uninstall(args.name)
    tables = ", ".join(report.tables) or "none"
    return (
        f"uninstalled {args.name}; backup taken first: {report.backup}\n"
        f"tables removed: {tables}; its permissions, roles, settings and per-store switches are gone. "
        "Restart the app."
    )


def _confirm_uninstall(name: str, title: str) -> None:
    """Ask for the module's name on an interactive terminal; refuse anywhere else (scripts pass --yes)."""
    if not sys.stdin.isatty():
        raise JewelError(
            f"uninstalling {name} deletes its tables and data: run it in a terminal to confirm, or pass --yes"
        )
    print(f"Uninstalling {title} deletes its tables and data (a backup is taken first).")
    if input(f"Type the module name ({name}) to confirm: ").strip() != name:
        raise JewelError(f"not confirmed; {name} was not uninstalled")


def _cmd_modules_check(_args: argparse.Namespace) -> str:
    from jewelerp.registry import RegistryError, get_registry

    try:
        registry = get_registry()
    except RegistryError as exc:
        raise JewelError(str(exc)) from None
    problems = registry.check()
    if problems:
        raise JewelError(f"{len(problems)} problem(s) in the module manifests:\n" + "\n".join(problems))
    return f"registry is sound: {len(registry.modules)} modules"


def _toggle(args: argparse.Namespace, enable: bool) -> str:
    from jewelerp.core.module_states import disable_module, enable_module
    from jewelerp.core.stores import get_store_by_code
    from jewelerp.db import unit_of_work

    with unit_of_work() as session:
        store = get_store_by_code(session, args.store)
        if enable:
            added = enable_module(session, None, args.name, store.id)
            return f"enabled in {store.code}: {', '.join(added) or 'nothing new (already enabled)'}"
        disable_module(session, None, args.name, store.id)
        return f"disabled {args.name} in {store.code}"


def _cmd_stores_create(args: argparse.Namespace) -> str:
    from jewelerp.auth.actor import Actor
    from jewelerp.core.stores import StoreInput, save_store
    from jewelerp.db import unit_of_work
    from jewelerp.errors import ValidationError

    installer = Actor(None, "command line", 0, "", "system", frozenset({"core.stores.manage"}), frozenset({"core"}))
    data = StoreInput(
        args.code,
        args.name,
        args.address,
        gstin=args.gstin,
        time_zone=args.time_zone,
        currency=args.currency,
        state_code=args.state_code,
    )
    try:
        with unit_of_work(installer) as session:
            store = save_store(session, installer, data)
            return f"created store {store.code} ({store.name}, {store.state}); id {store.id}"
    except ValidationError as exc:
        problems = (f"--{field.replace('_', '-')}: {text}" for field, text in exc.fields.items())
        raise JewelError(" ".join(problems)) from None


def _cmd_users_create(args: argparse.Namespace) -> str:
    from jewelerp.core.users import UserInput, create_user
    from jewelerp.db import unit_of_work

    password = args.password or os.environ.get("JEWELERP_PASSWORD", "")
    if not password and sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Password: ")
    if not password:
        raise JewelError("give a password with --password or JEWELERP_PASSWORD")
    roles: dict[str, str] = {}
    for spec in args.role:
        store, sep, role = spec.partition(":")
        if not sep or not store or not role:
            raise JewelError(f"--role takes STORE:ROLE, e.g. MUM:manager (got '{spec}')")
        roles[store] = role
    with unit_of_work() as session:
        user = create_user(session, None, UserInput(args.name, args.email, args.phone), password, roles)
        return f"created user {user.email} (id {user.id})"


def _cmd_jobs_list(_args: argparse.Namespace) -> str:
    from jewelerp.registry import get_registry

    jobs = get_registry().jobs()
    if not jobs:
        return "no jobs are declared by the installed modules"
    return "\n".join(f"{job.id:<36} {job.cron:<16} {module.name:<14} {job.title}" for module, job in jobs)


def _cmd_jobs_run(args: argparse.Namespace) -> str:
    from jewelerp.registry import get_registry
    from jewelerp.scheduler import run_job

    try:
        get_registry().job(args.name)
    except KeyError as exc:
        raise JewelError(f"{exc.args[0]}; see 'jewelerp jobs list'") from None
    run = run_job(args.name, trigger="cli")
    if run is None:
        raise JewelError(f"{args.name} is running elsewhere right now; try again later")
    if run.status != "ok":
        raise JewelError(f"{args.name} failed: {run.error.splitlines()[0]}")
    return f"{args.name} ran for: {run.stores or 'no store (module not enabled anywhere)'}"


def _cmd_events_retry(args: argparse.Namespace) -> str:
    from jewelerp.core.event_deliveries import retry_failed

    count = retry_failed(args.ids)
    if not count:
        wanted = f"with id {', '.join(map(str, args.ids))}" if args.ids else "to retry"
        raise JewelError(f"no failed event delivery {wanted}")
    return f"{count} failed event deliveries will be tried again within a minute (job core.event_deliveries)"


def _cmd_serve(args: argparse.Namespace) -> str:
    from jewelerp.serve import serve, serve_dev

    if args.workers < 1:
        raise JewelError("--workers takes a whole number from 1")
    if args.dev:
        serve_dev(args.port, args.backend_port)
    else:
        serve(args.host, args.port, args.workers)
    return "stopped"


def _cmd_backup(args: argparse.Namespace) -> str:
    from jewelerp.backup import backup

    return f"backup written to {backup(Path(args.file))}"


def _cmd_restore(args: argparse.Namespace) -> str:
    from jewelerp.backup import restore

    saved = restore(Path(args.file))
    kept = f"; the database it replaced is saved as {saved}" if saved else ""
    return f"database restored from {args.file}{kept}"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="jewelerp", description="JewelERP administration")
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="migrate installed modules, load install data").set_defaults(func=_cmd_db_upgrade)
    rev = db.add_parser("revision", help="write a new migration into a module's migrations folder")
    rev.add_argument("--module", required=True, help="module name, e.g. engraving")
    rev.add_argument("-m", "--message", required=True, help="what the revision changes")
    rev.add_argument("--autogenerate", action="store_true", help="compare the module's models with the database")
    rev.set_defaults(func=_cmd_db_revision)
    serve = sub.add_parser("serve", help="run the app: the production build on one port (built when code changed)")
    serve.add_argument("--port", type=int, default=3000, help="the one port of the app (default 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="the address to listen on (default every address)")
    serve.add_argument("--workers", type=int, default=1, help="backend worker processes (more than 1 needs Redis)")
    serve.add_argument("--dev", action="store_true", help="Reflex's dev server with hot reload instead")
    serve.add_argument("--backend-port", type=int, default=8000, help="with --dev: the backend's port (default 8000)")
    serve.set_defaults(func=_cmd_serve)
    demo = sub.add_parser("demo", help="load demo data (idempotent)")
    demo.add_argument("--force", action="store_true", help="load it even beside real (non-demo) records")
    demo.set_defaults(func=_cmd_demo)
    modules = sub.add_parser("modules", help="modules").add_subparsers(dest="action", required=True)
    modules.add_parser("list", help="modules in dependency order").set_defaults(func=_cmd_modules_list)
    modules.add_parser("check", help="check every manifest (paths, tables, events, extension points)").set_defaults(
        func=_cmd_modules_check
    )
    install = modules.add_parser("install", help="install a module: its tables, install data and permissions")
    install.add_argument("name")
    install.set_defaults(func=_cmd_modules_install)
    upgrade = modules.add_parser("upgrade", help="upgrade an installed module (or --all) to its code's version")
    upgrade.add_argument("name", nargs="?")
    upgrade.add_argument("--all", action="store_true", help="every installed module")
    upgrade.set_defaults(func=_cmd_modules_upgrade)
    uninstall = modules.add_parser("uninstall", help="back up, then remove a module's tables and records")
    uninstall.add_argument("name")
    uninstall.add_argument("--yes", action="store_true", help="do not ask to type the name (scripts)")
    uninstall.set_defaults(func=_cmd_modules_uninstall)
    for action, enable in (("enable", True), ("disable", False)):
        p = modules.add_parser(action, help=f"{action} a module in a store")
        p.add_argument("name")
        p.add_argument("--store", required=True, help="store code, e.g. MUM")
        p.set_defaults(func=lambda a, e=enable: _toggle(a, e))
    stores = sub.add_parser("stores", help="stores and branches").add_subparsers(dest="action", required=True)
    store = stores.add_parser("create", help="create a store (a fresh install's first one)")
    store.add_argument("code", help="2 to 8 letters or digits, e.g. MUM")
    store.add_argument("--name", required=True)
    store.add_argument("--address", default="")
    store.add_argument("--state-code", required=True, help="the GST state code, e.g. 27 for Maharashtra")
    store.add_argument("--gstin", default="")
    store.add_argument("--time-zone", default="Asia/Kolkata")
    store.add_argument("--currency", default="INR")
    store.set_defaults(func=_cmd_stores_create)
    users = sub.add_parser("users", help="staff accounts").add_subparsers(dest="action", required=True)
    create = users.add_parser("create", help="create a staff account")
    create.add_argument("email")
    create.add_argument("--name", required=True)
    create.add_argument("--phone", default="")
    create.add_argument("--password", help="or set JEWELERP_PASSWORD")
    create.add_argument("--role", action="append", default=[], metavar="STORE:ROLE")
    create.set_defaults(func=_cmd_users_create)
    jobs = sub.add_parser("jobs", help="scheduled jobs").add_subparsers(dest="action", required=True)
    jobs.add_parser("list").set_defaults(func=_cmd_jobs_list)
    run = jobs.add_parser("run", help="run a job now")
    run.add_argument("name")
    run.set_defaults(func=_cmd_jobs_run)
    events = sub.add_parser("events", help="after-commit event deliveries").add_subparsers(dest="action", required=True)
    retry = events.add_parser("retry", help="try failed deliveries again (all, or the ids given)")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID")
    retry.set_defaults(func=_cmd_events_retry)
    b = sub.add_parser("backup", help="signed online backup of the database (SQLite file or PostgreSQL pg_dump)")
    b.add_argument("file")
    b.set_defaults(func=_cmd_backup)
    r = sub.add_parser("restore", help="check and restore a backup made by 'jewelerp backup' (the app stopped)")
    r.add_argument("file")
    r.set_defaults(func=_cmd_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; print its result, or one error line and return 1."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        print(args.func(args))
    except JewelError as exc:
        print(f"jewelerp: error: {exc.message}", file=sys.stderr)
        return 1
    except Exception as exc:  # any other failure still gets one clear line
        line = database_problem(exc) or f"{type(exc).__name__}: {exc}"
        print(f"jewelerp: error: {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
