"""The PostgreSQL side of :mod:`jewelerp.backup`: ``pg_dump``/``pg_restore``, scratch databases and the swap.

The client tools get a libpq URL made from the SQLAlchemy one (no ``+psycopg`` driver part, no password) and
the password in ``PGPASSWORD``, so it never shows in the process list. Every engine made here has no pool
and is disposed before the function returns: nothing of this process stays connected to a database that is
about to be renamed or dropped. Creating, renaming and dropping databases happens on the server's
maintenance database ``postgres``, and needs a database user that owns the live database and may create
databases (``CREATEDB``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from psycopg import sql
from psycopg.errors import ObjectInUse
from sqlalchemy import URL, Connection, Engine, create_engine, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from jewelerp.db import utcnow
from jewelerp.errors import JewelError

MAINTENANCE_DB = "postgres"
NAME_LIMIT = 63  # bytes in a PostgreSQL identifier; longer names are cut by the server
CLIENT_PACKAGE = "postgresql-client"


def libpq_url(url: URL) -> str:
    """``url`` as the client tools take it: ``postgresql://user@host:port/db``, without the password."""
    bare = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return bare.render_as_string(hide_password=False)  # URL.set(password=None) would keep the password


def _run(tool: str, url: URL, *args: str) -> None:
    """Run client tool ``tool`` on the database ``url`` names; JewelError with the first line it wrote to
    stderr when it fails."""
    path = shutil.which(tool)
    if path is None:
        raise JewelError(f"{tool} is not installed: apt-get install {CLIENT_PACKAGE}")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(
        [path, *args, f"--dbname={libpq_url(url)}"], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise JewelError(f"{tool} failed: {lines[0] if lines else f'exit status {done.returncode}'}")


def dump(url: URL, target: Path) -> None:
    """Write the database ``url`` names to the file ``target`` in ``pg_dump``'s custom format (no owners,
    no grants: it restores under whichever user restores it)."""
    _run("pg_dump", url, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}")


def load(source: Path, url: URL) -> None:
    """Restore the custom-format dump ``source`` into the empty database ``url`` names, all or nothing."""
    _run("pg_restore", url, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", str(source))


@contextmanager
def _engine(url: URL) -> Iterator[Engine]:
    """An engine without a pool on ``url``, disposed afterwards."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


def _server(live: URL) -> AbstractContextManager[Engine]:
    """An engine on the maintenance database of ``live``'s server, disposed afterwards."""
    return _engine(live.set(database=MAINTENANCE_DB))


def schema_of(url: URL) -> tuple[str, ...]:
    """The sorted ``alembic_version`` rows of the database ``url`` names (empty when it has no such table)."""
    with _engine(url) as engine, engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def table_names(url: URL) -> set[str]:
    """The tables of the database ``url`` names (its default schema)."""
    with _engine(url) as engine, engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def _derived_name(live: str, tag: str) -> str:
    """``<live>_<tag>``, the live name shortened so that the whole fits a PostgreSQL name."""
    room = NAME_LIMIT - len(tag.encode()) - 1
    return f"{live.encode()[:room].decode(errors='ignore')}_{tag}"


def _quoted(connection: Connection, query: str, *names: str) -> str:
    """``query`` with its ``{}`` filled by ``names`` as quoted identifiers."""
    return sql.SQL(query).format(*map(sql.Identifier, names)).as_string(connection.connection.driver_connection)


def _other_sessions(connection: Connection, name: str) -> int:
    """How many sessions but ``connection``'s own use database ``name`` (autovacuum gives way by itself)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid() "
        "AND backend_type <> 'autovacuum worker'"
    )
    return connection.scalar(query, {"name": name}) or 0


def _end_sessions(connection: Connection, name: str) -> None:
    """End every other session on database ``name``; the server waits for them to go before it renames it."""
    query = text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
    )
    connection.execute(query, {"name": name})


def _refuse_if_used(connection: Connection, name: str) -> None:
    others = _other_sessions(connection, name)
    if others:
        raise JewelError(f"stop the app first: {others} other connection(s) use the database")


def _exists(connection: Connection, name: str) -> bool:
    return connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is not None


def check_unused(live: URL) -> None:
    """JewelError "stop the app first" while other sessions use the database ``live`` names."""
    with _server(live) as engine, engine.connect() as connection:
        _refuse_if_used(connection, str(live.database))


def exists(live: URL) -> bool:
    """Whether the database ``live`` names exists on its server."""
    with _server(live) as engine, engine.connect() as connection:
        return _exists(connection, str(live.database))


def _create(connection: Connection, name: str, like: str) -> None:
    """Create the empty database ``name`` (from ``template0``) with the encoding and locale of database ``like``
    (the server's defaults when there is no such database)."""
    settings = connection.execute(
        text("SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = :name"),
        {"name": like},
    ).first()
    statement = sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
    if settings is not None:
        statement += sql.SQL(" ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(*map(sql.Literal, settings))
    connection.exec_driver_sql(statement.as_string(connection.connection.driver_connection))


@contextmanager
def scratch_database(live: URL) -> Iterator[URL]:
    """A new empty database ``<live>_restore_<random>`` on the same server, with the live database's encoding
    and locale; it is dropped afterwards unless :func:`swap` has put it in the live one's place."""
    name = _derived_name(str(live.database), f"restore_{secrets.token_hex(4)}")
    with _server(live) as server:
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            _create(connection, name, str(live.database))
        try:
            yield live.set(database=name)
        finally:
            with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql(_quoted(connection, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name))


def swap(live: URL, scratch: URL) -> None:
    """Put the database ``scratch`` in the place of ``live``: the live one is renamed away, the scratch one takes
    its name (both in one transaction), then the renamed one is dropped. Refused while other sessions use the
    live database. Sessions left on the scratch database are ended: it is this restore's own, and a pooled
    connection of an engine that migrated it may linger."""
    name, replaced = str(live.database), _derived_name(str(live.database), f"replaced_{utcnow():%Y%m%dT%H%M%S}")
    with _server(live) as server:
        try:
            with server.begin() as connection:
                _refuse_if_used(connection, name)
                _end_sessions(connection, str(scratch.database))
                had_live = _exists(connection, name)
                if had_live:
                    connection.exec_driver_sql(_quoted(connection, "ALTER DATABASE {} RENAME TO {}", name, replaced))
                connection.exec_driver_sql(
                    _quoted(connection, "ALTER DATABASE {} RENAME TO {}", str(scratch.database), name)
                )
        except OperationalError as exc:  # a session came in after the count
            if isinstance(exc.orig, ObjectInUse):
                raise JewelError(f"stop the app first: {str(exc.orig).splitlines()[0]}") from exc
            raise
        if had_live:
            with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql(_quoted(connection, "DROP DATABASE {}", replaced))
