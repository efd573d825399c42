"""stock: the value of each stone line (what the stones are charged to the customer)

The new NOT NULL column gets a server default of 0 so databases with stones upgrade in place.

Revision ID: 0009_stock_stone_value
Revises: 0008_billing_payments
Create Date: 2026-11-26 19:54:38.378476
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jewelerp.db

revision: str = "0009_stock_stone_value"
down_revision: str | Sequence[str] | None = "0008_billing_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("stock_stone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value", jewelerp.db.Money(), nullable=False, server_default=sa.text("'0'")))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("stock_stone", schema=None) as batch_op:
        batch_op.drop_column("value")
