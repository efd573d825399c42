"""When the workshop finished a request: engraving_request.done_at.

Revision ID: engraving_0002
Revises: engraving_0001
Create Date: 2026-12-04 21:04:41.249002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import jewelerp.db  # noqa: F401 - Money and Weight columns render as jewelerp.db.Money()

revision: str = "engraving_0002"
down_revision: str | Sequence[str] | None = "engraving_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("engraving_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("engraving_request", schema=None) as batch_op:
        batch_op.drop_column("done_at")
