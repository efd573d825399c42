"""Test fixtures for JewelERP and its add-ons: a pytest plugin.

Installing jewelerp registers this module as a pytest plugin (entry-point group ``pytest11``), so every pytest
run in that environment has these fixtures, an add-on's tests run from its own folder included:

- ``db``: a fresh database per test with every table, the roles and their default grants, and every
  discovered module recorded as installed at its head: SQLite, or PostgreSQL when :data:`TEST_PG_ENV` names a
  server (``tests/pg_cluster.py`` starts a throwaway one and sets it). Each test's database is a copy of a
  template built once per run (a file copy, or ``CREATE DATABASE ... TEMPLATE``);
- ``empty_db``: a database with no table at all on the same system (SQLite or the PostgreSQL server), for
  migration tests;
- ``install_data``: ``db`` plus every module's install data (metals, categories, tax classes);
- ``world``: ``db`` plus stores MUM and DEL, one user per role (password :data:`PASSWORD`) and every module
  enabled in both stores; ``world.actor("manager")`` is that user in MUM, ``world.actor("manager", world.dl)``
  in DEL (``sales`` has a role only in MUM);
- ``registry``: puts the discovered registry back after a test that swapped it with ``set_registry``;
  :func:`make_world` builds the world for such a registry;
- :func:`run_as` runs a service ``fn(session, actor, ...)`` in the actor's own unit of work;
- ``smtp_inbox``: a real SMTP server (aiosmtpd) on a random port, emptied per test; :func:`send_mail_through`
  points stores at it, and ``smtp_inbox.wait_for(address).link("/password/reset")`` reads a link from a mail.

Passwords are hashed with light argon2id settings for the whole session (same algorithm and code path).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import URL, create_engine, make_url
from sqlmodel import Session, SQLModel

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import build_actor
from jewelerp.core.lifecycle import record_installed
from jewelerp.core.models import Store
from jewelerp.core.module_states import disable_module, enable_module
from jewelerp.core.roles import sync_roles_and_permissions
from jewelerp.core.stores import StoreInput
from jewelerp.core.users import UserInput, create_user
from jewelerp.db import get_engine, reset_engine, unit_of_work
from jewelerp.install_data import load_install_data
from jewelerp.migrations import stamp_heads
from jewelerp.registry import Registry, get_registry, set_registry

TEST_PG_ENV = "JEWELERP_TEST_PG_URL"  # a PostgreSQL server URL whose user may create databases
PASSWORD = "correct-horse-9"
STAFF_ROLES = ("admin", "manager", "sales", "designer")
T = TypeVar("T")


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Tests create many accounts: hash with light argon2id cost settings (same algorithm and code path)."""
    from argon2 import PasswordHasher

    from jewelerp.auth import passwords

    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = real


def build_schema() -> None:
    """Every table, the branches stamped at their heads, roles and default grants, every module installed: in
    the database ``JEWELERP_DB_URL`` names."""
    reset_engine()
    get_registry().import_models()
    SQLModel.metadata.create_all(get_engine())
    with get_engine().begin() as connection:
        stamp_heads(connection)
    with unit_of_work() as session:
        sync_roles_and_permissions(session)
        record_installed(session, get_registry().modules)
    reset_engine()


def _pg_server() -> URL | None:
    raw = os.environ.get(TEST_PG_ENV)
    return make_url(raw) if raw else None


def _pg_admin(server: URL, *statements: str) -> None:
    """Run ``statements`` (CREATE/DROP DATABASE) on the test server's maintenance database, outside a transaction."""
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


_test_databases = itertools.count(1)


