"""Per-module migration branches: leaving the legacy history, new revisions per module, faults that change nothing."""

from __future__ import annotations

import re
import shutil
import sqlite3
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from jewelerp import migrations
from jewelerp.cli import main
from jewelerp.db import reset_engine
from jewelerp.registry import Module, Registry, discover, set_registry

VALUES_BY_TYPE = {"INTEGER": 7, "BIGINT": 700, "BOOLEAN": 1, "DATE": "2026-05-01", "DATETIME": "2026-05-01 10:00:00"}


def _use(monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    monkeypatch.setenv("JEWELERP_DB_URL", f"sqlite:///{database}")
    reset_engine()


@pytest.fixture(scope="module")
def legacy_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database built by the frozen legacy history up to its head, as databases in use today are."""
    database = tmp_path_factory.mktemp("legacy") / "legacy.db"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _use(monkeypatch, database)
        migrations.upgrade_legacy()
    reset_engine()
    yield database


def _insert(conn: sqlite3.Connection, table: str, **given: object) -> None:
    """One row of ``table``: ``given`` values, 1 for required references, a sample of the type otherwise."""
    references = {row[3] for row in conn.execute(f"PRAGMA foreign_key_list({table})")}
    values = dict(given)
    for _cid, name, declared, not_null, default, pk in conn.execute(f"PRAGMA table_info({table})"):
        if name in values or pk or not not_null or default is not None:
            continue
        values[name] = 1 if name in references else VALUES_BY_TYPE.get(declared.split("(")[0], f"{table}.{name}")
    columns = ", ".join(values)
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(values))})", list(values.values()))


def _add_business_rows(database: Path) -> None:
    """A store, a user, a customer, a piece and an issued invoice for it, as the old version's tables hold them."""
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        _insert(conn, "core_store", code="MUM", name="Mumbai", state="Maharashtra", state_code="27")
        _insert(conn, "core_user", email="owner@test.in", name="Owner")
        _insert(conn, "clienteling_customer", name="Priya Shah", phone="+919876543210", store_id=1)
        _insert(conn, "stock_metal", metal="gold", purity="22K", fineness=916)
        _insert(conn, "stock_category", code="RING", name="Rings")
        _insert(conn, "stock_piece", sku="MUM-R-1", huid="AB12CD", description="Bridal ring", status="sold")
        _insert(conn, "billing_invoice", number="MUM/2026/1", status="issued", customer_id=1, customer_name="Priya")
        _insert(conn, "billing_invoice_line", invoice_id=1, piece_id=1, kind="piece", tax_class="JEWELLERY")
    conn.close()


def _schema_text(database: Path) -> list[tuple[str, str, str]]:
    """Every table, index, trigger and view as SQLite stores it (whitespace normalised), version table aside."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name <> 'alembic_version' ORDER BY type, name"
        ).fetchall()
    conn.close()
    return [(kind, name, re.sub(r"\s+", " ", sql or "")) for kind, name, sql in rows]


def _kept(kind: str, before: str, after: str) -> bool:
    """Whether an object's SQL is as it was; a table's may have gained columns a later revision added (SQLite's
    ADD COLUMN writes them into the CREATE TABLE text at one place), which the structures compared below check."""
    if after == before:
        return True
    head = next((i for i, (was, now) in enumerate(zip(before, after, strict=False)) if was != now), len(before))
    return kind == "table" and len(after) > len(before) and after.endswith(before[head:])


def _rows(database: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(database) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
                "AND name <> 'alembic_version'"
            )
        ]
        rows = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    conn.close()
    return rows


def _versions(database: Path) -> set[str]:
    with sqlite3.connect(database) as conn:
        versions = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    conn.close()
    return versions


def _index_text(index: dict) -> str:
    """An index as text, a partial index's WHERE clause as its SQL (not the clause object's address)."""
    options = {key: str(value) for key, value in index.get("dialect_options", {}).items()}
    return repr({**index, "dialect_options": options})


def _structure(database: Path) -> dict[str, object]:
    """Table by table: columns, keys, constraints and indexes as SQLAlchemy reads them; plus the triggers and
    search tables' SQL. Order-insensitive."""
    engine = create_engine(f"sqlite:///{database}")
    found = inspect(engine)
    structure: dict[str, object] = {}
    for table in found.get_table_names():
        if table == "alembic_version" or "_fts" in table:
            continue
        structure[table] = {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"], c["default"]) for c in found.get_columns(table)
            ),
            "primary key": found.get_pk_constraint(table),
            "foreign keys": sorted(map(repr, found.get_foreign_keys(table))),
            "unique": sorted(map(repr, found.get_unique_constraints(table))),
            "indexes": sorted(map(_index_text, found.get_indexes(table))),
            "checks": sorted(map(repr, found.get_check_constraints(table))),
        }
    engine.dispose()
    structure["triggers and search tables"] = [
        row for row in _schema_text(database) if row[0] == "trigger" or "_fts" in row[1]
    ]
    return structure


