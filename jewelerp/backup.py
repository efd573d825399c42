"""Signed backups of the embedded SQLite database, and a restore that checks what it restores.

A backup (``.jbak``) is a zip of three members, written with mode 0600:

- ``manifest.json``: format, schema version (the ``alembic_version`` rows), when it was made, the
  app version, and the database file's size and SHA-256;
- ``manifest.hmac``: HMAC-SHA256 of the manifest with the backup key (:mod:`jewelerp.keys`, kept
  outside the database). The manifest fixes the file's size and digest, so the HMAC covers both;
- ``jewelerp.db``: the SQLite file, copied with SQLite's online backup (safe while in use).

Restore verifies the HMAC before it reads anything else, then the file's size and digest, refuses
a schema revision this code does not know (a newer version's or a forged one), runs
``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` on a private copy, migrates the copy
when it comes from an older known revision, checks that every table of the models is there, saves
the current database as a backup, and only then replaces it. A backup restores only where its
backup key is (keep the key apart from the backups). Restore is meant for the command line: it
points the process's database URL at the copy while migrating it.
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

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from jewelerp.db import database_url, get_engine, reset_engine, utcnow
from jewelerp.errors import JewelError
from jewelerp.keys import BACKUP, data_dir, raw_key
from jewelerp.migrations import applied_modules, known_revisions, table_owner, up_to_date
from jewelerp.registry import get_registry

FORMAT = "jewelerp-backup"
FORMAT_VERSION = 1
MANIFEST, SIGNATURE, DATABASE = "manifest.json", "manifest.hmac", "jewelerp.db"
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

    def to_bytes(self) -> bytes:
        """The canonical JSON that the HMAC signs."""
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema": list(self.schema),
            "created_at": self.created_at,
            "app_version": self.app_version,
            "database": {"name": DATABASE, "size": self.size, "sha256": self.sha256},
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """Parse a manifest; JewelError when it is not one of ours."""
        try:
            document = json.loads(data)
            if document["format"] != FORMAT or document["format_version"] != FORMAT_VERSION:
                raise ValueError
            database = document["database"]
            return cls(
                tuple(str(r) for r in document["schema"]),
                str(document["created_at"]),
                str(document["app_version"]),
                int(database["size"]),
                str(database["sha256"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise JewelError("it is not a JewelERP backup (unreadable manifest)") from exc


def sign(manifest_bytes: bytes) -> str:
    """The hex HMAC-SHA256 of a manifest with this installation's backup key."""
    return hmac.new(raw_key(BACKUP), manifest_bytes, hashlib.sha256).hexdigest()


def _live_path() -> Path:
    url = make_url(database_url())
    if url.get_backend_name() != "sqlite" or not url.database:
        raise JewelError("backup and restore work on the embedded SQLite database; use your database's own tools.")
    return Path(url.database)


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
def _scratch(folder: Path) -> Iterator[Path]:
    """A private (0600) temporary file in ``folder``, removed afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".jewelerp-", suffix=".db", dir=folder)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)


def manifest_for(database: Path) -> Manifest:
    """The manifest of a database file: its schema version, size and SHA-256, made now by this version."""
    with _connect(database) as conn:
        schema = _schema(conn)
    return Manifest(schema, utcnow().isoformat(), version("jewelerp"), database.stat().st_size, _digest(database))


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
        archive.write(database, DATABASE)


def backup(target: Path) -> Path:
    """Write a signed backup of the live database to ``target``."""
    source_path = _live_path()
    if not source_path.exists():
        raise JewelError(f"there is no database at {source_path}; run 'jewelerp db upgrade' first")
    if target.exists():
        raise JewelError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _scratch(target.parent) as copy_path:
        with _connect(source_path) as source, _connect(copy_path) as copy:
            source.backup(copy)
        write_backup(target, manifest_for(copy_path), copy_path)
    return target


def _verified_manifest(archive: zipfile.ZipFile) -> Manifest:
    if sorted(archive.namelist()) != sorted((MANIFEST, SIGNATURE, DATABASE)) or any(
        archive.getinfo(name).file_size > MANIFEST_LIMIT for name in (MANIFEST, SIGNATURE)
    ):
        raise JewelError("it is not a JewelERP backup (unexpected contents)")
    manifest_bytes = archive.read(MANIFEST)
    signature = archive.read(SIGNATURE).decode("ascii", "replace").strip()
    if not hmac.compare_digest(signature, sign(manifest_bytes)):
        raise JewelError("it was not made by this installation or has been altered (its signature does not match)")
    return Manifest.from_bytes(manifest_bytes)


def _extract(archive: zipfile.ZipFile, manifest: Manifest, target: Path) -> None:
    """Copy the database member to ``target``, reading no more than the manifest's size."""
    if archive.getinfo(DATABASE).file_size != manifest.size:
        raise JewelError("it has been altered (the database size does not match its manifest)")
    sha, written = hashlib.sha256(), 0
    with archive.open(DATABASE) as member, target.open("wb") as out:
        while chunk := member.read(CHUNK):
            written += len(chunk)
            if written > manifest.size:
                raise JewelError("it has been altered (the database is larger than its manifest says)")
            sha.update(chunk)
            out.write(chunk)
    if written != manifest.size or not hmac.compare_digest(sha.hexdigest(), manifest.sha256):
        raise JewelError("it has been altered (the database does not match its manifest)")