@contextmanager
def _pg_database(template: str | None = None) -> Iterator[str]:
    """A new database on the test server (a copy of database ``template``, or empty), dropped afterwards."""
    server = _pg_server()  # its maintenance database: a copy needs the template free of connections
    name = f"jewelerp_test_{os.getpid()}_{next(_test_databases)}"
    copy = f' TEMPLATE "{template}"' if template else ""
    _pg_admin(server, f'CREATE DATABASE "{name}"{copy}')
    try:
        yield _url_text(server.set(database=name))
    finally:
        reset_engine()
        _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _template(folder: Path, build: Callable[[], None]) -> Iterator[str]:
    """A database made once by ``build`` (with ``JEWELERP_DB_URL`` naming it) for tests to copy; its URL."""
    with ExitStack() as stack:
        url = stack.enter_context(_pg_database()) if _pg_server() else f"sqlite:///{folder / 'template.db'}"
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("JEWELERP_DB_URL", url)
            reset_engine()
            build()
            reset_engine()  # every connection closed: SQLite's file is whole, PostgreSQL's database unused
        yield url


@contextmanager
def _copy_of(template: str, folder: Path) -> Iterator[str]:
    """A fresh copy of the template database for one test (a file copy, or CREATE DATABASE ... TEMPLATE)."""
    if not template.startswith("sqlite"):
        with _pg_database(make_url(template).database) as url:
            yield url
        return
    copy = folder / "test.db"
    shutil.copyfile(make_url(template).database, copy)
    yield f"sqlite:///{copy}"


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The empty database every ``db`` starts as, built once per run."""
    with _template(tmp_path_factory.mktemp("schema"), build_schema) as url:
        yield url


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """The database every ``world`` test starts as (schema, stores, staff, modules on), built once per run."""
    made: list[World] = []

    def build() -> None:
        build_schema()
        made.append(make_world())

    with _template(tmp_path_factory.mktemp("world"), build) as url:
        yield url, made[0]


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty database with every table, roles and default grants; every module installed, at its head.

    SQLite, or PostgreSQL when :data:`TEST_PG_ENV` names a server. A test that also asks for ``world`` gets
    the world's template, copied the same way."""
    if "world" in request.fixturenames:
        template = request.getfixturevalue("world_template")[0]
    else:
        template = request.getfixturevalue("schema_template")
    with _copy_of(template, tmp_path) as url:
        monkeypatch.setenv("JEWELERP_DB_URL", url)
        reset_engine()
        yield url
        reset_engine()


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database with no table at all, on the run's database system (for migrations); its URL, also set as
    ``JEWELERP_DB_URL``."""
    with ExitStack() as stack:
        url = stack.enter_context(_pg_database()) if _pg_server() else f"sqlite:///{tmp_path / 'empty.db'}"
        monkeypatch.setenv("JEWELERP_DB_URL", url)
        reset_engine()
        yield url
        reset_engine()


@pytest.fixture
def install_data(db) -> list[str]:
    """Every module's install data (metals, categories, tax classes), as ``jewelerp db upgrade`` loads it."""
    with unit_of_work() as session:
        return load_install_data(session)


@pytest.fixture
def registry() -> Iterator[None]:
    """Restore the discovered registry after a test that swaps it."""
    yield
    set_registry(None)


@dataclass
class World:
    """Two stores and one user per role; ``actor(role, store)`` builds that user's actor (default: MUM)."""

    mum: int
    dl: int
    users: dict[str, int]

    def actor(self, who: str, store: int | None = None) -> Actor:
        """The user ``who`` (a role name: "admin", "manager", "sales", "designer") acting in ``store``."""
        with unit_of_work() as session:
            return build_actor(session, self.users[who], store or self.mum)


def make_world(registry: Registry | None = None) -> World:
    """Create stores MUM and DEL and staff admin/manager/sales/designer; enable every module of ``registry``
    (default: the discovered one) in both stores."""
    with unit_of_work() as session:
        if registry is not None:
            sync_roles_and_permissions(session, registry)
            record_installed(session, registry.modules)
        mum = Store(**vars(StoreInput("MUM", "Mumbai", "Zaveri Bazaar", "Maharashtra")))
        dl = Store(**vars(StoreInput("DEL", "Delhi", "Karol Bagh", "Delhi")))
        session.add(mum)
        session.add(dl)
        session.flush()
        users = {}
        for role in STAFF_ROLES:
            roles = {"MUM": role, "DEL": role} if role != "sales" else {"MUM": role}
            user = create_user(session, None, UserInput(role.title(), f"{role}@test.in"), PASSWORD, roles)
            users[role] = user.id
        for module in (registry or get_registry()).toggleable():
            for store in (mum, dl):
                enable_module(session, None, module.name, store.id, registry)
        return World(mum.id, dl.id, users)


