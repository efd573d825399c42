"""Signed backups of the database (embedded SQLite or PostgreSQL), and a restore that checks what it restores.

A backup (``.jbak``) is a zip of three members, written with mode 0600:

- ``manifest.json``: format, database engine (``sqlite`` or ``postgresql``; a manifest without one is an
  older SQLite backup), schema version (the ``alembic_version`` rows), when it was made, the app version,
  and the database member's name, size and SHA-256;
- ``manifest.hmac``: HMAC-SHA256 of the manifest with the backup key (:mod:`jewelerp.keys`, kept
  outside the database). The manifest fixes the member's size and digest, so the HMAC covers both;
- the database: ``jewelerp.db``, the SQLite file copied with SQLite's online backup, or ``jewelerp.pgdump``,
  ``pg_dump --format=custom --no-owner --no-privileges`` of the PostgreSQL database (both safe while in use).

Restore verifies the HMAC before it reads anything else, refuses a backup of the other engine, checks the
member's size and digest, and refuses a schema revision this code does not know (a newer version's or a
forged one). On SQLite it runs ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` on a private
copy; on PostgreSQL ``pg_restore`` loads the dump, all or nothing, into a new scratch database on the same
server (:mod:`jewelerp.backup_pg`). The copy is migrated when it comes from an older known revision and must
have every table of the models; then the current database is saved as a backup, and only then replaced: the
SQLite file is overwritten, the PostgreSQL database is renamed away (refused while other sessions use it),
the scratch one takes its name and the old one is dropped. A refused file changes nothing. A backup restores
only where its backup key is (keep the key apart from the backups). Restore is meant for the command line:
it points the process's database URL at the copy while migrating it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import URL
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from jewelerp import backup_pg
from jewelerp.db import database_url, get_engine, reset_engine, utcnow
from jewelerp.errors import JewelError
from jewelerp.keys import BACKUP, data_dir, raw_key
from jewelerp.migrations import applied_modules, known_revisions, table_owner, up_to_date
from jewelerp.registry import get_registry

FORMAT = "jewelerp-backup"
FORMAT_VERSION = 1
MANIFEST, SIGNATURE, DATABASE, PG_DUMP = "manifest.json", "manifest.hmac", "jewelerp.db", "jewelerp.pgdump"
SQLITE, POSTGRESQL = "sqlite", "postgresql"
MEMBERS = {SQLITE: DATABASE, POSTGRESQL: PG_DUMP}  # engine -> the archive's database member
ENGINE_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
MANIFEST_LIMIT = 64 * 1024
CHUNK = 1024 * 1024
PRE_RESTORE_FOLDER = "backups"
DB_URL_ENV = "JEWELERP_DB_URL"


@dataclass(frozen=True)
class Manifest:
    """What a backup says about itself (trusted only once its HMAC checks out)."""

    schema: tuple[str, ...]
    created_at: str
    app_version: str
    size: int
    sha256: str
    engine: str = SQLITE

    @property
    def member(self) -> str:
        """The archive member that holds the database."""
        return MEMBERS[self.engine]

    def to_bytes(self) -> bytes:
        """The canonical JSON that the HMAC signs."""
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "engine": self.engine,
            "schema": list(self.schema),
            "created_at": self.created_at,
            "app_version": self.app_version,
            "database": {"name": self.member, "size": self.size, "sha256": self.sha256},
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """Parse a manifest; JewelError when it is not one of ours."""
        try:
            document = json.loads(data)
            if document["format"] != FORMAT or document["format_version"] != FORMAT_VERSION:
                raise ValueError
            database, engine = document["database"], document.get("engine", SQLITE)
            if engine not in MEMBERS or database["name"] != MEMBERS[engine]:
                raise ValueError
            return cls(
                tuple(str(r) for r in document["schema"]),
                str(document["created_at"]),
                str(document["app_version"]),
                int(database["size"]),
                str(database["sha256"]),
                engine,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise JewelError("it is not a JewelERP backup (unreadable manifest)") from exc


def sign(manifest_bytes: bytes) -> str:
    """The hex HMAC-SHA256 of a manifest with this installation's backup key."""
    return hmac.new(raw_key(BACKUP), manifest_bytes, hashlib.sha256).hexdigest()


