"""What the backup tests (SQLite in tests/security, PostgreSQL in tests/core) read and write around a backup."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sqlmodel import select

from jewelerp.core.models import AuditLog, Store
from jewelerp.core.stores import StoreInput
from jewelerp.db import read_session, unit_of_work


def store_codes() -> set[str]:
    """The codes of the live database's stores: a record a restore must bring back or leave alone."""
    with read_session() as session:
        return set(session.exec(select(Store.code)))


def add_store(code: str) -> None:
    """A change made after a backup, which restoring it undoes."""
    with unit_of_work() as session:
        session.add(Store(**vars(StoreInput(code, code.title(), "Somewhere", "Goa"))))


def refusals() -> list[AuditLog]:
    """The security log's rows (a refused restore writes one)."""
    with read_session() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.record_type == "security")))


def members(path: Path) -> dict[str, bytes]:
    """The backup archive's members by name."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
