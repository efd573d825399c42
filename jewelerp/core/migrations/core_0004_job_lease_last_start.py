"""Job leases remember when their latest run started, so workers fired for that same run skip it.

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-12-05 22:26:58
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "core_0004"
down_revision: str | Sequence[str] | None = "core_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``core_job_lease.last_started_at``."""
    with op.batch_alter_table("core_job_lease", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("core_job_lease", schema=None) as batch_op:
        batch_op.drop_column("last_started_at")