def _engine_of(url: URL) -> str:
    """The engine a backup of the database ``url`` names is made with: SQLITE or POSTGRESQL."""
    if url.get_backend_name() == POSTGRESQL and url.database:
        return POSTGRESQL
    if url.get_backend_name() != SQLITE or not url.database:
        raise JewelError(
            "backup and restore work on the embedded SQLite database and on PostgreSQL; use your database's own tools."
        )
    return SQLITE


def _sqlite_path(url: URL) -> Path:
    return Path(str(url.database))


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to ``path`` that is closed afterwards (sqlite3's own context only commits)."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _schema(conn: sqlite3.Connection) -> tuple[str, ...]:
    try:
        return tuple(sorted(r[0] for r in conn.execute("SELECT version_num FROM alembic_version")))
    except sqlite3.OperationalError:  # no alembic_version table
        return ()


@contextmanager
def _scratch(folder: Path, engine: str) -> Iterator[Path]:
    """A private (0600) temporary file in ``folder`` for a database of ``engine``, removed afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".jewelerp-", suffix=Path(MEMBERS[engine]).suffix, dir=folder)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)


def manifest_of(engine: str, schema: tuple[str, ...], database: Path) -> Manifest:
    """The manifest of the database file (or dump) ``database`` of ``engine`` at schema version ``schema``: its
    size and SHA-256, made now by this version."""
    size = database.stat().st_size
    return Manifest(schema, utcnow().isoformat(), version("jewelerp"), size, _digest(database), engine)


def manifest_for(database: Path) -> Manifest:
    """The manifest of a SQLite database file, with the schema version it holds."""
    with _connect(database) as conn:
        schema = _schema(conn)
    return manifest_of(SQLITE, schema, database)


def write_backup(target: Path, manifest: Manifest, database: Path) -> None:
    """Write the archive with the manifest signed by this installation's key (mode 0600; never overwrites)."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise JewelError(f"{target} already exists; choose a new file name") from None
    manifest_bytes = manifest.to_bytes()
    with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, sign(manifest_bytes))
        archive.write(database, manifest.member)


def _copy_sqlite(url: URL, target: Path) -> Manifest:
    """Copy the live SQLite database to ``target`` with SQLite's online backup; the copy's manifest."""
    with _connect(_sqlite_path(url)) as source, _connect(target) as copy:
        source.backup(copy)
    return manifest_for(target)


def _dump_postgresql(url: URL, target: Path) -> Manifest:
    """Dump the live PostgreSQL database to ``target``; the dump's manifest (schema read from the database)."""
    backup_pg.dump(url, target)
    return manifest_of(POSTGRESQL, backup_pg.schema_of(url), target)


def backup(target: Path) -> Path:
    """Write a signed backup of the live database (SQLite or PostgreSQL) to ``target``."""
    url = make_url(database_url())
    engine = _engine_of(url)
    if engine == SQLITE and not _sqlite_path(url).exists():
        raise JewelError(f"there is no database at {_sqlite_path(url)}; run 'jewelerp db upgrade' first")
    if target.exists():
        raise JewelError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    copy = _copy_sqlite if engine == SQLITE else _dump_postgresql
    with _scratch(target.parent, engine) as copy_path:
        write_backup(target, copy(url, copy_path), copy_path)
    return target


