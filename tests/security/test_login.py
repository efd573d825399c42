"""Issue 12, findings 2 and 3: sign-in floods must not stop writes; limits per address, not per account only."""

from __future__ import annotations

import inspect
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from itertools import count

import pytest
from sqlmodel import select

from jewelerp.auth import service as auth
from jewelerp.auth.pages import LoginState
from jewelerp.core.models import AuditLog, LoginAttempt
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work, utcnow
from tests.conftest import PASSWORD

ATTACKER, OFFICE = "203.0.113.7", "198.51.100.20"


def _refusals() -> list[dict]:
    with read_session() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.record_type == "security")).all()
    return [json.loads(row.changes) for row in rows if row.record_id == "login" and row.action == "refused"]


def _attempts() -> int:
    with read_session() as session:
        return len(session.exec(select(LoginAttempt)).all())


@pytest.fixture
def lock_probe(db, monkeypatch) -> list[bool]:
    """Wrap the password check: record, at each call, whether another connection could take the write lock."""
    path = db.removeprefix("sqlite:///")
    real = auth.verify_password
    free: list[bool] = []

    def probing_verify(password_hash: str | None, password: str) -> bool:
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            free.append(True)
        except sqlite3.OperationalError:
            free.append(False)
        finally:
            probe.close()
        return real(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", probing_verify)
    return free


def test_the_password_check_never_holds_the_write_lock(world, lock_probe):
    assert auth.login("sales@test.in", "wrong-pass-1", ATTACKER).error == auth.WRONG_CREDENTIALS
    assert auth.login("ghost@test.in", "wrong-pass-1", ATTACKER).error == auth.WRONG_CREDENTIALS
    assert auth.login("sales@test.in", PASSWORD, OFFICE).ticket
    assert lock_probe == [True, True, True]  # before: [False, False, False], login verified inside BEGIN IMMEDIATE


@pytest.fixture
def slow_checks(monkeypatch) -> None:
    """Make every password check take 0.4 s, like argon2 on a busy server."""
    real = auth.verify_password

    def slow_verify(password_hash: str | None, password: str) -> bool:
        time.sleep(0.4)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", slow_verify)


@pytest.fixture
def login_flood(world, slow_checks) -> Iterator[None]:
    """Three threads sign in with wrong passwords in a loop, each try a new email from a new address (no limit
    stops them, so every try runs a password check)."""
    stop = threading.Event()
    numbers = count()

    def flood() -> None:
        while not stop.is_set():
            n = next(numbers)
            auth.login(f"user{n}@test.in", "wrong-pass-1", f"10.9.{n // 250}.{n % 250}")

    threads = [threading.Thread(target=flood) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    yield
    stop.set()
    for thread in threads:
        thread.join()


def test_a_one_row_write_is_not_held_up_by_a_login_flood(world, login_flood):
    manager = world.actor("manager")
    waits = []
    for n in range(5):
        started = time.monotonic()
        with unit_of_work(manager) as session:
            set_setting(session, manager, world.mum, "core.smtp_host", f"mail{n}.example.com")
        waits.append(time.monotonic() - started)
        time.sleep(0.1)
    assert max(waits) < 0.3, waits  # before: each write waited for a 0.4 s check holding the lock


def test_sign_ins_beyond_the_cap_are_refused_at_once(world, lock_probe):
    held = [auth._checks.acquire(blocking=False) for _ in range(auth.MAX_CONCURRENT_CHECKS)]
    try:
        assert all(held)
        started = time.monotonic()
        result = auth.login("sales@test.in", PASSWORD, OFFICE)
        assert time.monotonic() - started < 0.1
    finally:
        for _ in held:
            auth._checks.release()
    assert result.error == "Too many sign-ins at once, try again in a moment."
    assert lock_probe == [] and _attempts() == 0  # no check ran, nothing was written
    assert auth.login("sales@test.in", PASSWORD, OFFICE).ticket  # free again afterwards


def test_the_sign_in_handler_runs_off_the_event_loop():
    assert inspect.iscoroutinefunction(LoginState.event_handlers["sign_in"].fn)
    assert "asyncio.to_thread(" in inspect.getsource(LoginState.event_handlers["sign_in"].fn)


def test_an_attacker_locks_only_their_own_address_out_of_the_admin_account(world):
    messages = [auth.login("admin@test.in", f"guess-{n}-pass", ATTACKER).error for n in range(20)]
    assert messages[:4] == [auth.WRONG_CREDENTIALS] * 4
    assert set(messages[4:]) == {auth.LOCKED_OUT}
    assert auth.login("admin@test.in", PASSWORD, ATTACKER).error == auth.LOCKED_OUT
    assert auth.login("admin@test.in", PASSWORD, OFFICE).ticket  # before: LOCKED_OUT for the real admin too
    refused = _refusals()
    assert len(refused) == 20 + 1
    assert {r["client_ip"][1] for r in refused} == {ATTACKER}
    assert {r["email"][1] for r in refused} == {"admin@test.in"}
    assert "too many failures for this account from this address" in {r["reason"][1] for r in refused}
    assert not any("guess-" in json.dumps(r) or PASSWORD in json.dumps(r) for r in refused)
    assert _attempts() == 5 + 1  # refused tries ran no check and are not counted


def test_spraying_three_accounts_from_one_address_is_stopped(world):
    tries = [
        (email, auth.login(email, f"spray-{n}-pass", ATTACKER).error)
        for n in range(4)
        for email in ("admin@test.in", "manager@test.in", "sales@test.in")
    ]
    messages = [error for _email, error in tries]
    assert messages[:9] == [auth.WRONG_CREDENTIALS] * 9
    assert messages[9:] == [auth.LOCKED_OUT] * 3  # before: all 12 were "Wrong email or password."
    assert _attempts() == 10  # the 11th and 12th ran no password check
    assert auth.login("designer@test.in", PASSWORD, ATTACKER).error == auth.LOCKED_OUT
    assert auth.login("designer@test.in", PASSWORD, OFFICE).ticket
    assert _refusals()[-1]["reason"][1] == "too many failures from this address"


def test_a_lock_ends_after_fifteen_minutes(world, monkeypatch):
    for n in range(10):
        auth.login(f"user{n}@test.in", "spray-pass-1", ATTACKER)
    assert auth.login("sales@test.in", PASSWORD, ATTACKER).error == auth.LOCKED_OUT
    later = utcnow() + auth.LOCK_WINDOW + timedelta(seconds=1)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert auth.login("sales@test.in", PASSWORD, ATTACKER).ticket


def test_guessing_from_many_addresses_closes_the_account_only_to_new_addresses(world, monkeypatch):
    monkeypatch.setattr(auth, "ACCOUNT_LIMIT", 8)
    assert auth.login("admin@test.in", PASSWORD, OFFICE).ticket  # the admin's usual address
    messages = [auth.login("admin@test.in", "botnet-pass-1", f"192.0.2.{n}").error for n in range(8)]
    assert messages == [auth.WRONG_CREDENTIALS] * 7 + [auth.LOCKED_OUT]  # one try per address: no address limit
    assert auth.login("admin@test.in", PASSWORD, "192.0.2.99").error == auth.LOCKED_OUT
    assert auth.login("admin@test.in", PASSWORD, OFFICE).ticket
    assert auth.login("sales@test.in", PASSWORD, "192.0.2.99").ticket  # other accounts are untouched
