"""Installing, upgrading and uninstalling a module: a sample add-on written into tmp_path goes through the whole
lifecycle with the ``jewelerp`` command; refusals and faults are one line and change nothing."""

from __future__ import annotations

import shutil
import sqlite3
import sys
import textwrap
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from jewelerp import PROJECT_ROOT, migrations
from jewelerp.cli import main
from jewelerp.db import reset_engine
from jewelerp.registry import (
    Job,
    Module,
    Permission,
    Registry,
    Role,
    Setting,
    discover,
    discover_packages,
    set_registry,
)

MODEL = """
    from sqlmodel import Field, Session, SQLModel


    class Style(SQLModel, table=True):
        __tablename__ = "monogram_style"

        code: str = Field(primary_key=True, max_length=20)
        name: str = Field(max_length=60)


    def load(session: Session) -> None:
        if session.get(Style, "SCRIPT") is None:
            session.add(Style(code="SCRIPT", name="Copperplate script"))


    def broken(session: Session) -> None:
        raise RuntimeError("style catalogue unreadable")
"""
FIRST = """
    import sqlalchemy as sa
    from alembic import op

    revision = "monogram_0001"
    down_revision = None
    branch_labels = ("monogram",)
    depends_on = ("stock",)


    def upgrade():
        op.create_table(
            "monogram_style", sa.Column("code", sa.String(20), primary_key=True), sa.Column("name", sa.String(60))
        )


    def downgrade():
        op.drop_table("monogram_style")
"""
SECOND = """
    import sqlalchemy as sa
    from alembic import op

    revision = "monogram_0002"
    down_revision = "monogram_0001"
    branch_labels = None
    depends_on = None


    def upgrade():
        op.add_column("monogram_style", sa.Column("font", sa.String(40), nullable=True))


    def downgrade():
        with op.batch_alter_table("monogram_style") as batch:
            batch.drop_column("font")
"""
FAILING = FIRST.replace(
    "    def upgrade():\n",
    "    def upgrade():\n        op.execute('CREATE TABLE monogram_half (id INTEGER)')\n"
    "        raise RuntimeError('disk on fire')\n",
)
MONOGRAM = Module(
    name="monogram",
    title="Monogram",
    version="0.1.0",
    summary="Initials engraved on a piece.",
    depends=("stock",),
    models=("monogram_pkg.models",),
    package="monogram_pkg",
    install_data="monogram_pkg.models:load",
    permissions=(Permission("monogram.style.edit", "Edit monogram styles", ("sales", "monogram.artist")),),
    roles=(Role("monogram.artist", "Monogram artist"),),
    settings=(Setting("monogram.max_letters", "Letters at most", 3),),
    jobs=(Job("monogram.nightly", "0 2 * * *", "monogram_pkg.models:load", "Nightly styles"),),
)
# Each test imports its own copy of the add-on's model class under the same name, as a restarted app would.
pytestmark = pytest.mark.filterwarnings(
    "ignore:This declarative base already contains a class:sqlalchemy.exc.SAWarning"
)
GOLD = Module("monogram_gold", "Gold monograms", "0.1.0", "Needs monogram.", depends=("monogram",))


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file after ``jewelerp db upgrade`` on the built-in modules (copied for each test)."""
    template = tmp_path_factory.mktemp("template") / "app.db"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("JEWELERP_DB_URL", f"sqlite:///{template}")
        reset_engine()
        assert main(["db", "upgrade"]) == 0
        reset_engine()
    return template


@pytest.fixture
def app_db(upgraded, tmp_path, monkeypatch) -> Iterator[Path]:
    database = tmp_path / "app.db"
    shutil.copy(upgraded, database)
    monkeypatch.setenv("JEWELERP_DB_URL", f"sqlite:///{database}")
    reset_engine()
    yield database
    reset_engine()


@pytest.fixture
def addon(tmp_path, monkeypatch, registry) -> Iterator[Callable[..., Path]]:
    """``addon(revisions, *modules)`` writes ``monogram_pkg`` (model, install data, migrations) into tmp_path
    and makes the registry the built-in modules plus ``modules`` (default: the monogram manifest)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    package = tmp_path / "monogram_pkg"

    def write(revisions: dict[str, str], *modules: Module) -> Path:
        (package / "migrations").mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
        (package / "models.py").write_text(textwrap.dedent(MODEL))
        for name, source in revisions.items():
            (package / "migrations" / name).write_text(textwrap.dedent(source))
        set_registry(Registry([*discover().modules, *(modules or (MONOGRAM,))]))
        return package

    yield write
    if "monogram_style" in SQLModel.metadata.tables:
        SQLModel.metadata.remove(SQLModel.metadata.tables["monogram_style"])
    for imported in [m for m in sys.modules if m.split(".")[0] == "monogram_pkg"]:
        del sys.modules[imported]


