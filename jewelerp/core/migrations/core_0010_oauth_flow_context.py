"""The provider flow's context: what a module's purpose reads back when the provider answers

Revision ID: core_0010
Revises: core_0009
Create Date: 2026-12-07 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "core_0010"
down_revision: str | Sequence[str] | None = "core_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``core_oauth_flow.context``."""
    with op.batch_alter_table("core_oauth_flow", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("context", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("core_oauth_flow", schema=None) as batch_op:
        batch_op.drop_column("context")