def _verified_manifest(archive: zipfile.ZipFile, engine: str) -> Manifest:
    """The manifest once its HMAC checks out; refused when the backup is of another engine than ``engine``."""
    names = sorted(archive.namelist())
    if all(names != sorted((MANIFEST, SIGNATURE, member)) for member in MEMBERS.values()) or any(
        archive.getinfo(name).file_size > MANIFEST_LIMIT for name in (MANIFEST, SIGNATURE)
    ):
        raise JewelError("it is not a JewelERP backup (unexpected contents)")
    manifest_bytes = archive.read(MANIFEST)
    signature = archive.read(SIGNATURE).decode("ascii", "replace").strip()
    if not hmac.compare_digest(signature, sign(manifest_bytes)):
        raise JewelError("it was not made by this installation or has been altered (its signature does not match)")
    manifest = Manifest.from_bytes(manifest_bytes)
    if manifest.member not in names:
        raise JewelError("it is not a JewelERP backup (unexpected contents)")
    if manifest.engine != engine:
        made, here = ENGINE_NAMES[manifest.engine], ENGINE_NAMES[engine]
        raise JewelError(f"it is a {made} backup; this installation runs on {here}")
    return manifest


def _extract(archive: zipfile.ZipFile, manifest: Manifest, target: Path) -> None:
    """Copy the database member to ``target``, reading no more than the manifest's size."""
    if archive.getinfo(manifest.member).file_size != manifest.size:
        raise JewelError("it has been altered (the database size does not match its manifest)")
    sha, written = hashlib.sha256(), 0
    with archive.open(manifest.member) as member, target.open("wb") as out:
        while chunk := member.read(CHUNK):
            written += len(chunk)
            if written > manifest.size:
                raise JewelError("it has been altered (the database is larger than its manifest says)")
            sha.update(chunk)
            out.write(chunk)
    if written != manifest.size or not hmac.compare_digest(sha.hexdigest(), manifest.sha256):
        raise JewelError("it has been altered (the database does not match its manifest)")


def _check_schema(manifest: Manifest, schema: tuple[str, ...]) -> None:
    """Refuse a manifest without a schema version or with one this code does not know, and a copy whose schema
    version (``schema``) is not the manifest's."""
    if not manifest.schema:
        raise JewelError("it has no schema version")
    known = known_revisions()
    unknown = sorted(set(manifest.schema) - known)
    if unknown:
        raise JewelError(
            f"its schema version {', '.join(unknown)} is unknown to this JewelERP "
            "(made by a newer or a different version); restore it with the version that made it"
        )
    if schema != manifest.schema:
        raise JewelError("it has been altered (the schema version does not match its manifest)")


def _check_integrity(conn: sqlite3.Connection) -> None:
    if [r[0] for r in conn.execute("PRAGMA integrity_check")] != ["ok"]:
        raise JewelError("it is damaged (integrity check failed)")
    if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise JewelError("it is damaged (rows point at records that do not exist)")


def expected_tables(modules: list[str]) -> set[str]:
    """Every table of the platform and of ``modules`` (the ones whose migrations a database has run)."""
    get_registry().import_models()
    return {table for table in SQLModel.metadata.tables if table_owner(table) in modules}


def _check_tables(tables: set[str], modules: list[str]) -> None:
    """Refuse a copy whose ``tables`` lack one of the tables of ``modules``."""
    missing = sorted(expected_tables(modules) - tables)
    if missing:
        raise JewelError(f"it lacks tables of this version ({', '.join(missing[:5])})")


@contextmanager
def _as_configured_database(url: str) -> Iterator[None]:
    """Point the configured database at ``url`` (a backup's copy) for a while."""
    live_url = os.environ.get(DB_URL_ENV)
    os.environ[DB_URL_ENV] = url
    reset_engine()
    try:
        yield
    finally:
        if live_url is None:
            del os.environ[DB_URL_ENV]
        else:
            os.environ[DB_URL_ENV] = live_url
        reset_engine()


def _upgraded_modules(url: str) -> list[str]:
    """Bring the database ``url`` names (a backup's copy) to this code as ``jewelerp db upgrade`` would when it
    is behind; the modules whose tables it then has."""
    from jewelerp.core.lifecycle import upgrade_database  # lifecycle backs up before an uninstall

    with _as_configured_database(url):
        with get_engine().connect() as connection:
            current = up_to_date(connection)
        if not current:
            upgrade_database()
        with get_engine().connect() as connection:
            return applied_modules(connection)


