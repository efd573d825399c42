"""Database engine, sessions, unit of work and exact money/weight column types.

Times are timezone-aware UTC datetimes (SQLModel refuses naive ones). Money is stored as integer paise and
weights as integer milligrams, so values round-trip exactly on every backend.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, NoSuchModuleError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from jewelerp import PROJECT_ROOT
from jewelerp.errors import JewelError

if TYPE_CHECKING:
    from jewelerp.auth.actor import Actor

# Named constraints let Alembic's batch mode (SQLite) alter tables that have foreign keys.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
DEFAULT_DB_PATH = PROJECT_ROOT / ".data" / "jewelerp.db"  # a hidden folder: Reflex hot reload skips it
_engine: Engine | None = None
log = logging.getLogger(__name__)
_AFTER_COMMIT = "jewelerp_after_commit"  # session.info key of the on_commit callbacks
PAISA = Decimal("0.01")
MILLIGRAM = Decimal("0.001")


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (how times are stored)."""
    return datetime.now(UTC)


DB_URL_ENV = "JEWELERP_DB_URL"


def database_url() -> str:
    """The configured SQLAlchemy URL: JEWELERP_DB_URL or the embedded SQLite file."""
    url = os.environ.get(DB_URL_ENV)
    if url:
        return url
    DEFAULT_DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB_PATH}"


def _configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys and BEGIN IMMEDIATE for write transactions."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get("jewelerp_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def shown_url(url: str) -> str | None:
    """``url`` as it may be printed (the password hidden); None when it is not a database URL."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return None


def database_problem(exc: BaseException) -> str | None:
    """One line saying why the configured database cannot be used, when ``exc`` is such a failure (a URL that
    does not parse, an unknown driver, a server that refuses or does not answer); None for other errors."""
    shown = shown_url(database_url())
    if shown is None:
        return f"{DB_URL_ENV} is not a database URL (e.g. postgresql+psycopg://user:password@host/jewelerp)"
    where = f"the database {DB_URL_ENV}={shown}"
    if isinstance(exc, NoSuchModuleError) or (isinstance(exc, ModuleNotFoundError) and _is_driver(exc.name or "")):
        return f"{where} names a database this installation has no driver for ({exc}); use sqlite or postgresql+psycopg"
    if isinstance(exc, OperationalError | InterfaceError):
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
        return f"{where} cannot be reached: {reason}"
    return None


DATABASE_UNAVAILABLE = "The database did not answer; nothing was saved. Try again in a moment."


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be used just now (the server restarted, refused or did not
    answer, a connection dropped mid-transaction, no pooled connection came free, SQLite stayed locked) rather
    than that the data was wrong (SQLAlchemy's OperationalError also covers a missing table: the logged reason
    tells which).

    The transaction it happened in is gone whole: PostgreSQL aborts a transaction whose connection drops, and
    :func:`unit_of_work` rolls back on any error. The pool throws the dropped connections away and
    ``pool_pre_ping`` tests the others, so the next unit of work connects afresh once the server is back."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def log_unavailable(exc: BaseException, where: str) -> None:
    """Log on one line that the database could not be used in ``where``, and why (no traceback: during an
    outage every open page would log one)."""
    log.warning("%s: %s", where, database_problem(exc) or f"{type(exc).__name__}: {exc}")


def _is_driver(module: str) -> bool:
    return module.split(".")[0] in {"MySQLdb", "pymysql", "psycopg2", "cx_Oracle", "oracledb", "pyodbc", "asyncpg"}


def check_database() -> None:
    """Connect to the configured database once; JewelError with :func:`database_problem`'s line when it fails."""
    try:
        with get_engine().connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as exc:
        problem = database_problem(exc)
        if problem is None:
            raise
        raise JewelError(problem) from exc


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the platform's connection settings."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine() -> Engine:
    """The process-wide engine for :func:`database_url` (created on first use)."""
    global _engine
    if _engine is None or _engine.url.render_as_string(hide_password=False) != database_url():
        _engine = make_engine(database_url())
    return _engine


def reset_engine() -> None:
    """Dispose the cached engine (tests switch databases with this)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = None


def on_commit(session: Session, callback: Callable[[], object]) -> None:
    """Run ``callback`` once the :func:`unit_of_work` holding ``session`` has committed and closed.

    A rollback drops it. It runs with no transaction open; its exception is logged and never reaches
    the caller of the committed work.
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def _run_after_commit(callbacks: list[Callable[[], object]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the work committed: its caller gets its result whatever a follow-up does
            log.exception("after-commit callback %r failed", callback)


@contextmanager
def unit_of_work(actor: Actor | None = None) -> Iterator[Session]:
    """A write transaction: commits when the block ends, rolls back whole on error.

    The actor is kept in ``session.info`` so the audit log knows who changed what. Callbacks
    registered with :func:`on_commit` run after the commit, outside the transaction.
    """
    session = Session(get_engine(), expire_on_commit=False)
    session.info["actor"] = actor
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        callbacks = session.info.pop(_AFTER_COMMIT, [])
        session.close()
    _run_after_commit(callbacks)


@contextmanager
def read_session() -> Iterator[Session]:
    """A read-only session that never takes the SQLite write lock."""
    session = Session(get_engine().execution_options(jewelerp_readonly=True))
    try:
        yield session
    finally:
        session.close()  # ends the transaction; loaded objects stay readable


class _ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal stored exactly as a whole number of ``unit`` (paise, milligrams)."""

    impl = BigInteger
    cache_ok = True
    unit: Decimal

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) / self.unit).to_integral_value(ROUND_HALF_UP))

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        return None if value is None else (Decimal(value) * self.unit).quantize(self.unit)


class Money(_ScaledDecimal):
    """Decimal rupees stored exactly as integer paise."""

    cache_ok = True
    unit = PAISA


class Weight(_ScaledDecimal):
    """Decimal grams (3 decimals) stored exactly as integer milligrams."""

    cache_ok = True
    unit = MILLIGRAM
