"""`jewelerp backup` / `jewelerp restore` on PostgreSQL: pg_dump into the signed archive, pg_restore into a scratch
database that replaces the live one only once it is checked. Run under ``python -m tests.pg_cluster``; skipped on
SQLite (tests/security/test_backup.py covers that engine)."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import URL, Connection, create_engine, make_url, text
from sqlalchemy.pool import NullPool
from sqlmodel import delete

from jewelerp import backup as backups
from jewelerp import backup_pg, keys
from jewelerp.core.models import Store
from jewelerp.db import get_engine, reset_engine, unit_of_work
from jewelerp.errors import JewelError
from jewelerp.keys import data_dir
from jewelerp.migrations import alembic_config
from tests.backup_records import add_store, refusals, store_codes
from tests.backup_records import members as archive_members

PASSWORD = "Pw-never-in-argv-7"


@pytest.fixture
def live(db: str, world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> URL:
    """The test's PostgreSQL database (stores MUM and DEL, stamped at heads); the backup key, the pre-restore
    backups and the scratch files go to a data folder in tmp_path."""
    if get_engine().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: run under python -m tests.pg_cluster")
    monkeypatch.setattr(keys, "DEFAULT_DB_PATH", tmp_path / "data" / "jewelerp.db")
    return make_url(db)


@contextmanager
def _server(live: URL, autocommit: bool = False) -> Iterator[Connection]:
    """A connection to the maintenance database of the test server (no pool: nothing stays connected); with
    ``autocommit`` for CREATE and DROP DATABASE."""
    engine = create_engine(live.set(database="postgres"), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if autocommit:
                connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection
    finally:
        engine.dispose()


def _leftovers(live: URL) -> list[str]:
    """Databases named after the live one (``<live>_restore_...``, ``<live>_replaced_...``) still on the server."""
    with _server(live) as connection:
        names = connection.scalars(text("SELECT datname FROM pg_database")).all()
    return sorted(name for name in names if name.startswith(f"{live.database}_"))


def _sessions(live: URL) -> int:
    with _server(live) as connection:
        return connection.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"), {"name": live.database}
        )


def _signed(target: Path, engine: str, database: Path, schema: tuple[str, ...]) -> Path:
    """``database`` packed as a backup of ``engine`` signed with the installation's real key."""
    backups.write_backup(target, backups.manifest_of(engine, schema, database), database)
    return target


def _assert_refused(source: Path, live: URL, reason: str) -> None:
    """Restoring ``source`` is refused with ``reason``, noted in the audit log, and changes nothing."""
    before, noted = store_codes(), len(refusals())
    reset_engine()
    with pytest.raises(JewelError, match=reason):
        backups.restore(source)
    assert store_codes() == before, "a refused restore changed the live database"
    assert _leftovers(live) == [], "a refused restore left a scratch database behind"
    assert len(refusals()) == noted + 1 and source.name in refusals()[-1].changes
    assert not list((data_dir() / backups.PRE_RESTORE_FOLDER).glob("*.jbak")), "nothing was replaced to save"


def test_a_backup_round_trips_and_the_replaced_database_is_kept(live, tmp_path):
    add_store("GOA")
    target = backups.backup(tmp_path / "nightly.jbak")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600, "a backup holds every record: only its owner may read it"
    members = archive_members(target)
    assert sorted(members) == sorted((backups.MANIFEST, backups.SIGNATURE, backups.PG_DUMP))
    manifest = backups.Manifest.from_bytes(members[backups.MANIFEST])
    assert manifest.engine == "postgresql" and manifest.schema == backup_pg.schema_of(live) != ()
    assert not list(tmp_path.glob(".jewelerp-*")), "the scratch dump is removed"
    with unit_of_work() as session:
        session.exec(delete(Store).where(Store.code == "GOA"))
    assert store_codes() == {"MUM", "DEL"}
    reset_engine()  # the app is stopped
    saved = backups.restore(target)
    assert _sessions(live) == 0, "restore left a connection of its own open"
    assert store_codes() == {"MUM", "DEL", "GOA"}, "the store deleted after the backup is back"
    assert saved is not None and saved.parent == data_dir() / backups.PRE_RESTORE_FOLDER
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert _leftovers(live) == [], "the scratch database took the live name and the replaced one was dropped"
    reset_engine()
    backups.restore(saved)  # the pre-restore backup is itself a good backup
    assert store_codes() == {"MUM", "DEL"}


def test_a_tampered_byte_is_refused_and_the_live_database_is_unchanged(live, tmp_path):
    good = backups.backup(tmp_path / "good.jbak")
    members = archive_members(good)
    dump = bytearray(members[backups.PG_DUMP])
    dump[len(dump) // 2] ^= 0x01  # one bit inside the dump, manifest and signature untouched
    tampered = tmp_path / "tampered.jbak"
    with zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**members, backups.PG_DUMP: bytes(dump)}.items():
            archive.writestr(name, data)
    add_store("GOA")
    _assert_refused(tampered, live, "has been altered")


