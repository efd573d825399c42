"""stock search: a trigram FTS5 index over SKU, HUID, description, batch and certificate numbers (SQLite only)

Revision ID: 0005_stock_search
Revises: 0004_stock
Create Date: 2026-11-26 18:40:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0005_stock_search"
down_revision: str | Sequence[str] | None = "0004_stock"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The index's statements as this revision ran them (frozen: the module's code may change since).
CERTIFICATE_DDL = (
    "CREATE TRIGGER IF NOT EXISTS stock_piece_fts_cert_ai AFTER INSERT ON stock_certificate BEGIN DELETE FROM "
    "stock_piece_fts WHERE rowid = new.piece_id; INSERT INTO stock_piece_fts(rowid, sku, huid, description, "
    "batch, certificates) SELECT p.id, p.sku, coalesce(p.huid, ''), p.description, p.batch, coalesce((SELECT "
    "group_concat(report_number, ' ') FROM stock_certificate WHERE piece_id = p.id), '') FROM stock_piece p "
    "WHERE p.id = new.piece_id; END",
    "CREATE TRIGGER IF NOT EXISTS stock_piece_fts_cert_au AFTER UPDATE ON stock_certificate BEGIN DELETE FROM "
    "stock_piece_fts WHERE rowid = old.piece_id; INSERT INTO stock_piece_fts(rowid, sku, huid, description, "
    "batch, certificates) SELECT p.id, p.sku, coalesce(p.huid, ''), p.description, p.batch, coalesce((SELECT "
    "group_concat(report_number, ' ') FROM stock_certificate WHERE piece_id = p.id), '') FROM stock_piece p "
    "WHERE p.id = old.piece_id; DELETE FROM stock_piece_fts WHERE rowid = new.piece_id; INSERT INTO "
    "stock_piece_fts(rowid, sku, huid, description, batch, certificates) SELECT p.id, p.sku, coalesce(p.huid, "
    "''), p.description, p.batch, coalesce((SELECT group_concat(report_number, ' ') FROM stock_certificate "
    "WHERE piece_id = p.id), '') FROM stock_piece p WHERE p.id = new.piece_id; END",
    "CREATE TRIGGER IF NOT EXISTS stock_piece_fts_cert_ad AFTER DELETE ON stock_certificate BEGIN DELETE FROM "
    "stock_piece_fts WHERE rowid = old.piece_id; INSERT INTO stock_piece_fts(rowid, sku, huid, description, "
    "batch, certificates) SELECT p.id, p.sku, coalesce(p.huid, ''), p.description, p.batch, coalesce((SELECT "
    "group_concat(report_number, ' ') FROM stock_certificate WHERE piece_id = p.id), '') FROM stock_piece p "
    "WHERE p.id = old.piece_id; END",
)
DROP = (
    "DROP TRIGGER IF EXISTS stock_piece_fts_piece_ai",
    "DROP TRIGGER IF EXISTS stock_piece_fts_piece_au",
    "DROP TRIGGER IF EXISTS stock_piece_fts_piece_ad",
    "DROP TRIGGER IF EXISTS stock_piece_fts_cert_ai",
    "DROP TRIGGER IF EXISTS stock_piece_fts_cert_au",
    "DROP TRIGGER IF EXISTS stock_piece_fts_cert_ad",
    "DROP TABLE IF EXISTS stock_piece_fts",
)
PIECE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS stock_piece_fts USING fts5(sku, huid, description, batch, certificates, "
    "tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS stock_piece_fts_piece_ai AFTER INSERT ON stock_piece BEGIN INSERT INTO "
    "stock_piece_fts(rowid, sku, huid, description, batch, certificates) SELECT p.id, p.sku, coalesce(p.huid, "
    "''), p.description, p.batch, coalesce((SELECT group_concat(report_number, ' ') FROM stock_certificate "
    "WHERE piece_id = p.id), '') FROM stock_piece p WHERE p.id = new.id; END",
    "CREATE TRIGGER IF NOT EXISTS stock_piece_fts_piece_au AFTER UPDATE OF sku, huid, description, batch ON "
    "stock_piece BEGIN DELETE FROM stock_piece_fts WHERE rowid = new.id; INSERT INTO stock_piece_fts(rowid, "
    "sku, huid, description, batch, certificates) SELECT p.id, p.sku, coalesce(p.huid, ''), p.description, "
    "p.batch, coalesce((SELECT group_concat(report_number, ' ') FROM stock_certificate WHERE piece_id = p.id), "
    "'') FROM stock_piece p WHERE p.id = new.id; END",
    "CREATE TRIGGER IF NOT EXISTS stock_piece_fts_piece_ad AFTER DELETE ON stock_piece BEGIN DELETE FROM "
    "stock_piece_fts WHERE rowid = old.id; END",
)
REBUILD = (
    "DELETE FROM stock_piece_fts",
    "INSERT INTO stock_piece_fts(rowid, sku, huid, description, batch, certificates) SELECT p.id, p.sku, "
    "coalesce(p.huid, ''), p.description, p.batch, coalesce((SELECT group_concat(report_number, ' ') FROM "
    "stock_certificate WHERE piece_id = p.id), '') FROM stock_piece p",
)


def upgrade() -> None:
    """Create the index and its triggers, then fill it from the pieces already there."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in (*PIECE_DDL, *CERTIFICATE_DDL, *REBUILD):
        op.execute(statement)


def downgrade() -> None:
    """Drop the triggers and the index."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in DROP:
        op.execute(statement)