def _query(database: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute(sql, args).fetchall()
    conn.close()
    return rows


def _tables(database: Path) -> list[str]:
    return [r[0] for r in _query(database, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def _everything(database: Path) -> dict[str, object]:
    """Schema (tables, indexes, triggers) and every row of every ordinary table."""
    schema = _query(database, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
    plain = _query(database, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
    return {"schema": schema, **{t: sorted(_query(database, f"SELECT * FROM {t}"), key=repr) for (t,) in plain}}


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def _open_store(capsys) -> None:
    assert _run(capsys, "stores", "create", "PUN", "--name", "FC Road", "--state-code", "27")[0] == 0


def _granted(database: Path, permission: str) -> set[str]:
    sql = "SELECT r.code FROM core_role_permission p JOIN core_role r ON r.id = p.role_id WHERE p.permission = ?"
    return {r[0] for r in _query(database, sql, permission)}


def test_install_builds_the_tables_grants_the_permission_and_records_the_version(app_db, addon, capsys):
    addon({"monogram_0001.py": FIRST})
    before = _tables(app_db)
    code, out, err = _run(capsys, "modules", "install", "monogram")
    assert code == 0, err
    assert "installed monogram 0.1.0" in out and "Restart the app to show its pages" in out
    assert set(_tables(app_db)) - set(before) == {"monogram_style"}
    assert _query(app_db, "SELECT code FROM monogram_style") == [("SCRIPT",)]  # its install data
    assert _granted(app_db, "monogram.style.edit") == {"admin", "sales", "monogram.artist"}
    assert _query(app_db, "SELECT version FROM core_installed_module WHERE name = 'monogram'") == [("0.1.0",)]
    assert "monogram_0001" in {r[0] for r in _query(app_db, "SELECT version_num FROM alembic_version")}
    _open_store(capsys)
    assert _run(capsys, "modules", "enable", "monogram", "--store", "PUN")[:2] == (0, "enabled in PUN: stock, monogram")
    listing = _run(capsys, "modules", "list")[1].splitlines()
    (line,) = [row for row in listing if row.startswith("monogram ")]
    assert "installed: 0.1.0" in line and line.endswith("up to date") and "enabled: PUN" in line


def test_db_upgrade_leaves_an_add_on_available_but_not_installed(app_db, addon, capsys):
    addon({"monogram_0001.py": FIRST})
    _query(app_db, "DELETE FROM core_installed_module WHERE name = 'billing'")  # as a database of before had none
    assert _run(capsys, "db", "upgrade")[0] == 0
    assert "monogram_style" not in _tables(app_db)
    assert ("billing",) in _query(app_db, "SELECT name FROM core_installed_module")
    (line,) = [row for row in _run(capsys, "modules", "list")[1].splitlines() if row.startswith("monogram ")]
    assert "installed: -" in line and line.endswith("not installed (jewelerp modules install monogram)")
    _open_store(capsys)
    assert _run(capsys, "modules", "enable", "monogram", "--store", "PUN")[2] == (
        "jewelerp: error: Monogram is not installed: run jewelerp modules install monogram"
    )


def test_install_refuses_unknown_installed_and_modules_whose_dependencies_are_missing(app_db, addon, capsys):
    addon({"monogram_0001.py": FIRST}, MONOGRAM, GOLD)
    for args, error in (
        (("nosuch",), "unknown module 'nosuch' (see 'jewelerp modules list')"),
        (("monogram_gold",), "module 'monogram_gold' needs monogram installed first: run 'jewelerp modules install "),
        (("stock",), "module 'stock' is already installed (version 0.1.0); to bring it up to date run 'jewelerp "),
    ):
        code, _out, err = _run(capsys, "modules", "install", *args)
        assert code == 1 and len(err.splitlines()) == 1 and err.startswith(f"jewelerp: error: {error}")


@pytest.mark.parametrize(
    ("revision", "manifest", "error"),
    [
        (FAILING, MONOGRAM, "module 'monogram': migration failed: RuntimeError: disk on fire; nothing was installed"),
        (
            FIRST,
            Module(**{**vars(MONOGRAM), "install_data": "monogram_pkg.models:broken"}),
            "module 'monogram': install_data 'monogram_pkg.models:broken' failed: RuntimeError: style catalogue "
            "unreadable; nothing was installed",
        ),
    ],
    ids=["migration", "install data"],
)
def test_a_failing_step_of_an_install_leaves_the_database_as_it_was(app_db, addon, capsys, revision, manifest, error):
    addon({"monogram_0001.py": revision}, manifest)
    before = _everything(app_db)
    assert _run(capsys, "modules", "install", "monogram")[1:] == ("", f"jewelerp: error: {error}")
    assert _everything(app_db) == before


def test_upgrade_runs_the_new_revision_and_records_the_version(app_db, addon, capsys):
    package = addon({"monogram_0001.py": FIRST})
    assert _run(capsys, "modules", "install", "monogram")[0] == 0
    _open_store(capsys)
    addon({"monogram_0002.py": SECOND}, Module(**{**vars(MONOGRAM), "version": "0.2.0"}))
    assert (package / "migrations" / "monogram_0002.py").exists()
    (line,) = [row for row in _run(capsys, "modules", "list")[1].splitlines() if row.startswith("monogram ")]
    assert line.split()[:5] == ["monogram", "installed:", "0.1.0", "available:", "0.2.0"]
    assert line.endswith(
        "upgrade needed: Monogram's database tables are behind its code (jewelerp modules upgrade monogram)"
    )
    assert _run(capsys, "modules", "enable", "monogram", "--store", "PUN")[2] == (
        "jewelerp: error: Monogram's database tables are behind its code: run jewelerp modules upgrade monogram"
    )
    code, out, err = _run(capsys, "modules", "upgrade", "monogram")
    assert code == 0, err
    assert "monogram 0.1.0 -> 0.2.0: tables upgraded" in out.splitlines()
    assert "font" in {r[1] for r in _query(app_db, "PRAGMA table_info(monogram_style)")}
    assert _query(app_db, "SELECT code FROM monogram_style") == [("SCRIPT",)]  # install data again, nothing doubled
    (record,) = _query(app_db, "SELECT version, upgraded_at FROM core_installed_module WHERE name = 'monogram'")
    assert record[0] == "0.2.0" and record[1] is not None
    assert _run(capsys, "modules", "enable", "monogram", "--store", "PUN")[0] == 0


def test_uninstall_is_refused_for_the_platform_a_needed_module_and_without_confirmation(
    app_db, addon, capsys, monkeypatch
):
    addon({"monogram_0001.py": FIRST}, MONOGRAM, GOLD)
    assert _run(capsys, "modules", "install", "monogram")[0] == 0
    assert _run(capsys, "modules", "install", "monogram_gold")[0] == 0
    before = _everything(app_db)
    for args, error in (
        (("core", "--yes"), "module 'core' is the platform and cannot be uninstalled"),
        (
            ("monogram", "--yes"),
            "module 'monogram' is needed by the installed module(s) monogram_gold: uninstall them first",
        ),
        (
            ("monogram_gold",),
            "uninstalling monogram_gold deletes its tables and data: run it in a terminal to confirm, or pass --yes",
        ),
    ):
        assert _run(capsys, "modules", "uninstall", *args)[2] == f"jewelerp: error: {error}"
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _prompt: "monogram")  # the wrong module's name
    assert _run(capsys, "modules", "uninstall", "monogram_gold")[2] == (
        "jewelerp: error: not confirmed; monogram_gold was not uninstalled"
    )
    assert _everything(app_db) == before
    assert not (app_db.parent / "backups").exists()  # refused before the backup
    monkeypatch.setattr("builtins.input", lambda _prompt: "monogram_gold")
    assert _run(capsys, "modules", "uninstall", "monogram_gold")[0] == 0
    assert _run(capsys, "modules", "uninstall", "monogram", "--yes")[0] == 0


def test_uninstall_backs_up_then_removes_the_tables_and_every_row_of_the_module(app_db, addon, capsys):
    addon({"monogram_0001.py": FIRST, "monogram_0002.py": SECOND})
    tables, versions = _tables(app_db), _query(app_db, "SELECT version_num FROM alembic_version ORDER BY 1")
    assert _run(capsys, "modules", "install", "monogram")[0] == 0
    _open_store(capsys)
    assert _run(capsys, "modules", "enable", "monogram", "--store", "PUN")[0] == 0
    with sqlite3.connect(app_db) as conn:
        conn.execute("INSERT INTO core_store_setting VALUES (1, 'monogram.max_letters', '4')")
        conn.execute(
            "INSERT INTO core_job_run (job_id, trigger, started_at, status, stores, error) "
            "VALUES ('monogram.nightly', 'cli', '2026-05-01', 'ok', 'PUN', '')"
        )
        conn.execute(
            "INSERT INTO core_job_lease (job_id, holder, expires_at) "
            "VALUES ('monogram.nightly', 'worker-1', '2026-05-01')"
        )
        conn.execute(
            "INSERT INTO core_event_delivery (record, event, payload, module, handler, store_id, status, attempts, "
            "next_attempt_at, last_error, created_at) VALUES ('billing.invoice', 'issued', '{}', 'monogram', "
            "'monogram_pkg.models:load', 1, 'pending', 0, '2026-05-01', '', '2026-05-01')"
        )
        conn.execute(
            "INSERT INTO core_user (name, email, phone, active, password_hash, created_at) "
            "VALUES ('Asha', 'asha@shop.in', '', 1, '', '2026-05-01')"
        )
        conn.execute(
            "INSERT INTO core_user_store_role VALUES (1, 1, (SELECT id FROM core_role WHERE code = 'monogram.artist'))"
        )
    conn.close()
    assert _run(capsys, "modules", "uninstall", "monogram", "--yes")[2] == (
        "jewelerp: error: module 'monogram': staff still hold its role(s) monogram.artist (1 in all): give them "
        "another role first"
    )
    _query(app_db, "DELETE FROM core_user_store_role")
    code, out, err = _run(capsys, "modules", "uninstall", "monogram", "--yes")
    assert code == 0, err
    backup = Path(out.splitlines()[0].split("backup taken first: ")[1])
    assert backup.parent == app_db.parent / "backups" and "monogram_style" in _backed_up_tables(backup)
    assert "tables removed: monogram_style" in out
    assert _tables(app_db) == tables
    assert _query(app_db, "SELECT version_num FROM alembic_version ORDER BY 1") == versions
    for table, column in (
        ("core_role_permission", "permission"),
        ("core_permission_seed", "permission"),
        ("core_role", "code"),
        ("core_store_setting", "key"),
        ("core_job_run", "job_id"),
        ("core_job_lease", "job_id"),
    ):
        assert _query(app_db, f"SELECT * FROM {table} WHERE {column} LIKE 'monogram.%'") == [], table
    for table, column in (("core_module_state", "module"), ("core_event_delivery", "module")):
        assert _query(app_db, f"SELECT * FROM {table} WHERE {column} = 'monogram'") == [], table
    assert _query(app_db, "SELECT * FROM core_installed_module WHERE name = 'monogram'") == []
    assert _query(
        app_db,
        "SELECT action FROM core_audit_log WHERE record_type = 'core_installed_module' AND record_id = "
        "'monogram' ORDER BY id",
    ) == [("create",), ("delete",)]
    (line,) = [row for row in _run(capsys, "modules", "list")[1].splitlines() if row.startswith("monogram ")]
    assert line.endswith("not installed (jewelerp modules install monogram)")


def _backed_up_tables(backup: Path) -> set[str]:
    with zipfile.ZipFile(backup) as archive:
        copy = backup.with_suffix(".db")
        copy.write_bytes(archive.read("jewelerp.db"))
    return set(_tables(copy))


def test_every_built_in_module_uninstalls_down_to_the_platform_tables(app_db, capsys):
    core = [t for t in _tables(app_db) if migrations.table_owner(t) == "core" or t == "alembic_version"]
    built_in = {m.name for m in discover_packages(PROJECT_ROOT / "modules")}  # not an add-on pip installed beside
    for name in reversed([m.name for m in discover().toggleable() if m.name in built_in]):  # what needs one first
        code, _out, err = _run(capsys, "modules", "uninstall", name, "--yes")
        assert code == 0, err
    assert _tables(app_db) == core  # search tables too
    assert _query(app_db, "SELECT name FROM sqlite_master WHERE type = 'trigger'") == []
    assert _query(app_db, "SELECT name FROM core_installed_module") == [("core",)]


def test_stores_create_makes_a_fresh_installs_first_store_and_refuses_bad_input(app_db, capsys):
    code, out, _err = _run(
        capsys, "stores", "create", "pun", "--name", "FC Road", "--address", "12 FC Road", "--state-code", "27"
    )
    assert (code, out) == (0, "created store PUN (FC Road, Maharashtra); id 1")
    code, _out, err = _run(capsys, "stores", "create", "PUN", "--name", " ", "--state-code", "00")
    assert code == 1 and err == (
        "jewelerp: error: --code: Store code PUN is already used by FC Road. --name: Enter the store's name. "
        "--state-code: Choose the state the store is in (it decides CGST + SGST or IGST)."
    )
    assert _query(app_db, "SELECT code FROM core_store") == [("PUN",)]
    assert _query(app_db, "SELECT user_name, action FROM core_audit_log WHERE record_type = 'core_store'") == [
        ("command line", "create")
    ]
