"""Event cancellation: ``events_event.cancelled_at`` and ``cancel_reason`` (staff call an event off; its records
stay). Existing events keep NULL and an empty reason: not cancelled.

Revision ID: events_0002
Revises: events_0001
Create Date: 2026-12-07 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "events_0002"
down_revision: str | Sequence[str] | None = "events_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the columns (not cancelled for existing events)."""
    with op.batch_alter_table("events_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Drop the columns, in place: SQLite (3.35 and later) drops them without rebuilding the table, which the
    foreign keys pointing at it would not survive."""
    with op.batch_alter_table("events_event", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
