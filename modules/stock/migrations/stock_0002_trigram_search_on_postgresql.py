"""Trigram search on PostgreSQL: pg_trgm GIN indexes on what the piece search matches with LIKE.

SQLite answers the same searches from its FTS5 trigram table (stock_piece_fts, revision stock_0001);
on PostgreSQL the list's ``lower(column) LIKE '%text%'`` clauses use these indexes instead of reading every row.

Revision ID: stock_0002
Revises: stock_0001
Create Date: 2026-12-05 21:44:01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "stock_0002"
down_revision: str | Sequence[str] | None = "stock_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (  # (index, table, indexed expression)
    ("stock_piece_sku_trgm", "stock_piece", "lower(sku)"),
    ("stock_piece_huid_trgm", "stock_piece", "lower(huid)"),
    ("stock_piece_description_trgm", "stock_piece", "lower(description)"),
    ("stock_piece_batch_trgm", "stock_piece", "lower(batch)"),
    ("stock_certificate_report_number_trgm", "stock_certificate", "lower(report_number)"),
)


def upgrade() -> None:
    """Create the extension and the indexes (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)")


def downgrade() -> None:
    """Drop the indexes; the extension stays (other tables may use it)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
