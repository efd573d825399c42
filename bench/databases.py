"""The databases a bench runs on, SQLite and PostgreSQL side by side, and the table that compares them.

Shared by bench/customer_search.py and bench/invoice_create.py. SQLite databases are files in a folder; the
PostgreSQL ones are databases on one throwaway server (``tests/pg_cluster.py``: Debian's ``initdb``/``pg_ctl``,
durability off), started on first use and removed with everything on it when the bench ends. The app is
pointed at a database through ``JEWELERP_DB_URL``, as in production.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
BACKENDS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}  # --db name: printed name


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """The ``--db sqlite|postgres|both`` option (default both)."""
    parser.add_argument(
        "--db",
        choices=(*BACKENDS, "both"),
        default="both",
        help="the database system(s) to run on (PostgreSQL: a throwaway server of tests/pg_cluster.py)",
    )


def chosen(option: str) -> list[str]:
    """The backends ``--db`` names, SQLite first."""
    return list(BACKENDS) if option == "both" else [option]


class Databases:
    """Makes the bench's databases: SQLite files in ``folder``, PostgreSQL databases on one throwaway server that
    ``stack`` stops at the end."""

    def __init__(self, stack: ExitStack, folder: Path) -> None:
        self.stack, self.folder = stack, folder
        self._server: Any = None
        stack.callback(_reset_engine)  # the last connections closed before the folder goes

    def sqlite_path(self, name: str) -> Path:
        """The file of SQLite database ``name`` (it may exist already, e.g. a kept one)."""
        return self.folder / f"{name}.db"

    def new(self, backend: str, name: str) -> str:
        """The URL of database ``name`` on ``backend``; on PostgreSQL an empty database created now."""
        if backend == "sqlite":
            return f"sqlite:///{self.sqlite_path(name)}"
        from sqlalchemy import create_engine

        server = self.server()
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            admin.dispose()
        return server.set(database=name).render_as_string(hide_password=False)

    def server(self) -> Any:
        """The throwaway PostgreSQL server's URL (maintenance database), started on first use."""
        if self._server is None:
            from sqlalchemy import make_url

            from tests.pg_cluster import ClusterError, cluster

            try:
                self._server = make_url(self.stack.enter_context(cluster()))
            except ClusterError as exc:
                raise SystemExit(f"PostgreSQL: {exc}") from exc
            self.stack.callback(_reset_engine)  # before the server stops: no connection left open
        return self._server


@dataclass
class Built(Generic[T]):
    """A bench database: its URL, what its build returned (actors, samples) and the seconds it took."""

    url: str
    made: T
    seconds: float


def build_each(databases: Databases, backends: list[str], name: str, build: Callable[[str], T]) -> dict[str, Built[T]]:
    """Database ``name`` on each of ``backends`` in turn, filled by ``build(url)``."""
    built = {}
    for backend in backends:
        started = time.perf_counter()
        url = databases.new(backend, name)
        made = build(url)
        built[backend] = Built(url, made, time.perf_counter() - started)
    return built


def _reset_engine() -> None:
    from jewelerp.db import reset_engine

    reset_engine()


def use(url: str) -> None:
    """Point the app at ``url`` (fresh connections from now on)."""
    from jewelerp.db import reset_engine

    os.environ["JEWELERP_DB_URL"] = url
    reset_engine()


def create_schema(url: str) -> None:
    """Point the app at ``url`` and set it up as the tests' databases are (``jewelerp.testing.build_schema``):
    every table (``create_all``: on SQLite with the FTS5 search tables and their triggers, on PostgreSQL with
    the pg_trgm indexes), every module's branch stamped at its head and recorded as installed (so
    ``make_world`` may switch them on), the roles and their default grants."""
    from jewelerp.testing import build_schema

    use(url)
    build_schema()


def is_postgres() -> bool:
    """Whether the app's current database is PostgreSQL."""
    from jewelerp.db import get_engine

    return get_engine().dialect.name == "postgresql"


def analyze() -> None:
    """ANALYZE the whole PostgreSQL database once after loading it (production has autovacuum's analyze)."""
    from jewelerp.db import get_engine

    with get_engine().begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def restart_sequences(conn: Any, tables: Iterable[str]) -> None:
    """On PostgreSQL, move the ``id`` sequence of each table past the ids a bulk load gave explicitly (so the
    app's next row gets a free id, as SQLite's rowid does by itself)."""
    if conn.dialect.name != "postgresql":
        return
    for name in tables:
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), coalesce(max(id), 0) + 1, false) FROM {name}"
        )


def size_mb(url: str) -> float:
    """The database's size on disk in MB (SQLite: the file with its WAL; PostgreSQL: ``pg_database_size``)."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*")) / 2**20
    from jewelerp.db import get_engine

    with get_engine().connect() as conn:
        return conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one() / 2**20


@dataclass
class Row:
    """One measure of the comparison table: its value per backend (None: not measured), the decimals to show
    and a note printed after the ratio."""

    measure: str
    values: dict[str, float | None] = field(default_factory=dict)
    decimals: int = 1
    note: str = ""


def print_comparison(rows: list[Row], backends: list[str], width: int = 44) -> None:
    """The table: measure, a column per backend and, with both, the ratio PostgreSQL/SQLite. A row with no value
    at all is printed as a heading."""
    both = len(backends) == 2
    head = f"{'measure':<{width}}" + "".join(f"{BACKENDS[b]:>12}" for b in backends)
    head += f"{'PG/SQLite':>11}" if both else ""
    print(head)
    print("-" * (len(head) + 8))
    for row in rows:
        if not row.values:
            print(row.measure)
            continue
        line = f"{row.measure:<{width}}"
        for backend in backends:
            value = row.values.get(backend)
            line += f"{'-' if value is None else f'{value:,.{row.decimals}f}':>12}"
        if both:
            base, other = (row.values.get(b) for b in backends)
            line += f"{other / base:>11.2f}" if base and other is not None else f"{'-':>11}"
        print(f"{line}  {row.note}".rstrip())
