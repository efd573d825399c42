"""Public page stamp index: ``stock_piece.public_changed_at``, so each worker's once-a-second look for the pieces whose
certificate page changed (``jewelerp.ui.public_page.ChangeWatch``) reads an index, not the table.

Revision ID: stock_0004
Revises: stock_0003
Create Date: 2026-12-06 02:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "stock_0004"
down_revision: str | Sequence[str] | None = "stock_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the index."""
    op.create_index(op.f("ix_stock_piece_public_changed_at"), "stock_piece", ["public_changed_at"], unique=False)


def downgrade() -> None:
    """Drop the index."""
    op.drop_index(op.f("ix_stock_piece_public_changed_at"), table_name="stock_piece")
