"""stock search: a trigram FTS5 index over SKU, HUID, description, batch and certificate numbers (SQLite only)

Revision ID: 0005_stock_search
Revises: 0004_stock
Create Date: 2026-11-26 18:40:00
"""

from collections.abc import Sequence

from alembic import op

from modules.stock.search_index import CERTIFICATE_DDL, DROP, PIECE_DDL, REBUILD

revision: str = "0005_stock_search"
down_revision: str | Sequence[str] | None = "0004_stock"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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
