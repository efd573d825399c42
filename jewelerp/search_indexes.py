"""Trigram indexes that let PostgreSQL answer ``lower(column) LIKE '%text%'`` searches (pg_trgm GIN).

SQLite answers such searches from FTS5 trigram tables that a module keeps itself; on PostgreSQL the list's
LIKE clauses stay as they are and these indexes make them fast, so both give the same rows. A module's
migration creates the indexes in real databases; :func:`trigram_indexes` creates them where
``create_all`` makes the table (the tests' databases, the benches).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import DDL, Table, event

EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"


def trigram_index_ddl(name: str, table: str, expression: str) -> str:
    """The statement creating GIN trigram index ``name`` on ``expression`` (``lower(name)``) of ``table``."""
    return f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)"


def trigram_indexes(table: Table, indexes: Iterable[tuple[str, str]]) -> None:
    """Create the ``(index name, expression)`` trigram indexes on ``table`` when ``create_all`` makes it on
    PostgreSQL (nothing on SQLite)."""
    event.listen(table, "after_create", DDL(EXTENSION).execute_if(dialect="postgresql"))
    for name, expression in indexes:
        statement = trigram_index_ddl(name, table.name, expression)
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
