"""Online backup and restore of the embedded SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from jewelerp.db import database_url, reset_engine
from jewelerp.errors import JewelError

APPLICATION_ID = 0x4A45574C  # "JEWL" in the SQLite header marks a JewelERP backup
REQUIRED_TABLES = {"alembic_version", "core_store", "core_user", "core_module_state"}


def _live_path() -> Path:
    url = make_url(database_url())
    if url.get_backend_name() != "sqlite" or not url.database:
        raise JewelError("backup and restore work on the embedded SQLite database; use your database's own tools.")
    return Path(url.database)


def backup(target: Path) -> Path:
    """Copy the live database to ``target`` with SQLite's online backup (safe while in use)."""
    source_path = _live_path()
    if not source_path.exists():
        raise JewelError(f"there is no database at {source_path}; run 'jewelerp db upgrade' first")
    if target.exists():
        raise JewelError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
        copy.execute(f"PRAGMA application_id={APPLICATION_ID}")
    return target


def check_backup(path: Path) -> None:
    """Raise JewelError unless ``path`` is an intact JewelERP backup."""
    if not path.is_file():
        raise JewelError(f"{path} does not exist")
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise JewelError(f"{path} is not a JewelERP backup (not an SQLite database)")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise JewelError(f"{path} is not a JewelERP backup (made by another program)")
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise JewelError(f"{path} is damaged (integrity check failed)")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise JewelError(f"{path} is damaged: {exc}") from exc
    missing = REQUIRED_TABLES - tables
    if missing:
        raise JewelError(f"{path} is not a JewelERP backup (missing {', '.join(sorted(missing))})")


def restore(source: Path) -> None:
    """Replace the live database's contents with a checked backup, in one step."""
    check_backup(source)
    target_path = _live_path()
    reset_engine()
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_db, sqlite3.connect(target_path) as live:
        backup_db.backup(live)
        live.execute("PRAGMA application_id=0")
