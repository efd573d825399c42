"""Trigram indexes over SKU, HUID, description, batch and certificate numbers: FTS5 on SQLite, pg_trgm on PostgreSQL.

One FTS5 row per piece; triggers keep it in step with ``stock_piece`` and
``stock_certificate``. On PostgreSQL the list's LIKE clauses are answered from GIN trigram indexes on
the same columns (:data:`PIECE_TRIGRAMS`, :data:`CERTIFICATE_TRIGRAMS`, migration ``stock_0002``).
Tables with ``_fts`` in their name are left out of Alembic's comparison.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, column, event, func, select, table, union
from sqlalchemy import text as text_clause

from jewelerp.db import get_engine
from jewelerp.search_indexes import trigram_indexes
from modules.stock.models import Certificate, Piece

FTS_TABLE = "stock_piece_fts"
_REPORTS = "coalesce((SELECT group_concat(report_number, ' ') FROM stock_certificate WHERE piece_id = {id}), '')"
_ROW = (
    f"INSERT INTO {FTS_TABLE}(rowid, sku, huid, description, batch, certificates) "
    "SELECT p.id, p.sku, coalesce(p.huid, ''), p.description, p.batch, " + _REPORTS.format(id="p.id") + " "
    "FROM stock_piece p WHERE p.id = {id};"
)
_REFRESH = f"DELETE FROM {FTS_TABLE} WHERE rowid = {{id}}; " + _ROW
PIECE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(sku, huid, description, batch, certificates, "
    "tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_piece_ai AFTER INSERT ON stock_piece BEGIN "
    + _ROW.format(id="new.id")
    + " END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_piece_au AFTER UPDATE OF sku, huid, description, batch ON stock_piece "
    "BEGIN " + _REFRESH.format(id="new.id") + " END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_piece_ad AFTER DELETE ON stock_piece BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END",
)
CERTIFICATE_DDL = (
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_cert_ai AFTER INSERT ON stock_certificate BEGIN "
    + _REFRESH.format(id="new.piece_id")
    + " END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_cert_au AFTER UPDATE ON stock_certificate BEGIN "
    + _REFRESH.format(id="old.piece_id")
    + " "
    + _REFRESH.format(id="new.piece_id")
    + " END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_cert_ad AFTER DELETE ON stock_certificate BEGIN "
    + _REFRESH.format(id="old.piece_id")
    + " END",
)
REBUILD = (
    f"DELETE FROM {FTS_TABLE}",
    f"INSERT INTO {FTS_TABLE}(rowid, sku, huid, description, batch, certificates) "
    "SELECT p.id, p.sku, coalesce(p.huid, ''), p.description, p.batch, "
    + _REPORTS.format(id="p.id")
    + " FROM stock_piece p",
)
DROP = (
    *(
        f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{name}"
        for name in ("piece_ai", "piece_au", "piece_ad", "cert_ai", "cert_au", "cert_ad")
    ),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)

for _statement in PIECE_DDL:  # tables made with create_all (tests, benches) get the index too
    event.listen(Piece.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in CERTIFICATE_DDL:
    event.listen(Certificate.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
PIECE_TRIGRAMS = tuple((f"stock_piece_{c}_trgm", f"lower({c})") for c in ("sku", "huid", "description", "batch"))
CERTIFICATE_TRIGRAMS = (("stock_certificate_report_number_trgm", "lower(report_number)"),)
trigram_indexes(Piece.__table__, PIECE_TRIGRAMS)
trigram_indexes(Certificate.__table__, CERTIFICATE_TRIGRAMS)


def indexed_search(typed: str) -> Any | None:
    """Pieces whose SKU, HUID, description, batch or a certificate number contains ``typed`` (any case), from
    the database's trigram index; None below three characters, where no trigram can help."""
    text = typed.strip()
    dialect = get_engine().dialect.name
    if len(text) < 3 or dialect not in ("sqlite", "postgresql"):
        return None
    if dialect == "postgresql":
        return _trigram_search(text.lower())
    match = '"' + text.replace('"', '""') + '"'
    ids = select(column("rowid")).select_from(table(FTS_TABLE))
    return Piece.id.in_(ids.where(text_clause(f"{FTS_TABLE} MATCH :piece_match").bindparams(piece_match=match)))


def _trigram_search(lowered: str) -> Any:
    """One index-backed lookup per column, united: PostgreSQL cannot combine a certificate subquery ORed with
    the piece columns into one bitmap scan, so an ``OR`` over them would read every piece."""
    like = f"%{lowered}%"
    columns = (Piece.sku, Piece.huid, Piece.description, Piece.batch)
    lookups = [select(Piece.id).where(func.lower(c).like(like)) for c in columns]
    lookups.append(select(Certificate.piece_id).where(func.lower(Certificate.report_number).like(like)))
    return Piece.id.in_(union(*lookups))