def _check_database(path: Path, manifest: Manifest) -> None:
    """Schema, integrity and tables of the copy; an older known schema is migrated to this code's first."""
    try:
        with _connect(path) as conn:
            _check_schema(manifest, _schema(conn))
            _check_integrity(conn)
        modules = _upgraded_modules(f"sqlite:///{path}")
        with _connect(path) as conn:
            _check_tables({r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}, modules)
    except sqlite3.DatabaseError as exc:
        raise JewelError(f"it is damaged: {exc}") from exc


@contextmanager
def _verified_member(source: Path, folder: Path, engine: str) -> Iterator[tuple[Manifest, Path]]:
    """The signed manifest of backup ``source`` (of ``engine``) and its database member, checked against it, as
    a private temporary file in ``folder``."""
    if not source.is_file():
        raise JewelError(f"{source} does not exist")
    with _scratch(folder, engine) as copy_path:
        try:
            with zipfile.ZipFile(source) as archive:
                manifest = _verified_manifest(archive, engine)
                _extract(archive, manifest, copy_path)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise JewelError("it is not a JewelERP backup or it is damaged") from exc
        yield manifest, copy_path


@contextmanager
def checked_copy(source: Path, folder: Path) -> Iterator[Path]:
    """The verified SQLite database inside backup ``source``, as a private temporary file in ``folder``."""
    with _verified_member(source, folder, SQLITE) as (manifest, copy_path):
        _check_database(copy_path, manifest)
        yield copy_path


@contextmanager
def _checked_database(source: Path, live: URL) -> Iterator[URL]:
    """The verified PostgreSQL backup ``source`` restored into a scratch database on ``live``'s server (dropped
    afterwards unless it has been swapped in); its URL."""
    with (
        _verified_member(source, data_dir(), POSTGRESQL) as (manifest, dump),
        backup_pg.scratch_database(live) as scratch,
    ):
        backup_pg.load(dump, scratch)
        _check_schema(manifest, backup_pg.schema_of(scratch))
        modules = _upgraded_modules(scratch.render_as_string(hide_password=False))
        _check_tables(backup_pg.table_names(scratch), modules)
        yield scratch


def _refused(source: Path, reason: str) -> None:
    """Note a refused restore in the live database's audit log, when it has one."""
    from jewelerp.core.audit import record_refusal

    with suppress(SQLAlchemyError):  # no live database yet: the refusal still stands
        record_refusal("restore", "local command line", {"file": source.name, "reason": reason})


def _save_live() -> Path:
    """Back the live database up into ``<data folder>/backups/`` before it is replaced; the backup's path."""
    folder = data_dir() / PRE_RESTORE_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    return backup(folder / f"pre-restore-{stamp}.jbak")


def _restore_sqlite(source: Path, url: URL) -> Path | None:
    live = _sqlite_path(url)
    with checked_copy(source, live.parent) as verified:
        saved = _save_live() if live.exists() else None
        reset_engine()
        with _connect(verified) as copy, _connect(live) as target:
            copy.backup(target)
        return saved


def _restore_postgresql(source: Path, url: URL) -> Path | None:
    with _checked_database(source, url) as scratch:
        reset_engine()  # this process's own connections to the live database
        backup_pg.check_unused(url)  # before a dump that would be thrown away
        saved = _save_live() if backup_pg.exists(url) else None
        backup_pg.swap(url, scratch)
        return saved


def restore(source: Path) -> Path | None:
    """Replace the live database (SQLite or PostgreSQL) with the checked backup ``source``, made on the same
    engine.

    The current database is first saved as a backup in ``<data folder>/backups/``; returns its
    path (None when there was no database yet). A refused file changes nothing.
    """
    url = make_url(database_url())
    sqlite = _engine_of(url) == SQLITE
    try:
        return _restore_sqlite(source, url) if sqlite else _restore_postgresql(source, url)
    except JewelError as exc:
        if not sqlite or _sqlite_path(url).exists():  # noting it must not create a SQLite file
            _refused(source, exc.message)
        raise JewelError(f"{source} was not restored: {exc.message}") from exc
