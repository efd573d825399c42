"""Public page stamp: ``stock_piece.public_changed_at``, when what the piece's public certificate page shows last
changed (the page's cache compares it). Existing pieces keep NULL: their page dates from ``created_at``.

Revision ID: stock_0003
Revises: stock_0002
Create Date: 2026-12-05 21:57:31.102230
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "stock_0003"
down_revision: str | Sequence[str] | None = "stock_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column (NULL for existing pieces)."""
    with op.batch_alter_table("stock_piece", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop the column, in place: SQLite (3.35 and later) drops it without rebuilding the table, which its
    search triggers and the foreign keys pointing at it would not survive."""
    with op.batch_alter_table("stock_piece", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("public_changed_at")