def test_a_legacy_database_moves_onto_the_branches_unchanged(legacy_file, tmp_path, monkeypatch, capsys):
    database = tmp_path / "in_use.db"
    shutil.copy(legacy_file, database)
    _add_business_rows(database)
    schema, rows = _schema_text(database), _rows(database)
    _use(monkeypatch, database)
    assert main(["db", "upgrade"]) == 0, capsys.readouterr().err
    upgraded = {(kind, name): sql for kind, name, sql in _schema_text(database)}
    for kind, name, sql in schema:  # every table, index and trigger it had, untouched
        assert _kept(kind, sql, upgraded.get((kind, name), "")), name
    fresh = tmp_path / "fresh.db"
    _use(monkeypatch, fresh)
    assert main(["db", "upgrade"]) == 0, capsys.readouterr().err
    assert _structure(database) == _structure(fresh)  # and what later revisions add, as a new database has it
    _use(monkeypatch, database)
    after = _rows(database)
    for table, before in rows.items():  # permissions and install data may be added; nothing there is changed
        width = len(before[0]) if before else 0  # columns a later revision added come last
        assert set(before) <= {row[:width] for row in after[table]}, f"rows of {table} changed"
    assert _versions(database) == _versions(fresh)
    migrations.check()
    reset_engine()


def test_the_baselines_build_exactly_the_legacy_schema(legacy_file, tmp_path, monkeypatch):
    database = tmp_path / "fresh.db"
    _use(monkeypatch, database)
    baselines = migrations.baseline_revisions()
    for revision in sorted(baselines):
        command.upgrade(migrations.alembic_config(), revision)
    assert _structure(database) == _structure(legacy_file)
    assert _versions(database) == baselines
    reset_engine()


# -- sample add-on modules written into tmp_path ---------------------------------------------------------------------


@pytest.fixture
def addons(tmp_path, monkeypatch, registry) -> Iterator[Callable[..., Path]]:
    """``add(name, depends, models=..., revisions={file: source})`` writes a module package and registers it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    added: list[Module] = []

    def add(name: str, depends: tuple[str, ...] = (), models: str = "", revisions: dict[str, str] | None = None):
        package = tmp_path / f"{name}_pkg"
        package.mkdir()
        (package / "__init__.py").write_text("")
        if models:
            (package / "models.py").write_text(textwrap.dedent(models))
        if revisions:
            (package / "migrations").mkdir()
            for file, source in revisions.items():
                (package / "migrations" / file).write_text(textwrap.dedent(source))
        module = Module(
            name=name,
            title=name.title(),
            version="0.1.0",
            summary="A test add-on.",
            depends=depends,
            models=(f"{name}_pkg.models",) if models else (),
            package=f"{name}_pkg",
        )
        added.append(module)
        set_registry(Registry([*discover().modules, *added]))
        return package

    yield add
    for module in added:
        for table in [t for t in SQLModel.metadata.tables.values() if t.name.startswith(f"{module.name}_")]:
            SQLModel.metadata.remove(table)
        for imported in [m for m in sys.modules if m.split(".")[0] == module.package]:
            del sys.modules[imported]


@pytest.fixture
def fresh(tmp_path, monkeypatch) -> Iterator[Path]:
    """A database at every built-in branch's head, the built-in modules recorded as installed."""
    database = tmp_path / "app.db"
    _use(monkeypatch, database)
    assert main(["db", "upgrade"]) == 0
    yield database
    reset_engine()


