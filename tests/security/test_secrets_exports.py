"""Finding 11 (platform): secret settings encrypted at rest, private and expiring exports, a guarded demo loader."""

from __future__ import annotations

import os
import stat
import time

import pytest
from sqlmodel import select

from jewelerp import cli
from jewelerp.core.models import StoreSetting, User
from jewelerp.core.settings import get_setting, set_setting, store_settings
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError
from jewelerp.keys import data_dir
from jewelerp.notifications import smtp
from jewelerp.notifications.senders import OutgoingMessage
from jewelerp.ui import table_query
from jewelerp.ui.table_query import EXPORT_TTL_SECONDS, new_export, take_export

PASSWORD = "s3cret-smtp-pass"


def _raw(store_id: int, key: str) -> str:
    with read_session() as session:
        return session.get(StoreSetting, (store_id, key)).value


def _set(world, key: str, value: str) -> None:
    with unit_of_work() as session:
        set_setting(session, world.actor("manager"), world.mum, key, value)


class _FakeSmtp:
    """Stands in for smtplib.SMTP and remembers the sign-in."""

    logins: list[tuple[str, str]] = []

    def __init__(self, host: str, port: int, timeout: int) -> None:
        self.host = host

    def __enter__(self) -> _FakeSmtp:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def login(self, user: str, password: str) -> None:
        self.logins.append((user, password))

    def send_message(self, _mail: object) -> None:
        return None


def test_the_smtp_password_is_encrypted_at_rest_and_still_reaches_the_mail_server(world, monkeypatch):
    for key, value in (("core.smtp_host", "mail.test"), ("core.smtp_tls", "no"), ("core.smtp_user", "shop@x.in")):
        _set(world, key, value)
    _set(world, "core.smtp_password", PASSWORD)
    raw = _raw(world.mum, "core.smtp_password")
    assert PASSWORD not in raw, "the SMTP password is stored in plain text"
    key_file = data_dir() / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() not in raw

    monkeypatch.setattr(smtp.smtplib, "SMTP", _FakeSmtp)
    _FakeSmtp.logins = []
    smtp.send_email(OutgoingMessage(1, world.mum, "email", "a@b.in", "Hi", "Body", "test"))
    assert _FakeSmtp.logins == [("shop@x.in", PASSWORD)]

    with read_session() as session:
        shown = {s.key: v for _m, s, v in store_settings(session, world.mum, {"core"})}
    assert shown["core.smtp_password"] not in ("", PASSWORD), "the settings page sees that it is set, never the value"


def test_a_plain_password_saved_before_still_reads_and_db_upgrade_encrypts_it(world):
    from jewelerp.core.settings import encrypt_plain_secrets

    with unit_of_work() as session:
        session.add(StoreSetting(store_id=world.mum, key="core.smtp_password", value='"legacy-pass"'))
    with read_session() as session:
        assert get_setting(session, world.mum, "core.smtp_password") == "legacy-pass"
    with unit_of_work() as session:
        assert encrypt_plain_secrets(session) == 1
        assert encrypt_plain_secrets(session) == 0
    assert "legacy-pass" not in _raw(world.mum, "core.smtp_password")
    with read_session() as session:
        assert get_setting(session, world.mum, "core.smtp_password") == "legacy-pass"


def test_the_key_comes_from_the_environment_and_another_key_cannot_read_the_secret(world, monkeypatch):
    monkeypatch.setenv("JEWELERP_SECRET_KEY", "B" * 43 + "=")
    _set(world, "core.smtp_password", PASSWORD)
    assert not (data_dir() / "secret.key").exists(), "with the key in the environment no key file is written"
    monkeypatch.setenv("JEWELERP_SECRET_KEY", "C" * 43 + "=")
    with read_session() as session, pytest.raises(JewelError, match="enter it again"):
        get_setting(session, world.mum, "core.smtp_password")
    monkeypatch.setenv("JEWELERP_SECRET_KEY", "too-short")
    with read_session() as session, pytest.raises(JewelError, match="JEWELERP_SECRET_KEY must hold 32"):
        get_setting(session, world.mum, "core.smtp_password")


@pytest.fixture
def exports(tmp_path, monkeypatch):
    """An export folder left world-readable by an older version."""
    folder = tmp_path / "jewelerp-exports"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    monkeypatch.setattr(table_query, "EXPORT_DIR", folder)
    return folder


def test_exports_are_private_to_the_server_account(exports):
    previous = os.umask(0o000)
    try:
        token, path = new_export("staff.xlsx")
        path.write_bytes(b"PK rows")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(exports.stat().st_mode) == 0o700, "the export folder is world-readable"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "an export file is readable by other accounts"
    assert take_export(token) == path


def test_an_expired_export_is_refused_even_before_the_sweep(exports):
    token, path = new_export("staff.xlsx")
    path.write_bytes(b"PK rows")
    old = time.time() - EXPORT_TTL_SECONDS - 5
    os.utime(path.parent, (old, old))
    assert take_export(token) is None, "an export past its time is still served"
    assert not path.exists()


def test_an_export_folder_planted_by_someone_else_is_not_used(exports, tmp_path, monkeypatch):
    planted = tmp_path / "planted"
    planted.symlink_to(exports)
    monkeypatch.setattr(table_query, "EXPORT_DIR", planted)
    with pytest.raises(JewelError, match="not safe"):
        new_export("staff.xlsx")


def _demo_users() -> int:
    with read_session() as session:
        return len(session.exec(select(User).where(User.email.like("%@demo.jewelerp.in"))).all())


def test_the_demo_loader_refuses_a_database_with_real_records_unless_forced(world, capsys, monkeypatch):
    monkeypatch.setattr("jewelerp.demo.call", lambda _dotted: lambda _session, _actor: None)  # skip modules' data
    assert cli.main(["demo"]) == 1
    error = capsys.readouterr().err
    assert "real records" in error and "--force" in error
    assert _demo_users() == 0, "the refused demo wrote demo records"
    assert cli.main(["demo", "--force"]) == 0
    assert _demo_users() == 5