def _check_schema(manifest: Manifest, conn: sqlite3.Connection) -> None:
    if not manifest.schema:
        raise JewelError("it has no schema version")
    known = known_revisions()
    unknown = sorted(set(manifest.schema) - known)
    if unknown:
        raise JewelError(
            f"its schema version {', '.join(unknown)} is unknown to this JewelERP "
            "(made by a newer or a different version); restore it with the version that made it"
        )
    if _schema(conn) != manifest.schema:
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


def _check_tables(conn: sqlite3.Connection, modules: list[str]) -> None:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = sorted(expected_tables(modules) - tables)
    if missing:
        raise JewelError(f"it lacks tables of this version ({', '.join(missing[:5])})")


@contextmanager
def _as_configured_database(path: Path) -> Iterator[None]:
    """Point the configured database at the file ``path`` (an older backup's copy) for a while."""
    live_url = os.environ.get(DB_URL_ENV)
    os.environ[DB_URL_ENV] = f"sqlite:///{path}"
    reset_engine()
    try:
        yield
    finally:
        if live_url is None:
            del os.environ[DB_URL_ENV]
        else:
            os.environ[DB_URL_ENV] = live_url
        reset_engine()


def _upgraded_modules(path: Path) -> list[str]:
    """Bring the database file ``path`` to this code as ``jewelerp db upgrade`` would when it is behind; the
    modules whose tables it then has."""
    from jewelerp.core.lifecycle import upgrade_database  # lifecycle backs up before an uninstall

    with _as_configured_database(path):
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
            _check_schema(manifest, conn)
            _check_integrity(conn)
        modules = _upgraded_modules(path)
        with _connect(path) as conn:
            _check_tables(conn, modules)
    except sqlite3.DatabaseError as exc:
        raise JewelError(f"it is damaged: {exc}") from exc


@contextmanager
def checked_copy(source: Path, folder: Path) -> Iterator[Path]:
    """The verified database inside backup ``source``, as a private temporary file in ``folder``."""
    if not source.is_file():
        raise JewelError(f"{source} does not exist")
    with _scratch(folder) as copy_path:
        try:
            with zipfile.ZipFile(source) as archive:
                manifest = _verified_manifest(archive)
                _extract(archive, manifest, copy_path)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise JewelError("it is not a JewelERP backup or it is damaged") from exc
        _check_database(copy_path, manifest)
        yield copy_path


def _refused(source: Path, reason: str) -> None:
    """Note a refused restore in the live database's audit log, when it has one."""
    from jewelerp.core.audit import record_refusal

    with suppress(SQLAlchemyError):  # no live database yet: the refusal still stands
        record_refusal("restore", "local command line", {"file": source.name, "reason": reason})


def restore(source: Path) -> Path | None:
    """Replace the live database with the checked backup ``source``.

    The current database is first saved as a backup in ``<data folder>/backups/``; returns its
    path (None when there was no database yet). A refused file changes nothing.
    """
    live = _live_path()
    try:
        with checked_copy(source, live.parent) as verified:
            saved = None
            if live.exists():
                folder = data_dir() / PRE_RESTORE_FOLDER
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
                saved = backup(folder / f"pre-restore-{stamp}.jbak")
            reset_engine()
            with _connect(verified) as copy, _connect(live) as target:
                copy.backup(target)
            return saved
    except JewelError as exc:
        if live.exists():
            _refused(source, exc.message)
        raise JewelError(f"{source} was not restored: {exc.message}") from exc
