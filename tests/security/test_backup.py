"""Finding 9: restore trusts any file. Backups are signed, checked and private; restore saves the old database first."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest
from alembic import command

from jewelerp import backup as backups
from jewelerp.db import reset_engine
from jewelerp.errors import JewelError
from jewelerp.keys import data_dir
from jewelerp.migrations import alembic_config, upgrade_legacy
from tests.backup_records import add_store, refusals, store_codes
from tests.backup_records import members as archive_members

OLD_APPLICATION_ID = 0x4A45574C  # what the unsigned backups of before carried


@pytest.fixture
def live(db, world) -> Path:
    """The test database with its schema version stamped, as `jewelerp db upgrade` leaves it."""
    command.stamp(alembic_config(), "heads")
    reset_engine()
    return Path(db.removeprefix("sqlite:///"))


def _repack(path: Path, members: dict[str, bytes]) -> None:
    path.unlink()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _assert_refused(source: Path, reason: str) -> None:
    before = store_codes()
    with pytest.raises(JewelError, match=reason):
        backups.restore(source)
    assert store_codes() == before, "a refused restore changed the live database"


def test_a_good_backup_round_trips_and_the_replaced_database_is_kept(live, tmp_path):
    target = backups.backup(tmp_path / "nightly.jbak")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600, "a backup holds every record: only its owner may read it"
    add_store("GOA")
    saved = backups.restore(target)
    assert store_codes() == {"MUM", "DEL"}, "the store created after the backup is gone after restore"
    assert saved is not None and saved.parent == data_dir() / "backups"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    backups.restore(saved)  # the pre-restore backup is itself a good backup
    assert store_codes() == {"MUM", "DEL", "GOA"}


def test_a_forged_sqlite_file_with_the_application_id_is_refused(live, tmp_path):
    forged = tmp_path / "forged.jbak"
    shutil.copy(live, forged)
    with sqlite3.connect(forged) as conn:
        conn.execute(f"PRAGMA application_id={OLD_APPLICATION_ID}")
        conn.execute("DELETE FROM core_store WHERE code = 'DEL'")
    conn.close()
    _assert_refused(forged, "not a JewelERP backup")
    refusal = refusals()[-1]
    assert refusal.record_id == "restore" and "forged.jbak" in refusal.changes


def test_a_backup_signed_with_another_key_is_refused(live, tmp_path, monkeypatch):
    good = backups.backup(tmp_path / "good.jbak")
    members = archive_members(good)
    monkeypatch.setenv("JEWELERP_BACKUP_KEY", "A" * 43 + "=")  # an attacker's own key
    forged_signature = backups.sign(members[backups.MANIFEST])
    monkeypatch.delenv("JEWELERP_BACKUP_KEY")
    _repack(good, {**members, backups.SIGNATURE: forged_signature.encode()})
    _assert_refused(good, "signature does not match")
    _repack(good, {k: v for k, v in members.items() if k != backups.SIGNATURE})
    _assert_refused(good, "not a JewelERP backup")


def test_a_tampered_byte_is_refused(live, tmp_path):
    good = backups.backup(tmp_path / "good.jbak")
    members = archive_members(good)
    database = bytearray(members[backups.DATABASE])
    database[len(database) // 2] ^= 0x01  # one bit inside the database, manifest and signature untouched
    tampered = tmp_path / "tampered.jbak"
    shutil.copy(good, tampered)
    _repack(tampered, {**members, backups.DATABASE: bytes(database)})
    _assert_refused(tampered, "altered")
    raw = bytearray(good.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # one bit anywhere in the file
    good.write_bytes(bytes(raw))
    _assert_refused(good, "not restored")


def test_an_unknown_schema_version_is_refused_even_with_a_valid_signature(live, tmp_path):
    database = tmp_path / "future.db"
    shutil.copy(live, database)
    with sqlite3.connect(database) as conn:
        conn.execute(  # one of the branches' rows
            "UPDATE alembic_version SET version_num = '9999_from_the_future' "
            "WHERE rowid = (SELECT min(rowid) FROM alembic_version)"
        )
    conn.close()
    future = tmp_path / "future.jbak"
    backups.write_backup(future, backups.manifest_for(database), database)  # signed with the real key
    _assert_refused(future, "schema version 9999_from_the_future is unknown")


def test_a_database_missing_tables_or_with_broken_references_is_refused(live, tmp_path):
    def signed_copy(name: str, damage: str) -> Path:
        database = tmp_path / f"{name}.db"
        shutil.copy(live, database)
        with sqlite3.connect(database) as conn:
            conn.executescript(damage)
        conn.close()
        target = tmp_path / f"{name}.jbak"
        backups.write_backup(target, backups.manifest_for(database), database)  # signed with the real key
        return target

    _assert_refused(signed_copy("no-audit", "DROP TABLE core_audit_log;"), "lacks tables of this version")
    orphan = "PRAGMA foreign_keys=OFF; INSERT INTO core_store_setting VALUES (999, 'core.smtp_host', '\"x\"');"
    _assert_refused(signed_copy("orphan", orphan), "rows point at records that do not exist")


def test_backup_files_are_created_private_whatever_the_umask(live, tmp_path):
    previous = os.umask(0o000)
    try:
        target = backups.backup(tmp_path / "open.jbak")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    key = data_dir() / "backup.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600, "the backup key file is private"
    assert key.read_bytes() not in target.read_bytes()


def test_a_backup_of_an_older_known_schema_is_migrated_before_it_replaces_anything(live, tmp_path, monkeypatch):
    older = tmp_path / "older" / "older.db"
    older.parent.mkdir()
    monkeypatch.setenv("JEWELERP_DB_URL", f"sqlite:///{older}")
    reset_engine()
    upgrade_legacy("0011_repairs_jobs")  # as a version before the per-module branches left it
    monkeypatch.setenv("JEWELERP_DB_URL", f"sqlite:///{live}")
    reset_engine()
    made_before = tmp_path / "older.jbak"
    backups.write_backup(made_before, backups.manifest_for(older), older)
    backups.restore(made_before)
    assert store_codes() == set(), "the older backup (no stores yet) replaced the live database"
    with sqlite3.connect(live) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version WHERE version_num LIKE '00%'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'loyalty_program'").fetchone() == (1,)
    conn.close()