NOTE_MODEL = """
    from sqlmodel import Field, SQLModel


    class Note(SQLModel, table=True):
        __tablename__ = "sampletest_note"

        id: int | None = Field(default=None, primary_key=True)
        piece_id: int = Field(foreign_key="stock_piece.id", index=True)
        text: str = Field(max_length=200)
"""


def _revision(rev: str, *, down: str | None = None, labels: tuple = (), depends: tuple = (), body: str = "pass"):
    """The source of a hand-written revision file."""
    return f"""
        from alembic import op

        revision = {rev!r}
        down_revision = {down!r}
        branch_labels = {labels!r}
        depends_on = {depends!r}


        def upgrade():
            {body}


        def downgrade():
            pass
    """


def test_db_revision_starts_a_modules_branch_and_builds_on_it(addons, fresh, capsys):
    package = addons("sampletest", depends=("stock",), models=NOTE_MODEL)
    with sqlite3.connect(fresh) as conn:
        conn.execute("CREATE TABLE stock_orphan (id INTEGER PRIMARY KEY)")  # a table no model describes
    conn.close()
    assert main(["db", "revision", "--module", "sampletest", "-m", "notes", "--autogenerate"]) == 0
    (first,) = (package / "migrations").glob("*.py")
    source = first.read_text()
    assert (
        "revision: str = 'sampletest_0001'" in source
        and "branch_labels: str | Sequence[str] | None = ('sampletest',)" in source
    )
    assert "depends_on: str | Sequence[str] | None = 'stock'" in source
    touched = set(re.findall(r"(?:create_table|drop_table|batch_alter_table)\('(\w+)'", source))
    assert touched == {"sampletest_note"} and "stock_orphan" not in source, (
        "autogenerate touched another module's tables"
    )
    assert main(["db", "revision", "--module", "sampletest", "-m", "more notes"]) == 0
    second = next(p for p in (package / "migrations").glob("*.py") if p != first)
    assert "down_revision: str | Sequence[str] | None = 'sampletest_0001'" in second.read_text()
    capsys.readouterr()
    assert main(["modules", "install", "sampletest"]) == 0, capsys.readouterr().err  # an add-on: not a built-in
    assert "sampletest_note" in inspect(create_engine(f"sqlite:///{fresh}")).get_table_names()
    assert "sampletest_0002" in _versions(fresh)


def test_a_migration_failing_halfway_leaves_the_database_as_it_was(addons, fresh, capsys):
    addons(
        "sampletest",
        revisions={
            "sampletest_0001.py": _revision(
                "sampletest_0001",
                labels=("sampletest",),
                depends=("core",),
                body="op.execute('CREATE TABLE sampletest_half (id INTEGER)'); raise RuntimeError('disk on fire')",
            )
        },
    )
    _record_installed(fresh, "sampletest")  # installed, its branch behind: 'db upgrade' brings it to its head
    versions, schema = _versions(fresh), _schema_text(fresh)
    assert main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "jewelerp: error: module 'sampletest': migration failed: RuntimeError: disk on fire"
    assert _versions(fresh) == versions and _schema_text(fresh) == schema  # no sampletest_half, same versions


def test_branches_are_upgraded_after_the_branches_their_module_depends_on(addons, fresh):
    # aasample's revision reads zzsample's table and does not say depends_on: only the registry's order saves it
    addons("zzsample", revisions={"zz_1.py": _revision("zz_1", labels=("zzsample",), body=_create("zzsample_item"))})
    copy = "op.execute('CREATE TABLE aasample_copy AS SELECT * FROM zzsample_item')"
    addons("aasample", depends=("zzsample",), revisions={"aa_1.py": _revision("aa_1", labels=("aasample",), body=copy)})
    migrations.upgrade(["aasample"])  # brings what it depends on first
    assert {"zz_1", "aa_1"} <= _versions(fresh)


