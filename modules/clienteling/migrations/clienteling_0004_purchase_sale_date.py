"""The sale's own date on a reported purchase: ``clienteling_purchase.sold_on``, the store's date of the invoice
that billing's event names. Existing purchases keep NULL: the customer 360 page dates them, as before, by when
the event was processed (``at``).

Revision ID: clienteling_0004
Revises: clienteling_0003
Create Date: 2026-12-06 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "clienteling_0004"
down_revision: str | Sequence[str] | None = "clienteling_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column (NULL for existing purchases)."""
    with op.batch_alter_table("clienteling_purchase", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sold_on", sa.Date(), nullable=True))


def downgrade() -> None:
    """Drop the column, in place: SQLite (3.35 and later) drops it without rebuilding the table."""
    with op.batch_alter_table("clienteling_purchase", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("sold_on")
