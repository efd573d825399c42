"""The ``jewelerp`` command line. Errors are one clear line and a non-zero exit."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import select

from jewelerp.errors import JewelError


def _cmd_db_upgrade(_args: argparse.Namespace) -> str:
    from jewelerp.core.roles import sync_roles_and_permissions
    from jewelerp.core.settings import encrypt_plain_secrets
    from jewelerp.db import unit_of_work
    from jewelerp.migrations import upgrade

    upgrade()
    with unit_of_work() as session:
        seeded = sync_roles_and_permissions(session)
        encrypted = encrypt_plain_secrets(session)
    note = f"; {encrypted} secret setting(s) encrypted" if encrypted else ""
    return f"database is up to date ({seeded} new permission(s) granted to their default roles{note})"


def _cmd_demo(args: argparse.Namespace) -> str:
    from jewelerp.demo import load_demo

    logins = load_demo(force=args.force)
    lines = ["demo data ready; sign in with:"]
    lines += [f"  {role:<9} {email:<28} {password}" for role, email, password in logins]
    return "\n".join(lines)


def _cmd_modules_list(_args: argparse.Namespace) -> str:
    from jewelerp.core.models import ModuleState, Store
    from jewelerp.db import read_session
    from jewelerp.registry import get_registry

    registry = get_registry()
    with read_session() as session:
        codes = {s.id: s.code for s in session.exec(select(Store))}
        on: dict[str, list[str]] = {}
        for row in session.exec(select(ModuleState).where(ModuleState.enabled)):
            on.setdefault(row.module, []).append(codes.get(row.store_id, "?"))
    lines = []
    for module in registry.modules:
        stores = "all stores (platform)" if module.core else (", ".join(sorted(on.get(module.name, []))) or "-")
        depends = ", ".join(module.depends) or "-"
        lines.append(f"{module.name:<16} {module.version:<8} depends: {depends:<24} enabled: {stores}")
    return "\n".join(lines)


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
    db.add_parser("upgrade", help="apply migrations and seed new permissions").set_defaults(func=_cmd_db_upgrade)
    demo = sub.add_parser("demo", help="load demo data (idempotent)")
    demo.add_argument("--force", action="store_true", help="load it even beside real (non-demo) records")
    demo.set_defaults(func=_cmd_demo)
    modules = sub.add_parser("modules", help="modules").add_subparsers(dest="action", required=True)
    modules.add_parser("list", help="modules in dependency order").set_defaults(func=_cmd_modules_list)
    for action, enable in (("enable", True), ("disable", False)):
        p = modules.add_parser(action, help=f"{action} a module in a store")
        p.add_argument("name")
        p.add_argument("--store", required=True, help="store code, e.g. MUM")
        p.set_defaults(func=lambda a, e=enable: _toggle(a, e))
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
    b = sub.add_parser("backup", help="online backup of the SQLite database")
    b.add_argument("file")
    b.set_defaults(func=_cmd_backup)
    r = sub.add_parser("restore", help="restore a backup made by 'jewelerp backup'")
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
        print(f"jewelerp: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