def test_a_signed_dump_that_fails_its_checks_is_refused_and_its_scratch_database_dropped(live, tmp_path):
    schema = backup_pg.schema_of(live)
    garbage = tmp_path / "garbage.pgdump"
    garbage.write_bytes(b"PGDMP but not really" * 100)
    _assert_refused(_signed(tmp_path / "garbage.jbak", "postgresql", garbage, schema), live, "pg_restore failed: ")
    partial = tmp_path / "partial.pgdump"
    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--exclude-table=core_audit_log",
            f"--file={partial}",
            f"--dbname={backup_pg.libpq_url(live)}",
        ],
        check=True,
    )
    partial_backup = _signed(tmp_path / "partial.jbak", "postgresql", partial, schema)
    _assert_refused(partial_backup, live, r"lacks tables of this version \(core_audit_log\)")


def test_a_sqlite_backup_is_refused_on_postgresql(live, tmp_path):
    database = tmp_path / "old.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.executemany("INSERT INTO alembic_version VALUES (?)", [(r,) for r in backup_pg.schema_of(live)])
    conn.close()
    sqlite_backup = tmp_path / "sqlite.jbak"
    backups.write_backup(sqlite_backup, backups.manifest_for(database), database)  # signed with the real key
    _assert_refused(sqlite_backup, live, "it is a SQLite backup; this installation runs on PostgreSQL")


def test_restore_is_refused_while_another_connection_uses_the_database(live, tmp_path):
    good = backups.backup(tmp_path / "good.jbak")
    add_store("GOA")
    app = create_engine(live, poolclass=NullPool)
    try:
        with app.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            _assert_refused(good, live, r"stop the app first: 1 other connection\(s\) use the database")
    finally:
        app.dispose()


def test_a_backup_of_an_older_known_schema_is_migrated_before_it_replaces_anything(live, tmp_path, monkeypatch):
    older = live.set(database=f"older_{live.database}")
    reset_engine()
    with _server(live, autocommit=True) as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{older.database}" TEMPLATE "{live.database}"')
    try:
        monkeypatch.setenv("JEWELERP_DB_URL", older.render_as_string(hide_password=False))
        reset_engine()
        command.downgrade(alembic_config(), "clienteling@-1")  # as the version before clienteling's last left it
        made_before = backups.backup(tmp_path / "older.jbak")
        reset_engine()
    finally:
        with _server(live, autocommit=True) as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{older.database}" WITH (FORCE)')
    monkeypatch.setenv("JEWELERP_DB_URL", live.render_as_string(hide_password=False))
    heads = backup_pg.schema_of(live)
    (newest,) = (revision for revision in heads if revision.startswith("clienteling_"))
    assert newest not in backups.Manifest.from_bytes(archive_members(made_before)[backups.MANIFEST]).schema
    backups.restore(made_before)
    assert backup_pg.schema_of(live) == heads, "the restored database was brought to this code's revisions"
    assert store_codes() == {"MUM", "DEL"} and _leftovers(live) == []


def test_a_restore_onto_a_server_without_the_database_creates_it(live, tmp_path):
    target = backups.backup(tmp_path / "nightly.jbak")
    reset_engine()
    with _server(live, autocommit=True) as connection:
        connection.exec_driver_sql(f'DROP DATABASE "{live.database}"')
    assert backups.restore(target) is None, "there was no database to save first"
    assert store_codes() == {"MUM", "DEL"}
    assert _leftovers(live) == []


def test_the_password_reaches_the_tools_in_the_environment_never_in_their_arguments(live, tmp_path, monkeypatch):
    monkeypatch.setenv("JEWELERP_DB_URL", live.set(password=PASSWORD).render_as_string(hide_password=False))
    reset_engine()
    calls: list[tuple[list[str], dict[str, str]]] = []
    run = subprocess.run

    def spy(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append((list(argv), dict(kwargs.get("env") or {})))
        return run(argv, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    target = backups.backup(tmp_path / "nightly.jbak")
    reset_engine()
    backups.restore(target)
    assert sorted(Path(argv[0]).name for argv, _env in calls) == ["pg_dump", "pg_dump", "pg_restore"]
    for argv, env in calls:
        assert not any(PASSWORD in arg for arg in argv), f"the password is in {Path(argv[0]).name}'s arguments"
        assert env["PGPASSWORD"] == PASSWORD
        assert f"--dbname=postgresql://{live.username}@" in " ".join(argv), "a libpq URL, without +psycopg"
    assert PASSWORD.encode() not in target.read_bytes()


def test_a_missing_or_failing_pg_dump_is_one_clear_error(live, tmp_path, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(shutil, "which", lambda _name: None)
        with pytest.raises(JewelError, match=r"^pg_dump is not installed: apt-get install postgresql-client$"):
            backups.backup(tmp_path / "none.jbak")
    monkeypatch.setenv("JEWELERP_DB_URL", live.set(database="no_such_database").render_as_string(False))
    with pytest.raises(JewelError, match=r'^pg_dump failed: .*database "no_such_database" does not exist'):
        backups.backup(tmp_path / "none.jbak")
    assert not list(tmp_path.glob("*.jbak")) and not list(tmp_path.glob(".jewelerp-*"))
