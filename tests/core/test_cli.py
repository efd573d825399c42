"""The jewelerp command: real subprocess runs against a temporary database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jewelerp import PROJECT_ROOT

pytestmark = pytest.mark.sqlite_only  # a SQLite file of its own whatever the suite's database


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "JEWELERP_DB_URL": f"sqlite:///{folder / 'cli.db'}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jewelerp.cli", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=300,  # the demo takes a minute on an idle machine; the suite runs this beside the browser tests
        )

    run.folder = folder  # type: ignore[attr-defined]
    assert run("db", "upgrade").returncode == 0
    demo = run("demo")
    assert demo.returncode == 0, demo.stderr
    assert "manager@demo.jewelerp.in" in demo.stdout
    return run


def test_demo_is_idempotent_and_modules_list_in_order(cli):
    assert cli("demo").returncode == 0
    listing = cli("modules", "list")
    assert listing.returncode == 0
    assert listing.stdout.splitlines()[0].startswith("core")


def test_bad_arguments_are_one_clear_line(cli):
    for args, message in (
        (("modules", "enable", "nope", "--store", "MUM"), "Unknown module 'nope'"),
        (("modules", "enable", "core", "--store", "XYZ"), "No store with code 'XYZ'"),
        (("jobs", "run", "nothing.here"), "no job named 'nothing.here'"),
        (
            ("users", "create", "x@y.in", "--name", "X", "--password", "short", "--role", "MUM:sales"),
            "Use at least 8 characters",
        ),
        (
            ("users", "create", "x@y.in", "--name", "X", "--password", "long-enough-1", "--role", "MUM"),
            "--role takes STORE:ROLE",
        ),
    ):
        result = cli(*args)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], result.stderr


def test_users_create_then_duplicate_is_refused(cli):
    ok = cli(
        "users",
        "create",
        "karan@demo.jewelerp.in",
        "--name",
        "Karan",
        "--password",
        "karan-pass-1",
        "--role",
        "DEL:sales",
    )
    assert ok.returncode == 0 and "created user karan@demo.jewelerp.in" in ok.stdout
    again = cli("users", "create", "karan@demo.jewelerp.in", "--name", "K", "--password", "karan-pass-1")
    assert again.returncode == 1 and "Another account already uses this email" in again.stderr


def test_backup_and_restore_round_trip_and_refuse_foreign_files(cli):
    folder: Path = cli.folder
    backup = folder / "nightly.jbak"
    assert cli("backup", str(backup)).returncode == 0
    assert (
        cli("users", "create", "late@demo.jewelerp.in", "--name", "Late", "--password", "late-pass-11").returncode == 0
    )
    restored = cli("restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "the database it replaced is saved as" in restored.stdout
    again = cli("users", "create", "late@demo.jewelerp.in", "--name", "Late", "--password", "late-pass-11")
    assert again.returncode == 0, "the user created after the backup is gone after restore"

    junk = folder / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 10)
    foreign = folder / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("create table t(x)")
    for path, message in (
        (junk, "not a JewelERP backup"),
        (foreign, "not a JewelERP backup"),
        (folder / "missing.db", "does not exist"),
    ):
        result = cli("restore", str(path))
        assert result.returncode == 1 and message in result.stderr
    untouched = cli("users", "create", "late@demo.jewelerp.in", "--name", "L", "--password", "late-pass-11")
    assert "Another account already uses this email" in untouched.stderr, "a refused restore changed the database"