def _record_installed(database: Path, name: str) -> None:
    with sqlite3.connect(database) as conn:
        conn.execute(
            "INSERT INTO core_installed_module (name, version, installed_at) VALUES (?, '0.1.0', '2026-05-01 10:00')",
            [name],
        )
    conn.close()


def _create(table: str) -> str:
    return f"op.execute('CREATE TABLE {table} (id INTEGER)')"


@pytest.mark.parametrize(
    ("revision", "error"),
    [
        (
            _revision("bad_1", labels=("badsample",), depends=("nosuchmodule",), body=_create("badsample_x")),
            "module 'badsample': revision 'bad_1' (bad_1.py) depends on 'nosuchmodule', which is not installed",
        ),
        (
            _revision("bad_1", down="bad_0", body=_create("badsample_x")),
            "module 'badsample': revision 'bad_1' (bad_1.py) revises 'bad_0', which no installed module's "
            "migrations contain",
        ),
    ],
    ids=["dependency not installed", "broken down_revision"],
)
def test_a_broken_branch_is_refused_naming_its_module(addons, fresh, capsys, revision, error):
    addons("badsample", revisions={"bad_1.py": revision})
    versions, schema = _versions(fresh), _schema_text(fresh)
    assert main(["db", "upgrade"]) == 1
    assert capsys.readouterr().err.strip() == f"jewelerp: error: {error}"
    assert _versions(fresh) == versions and _schema_text(fresh) == schema


def test_db_revision_refuses_a_module_it_cannot_write_into(registry, fresh, capsys):
    set_registry(
        Registry(
            [
                *discover().modules,
                Module("nopackage", "No package", "0.1.0", "Built in a test."),
                Module("gone", "Gone", "0.1.0", "Uninstalled.", package="gone_pkg_not_here"),
            ]
        )
    )
    for name, error in (
        ("nosuch", "unknown module 'nosuch' (see 'jewelerp modules list')"),
        ("nopackage", "module 'nopackage' names no package in its manifest, so it has no migrations"),
        ("gone", "module 'gone': its package 'gone_pkg_not_here' cannot be imported"),
    ):
        assert main(["db", "revision", "--module", name, "-m", "x"]) == 1
        assert capsys.readouterr().err.strip() == f"jewelerp: error: {error}"


def test_a_table_belongs_to_the_module_with_the_longest_matching_name():
    assert migrations.table_owner("repairs_billing_link") == "repairs_billing"
    assert migrations.table_owner("repairs_job") == "repairs"
    assert migrations.table_owner("core_notification") == "core"
    assert migrations.table_owner("alembic_version") is None


def test_a_database_at_a_revision_no_installed_module_provides_is_refused(fresh, capsys):
    with sqlite3.connect(fresh) as conn:
        conn.execute("INSERT INTO alembic_version VALUES ('ghost_0001')")  # a module removed by hand
    conn.close()
    versions = _versions(fresh)
    assert main(["db", "upgrade"]) == 1
    assert "the database is at revision(s) ghost_0001, which no installed module provides" in capsys.readouterr().err
    assert _versions(fresh) == versions


def test_the_migrations_build_the_schema_the_models_describe(fresh):
    """What ``jewelerp db upgrade`` builds is what the models of the installed modules (and so the service tests'
    ``create_all``) say; an add-on available but not installed has no tables yet."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from jewelerp.registry import get_registry

    get_registry().import_models()
    with sqlite3.connect(fresh) as conn:
        installed = {name for (name,) in conn.execute("SELECT name FROM core_installed_module")}
    conn.close()

    def compared(item: object, name: str | None, kind: str, _reflected: bool, _other: object) -> bool:
        table = name if kind == "table" else getattr(getattr(item, "table", None), "name", "")
        # SQLite's FTS5 tables are made by hand in the migrations: no model describes them
        return "_fts" not in (table or "") and migrations.table_owner(table or "") in installed

    with create_engine(f"sqlite:///{fresh}").connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": compared})
        assert compare_metadata(context, SQLModel.metadata) == []
