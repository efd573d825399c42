"""A trigram full-text index over SKU, HUID, description, batch and certificate numbers (SQLite only).

One FTS5 row per piece; triggers keep it in step with ``stock_piece`` and
``stock_certificate``. On other databases the list falls back to LIKE. Tables with
``_fts`` in their name are left out of Alembic's comparison.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, column, event, select, table, text

from jewelerp.db import get_engine
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


def indexed_search(typed: str) -> Any | None:
    """Pieces whose SKU, HUID, description, batch or a certificate number contains ``typed``."""
    if get_engine().dialect.name != "sqlite" or len(typed.strip()) < 3:
        return None
    match = '"' + typed.strip().replace('"', '""') + '"'
    ids = select(column("rowid")).select_from(table(FTS_TABLE))
    return Piece.id.in_(ids.where(text(f"{FTS_TABLE} MATCH :piece_match").bindparams(piece_match=match)))
