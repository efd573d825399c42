"""Public page stamp: ``repairs_job.public_changed_at``, when what the job's status page shows last changed (the
page's cache compares it). Existing jobs keep NULL: their page dates from ``created_at``.

Revision ID: repairs_0002
Revises: repairs_0001
Create Date: 2026-12-05 21:57:49.286561
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "repairs_0002"
down_revision: str | Sequence[str] | None = "repairs_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column (NULL for existing jobs)."""
    with op.batch_alter_table("repairs_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop the column, in place: SQLite (3.35 and later) drops it without rebuilding the table, which the
    foreign keys pointing at it would not survive."""
    with op.batch_alter_table("repairs_job", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("public_changed_at")