@pytest.fixture
def world(db: str, world_template: tuple[str, World]) -> World:
    """Stores, staff and every module enabled (``db`` is already the copy of the world's template)."""
    return world_template[1]


def disable_with_dependents(session: Session, module: str, store_id: int) -> None:
    """Switch ``module`` off in the store, after every module that needs it (they could not stay on without it)."""
    for name in [*reversed(get_registry().dependents(module)), module]:
        disable_module(session, None, name, store_id)


def disable_everywhere(world: World, module: str) -> World:
    """Switch ``module`` (and what needs it) off in both of the world's stores (a test of a module without one of
    its neighbours); returns the world."""
    with unit_of_work() as session:
        for store in (world.mum, world.dl):
            disable_with_dependents(session, module, store)
    return world


def run_as(actor: Actor, service: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Call ``service(session, actor, *args, **kwargs)`` in the actor's own unit of work (committed when it
    returns, rolled back when it raises), as a page's handler would; returns what the service returned."""
    with unit_of_work(actor) as session:
        return service(session, actor, *args, **kwargs)


@dataclass
class ReceivedMail:
    """One message the test mail server accepted: envelope sender and recipients, and the parsed mail."""

    sender: str
    recipients: list[str]
    mail: EmailMessage

    @property
    def text(self) -> str:
        """The plain-text body, decoded (quoted-printable and all), of a plain or multipart mail."""
        return self.mail.get_body(("plain",)).get_content()

    def attachment(self, filename: str) -> bytes:
        """The bytes of the attached file named ``filename``."""
        for part in self.mail.iter_attachments():
            if part.get_filename() == filename:
                return part.get_payload(decode=True)
        raise AssertionError(f"no attachment {filename} in the mail")

    def link(self, path: str) -> str:
        """The first link in the body whose path is ``path`` (``/password/reset``), with its query."""
        found = re.search(rf"https?://[^\s/]+{re.escape(path)}\?\S+", self.text)
        assert found, f"no {path} link in the mail:\n{self.text}"
        return found.group(0)


class MailInbox:
    """Everything a real SMTP server (aiosmtpd, on a random local port) received, for tests to read."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self.port = 0

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:
        """aiosmtpd's hook: keep the message."""
        mail = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[attr-defined]
        self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), mail))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[ReceivedMail]:
        """The messages sent to ``address``, oldest first."""
        return [m for m in self.messages if address in m.recipients]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10) -> ReceivedMail:
        """The ``count``-th message to ``address``, waiting up to ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count:
            assert time.monotonic() < deadline, f"no mail #{count} to {address} within {timeout} s"
            time.sleep(0.05)
        return self.to(address)[count - 1]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[MailInbox]:
    """A real SMTP server for the whole test run (aiosmtpd on 127.0.0.1, a random port)."""
    from aiosmtpd.controller import Controller

    class RandomPortController(Controller):
        """aiosmtpd's controller checks its server by connecting to ``port``: learn the one the OS picked first."""

        def _trigger_server(self) -> None:
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    inbox = MailInbox()
    controller = RandomPortController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_inbox(smtp_server: MailInbox) -> MailInbox:
    """The test mail server, emptied for this test: point a store at it with :func:`send_mail_through`."""
    smtp_server.messages.clear()
    return smtp_server


def send_mail_through(inbox: MailInbox, *store_ids: int) -> None:
    """Set the stores' SMTP settings to the test mail server (plain SMTP, no sign-in)."""
    from jewelerp.auth.service import system_actor
    from jewelerp.core.settings import set_setting

    values = {"host": "127.0.0.1", "port": str(inbox.port), "tls": "no", "from": "JewelERP <shop@test.in>"}
    with unit_of_work() as session:
        for store_id in store_ids:
            for key, raw in values.items():
                set_setting(session, system_actor(session, store_id), store_id, f"core.smtp_{key}", raw)
