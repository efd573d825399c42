"""portal: the Google, Facebook or LinkedIn accounts customers sign in with.

Revision ID: portal_0002
Revises: portal_0001
Create Date: 2026-12-07 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "portal_0002"
down_revision: str | Sequence[str] | None = "portal_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``portal_identity``."""
    op.create_table(
        "portal_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("linked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["portal_account.id"], name=op.f("fk_portal_identity_account_id_portal_account")
        ),
        sa.ForeignKeyConstraint(["store_id"], ["core_store.id"], name=op.f("fk_portal_identity_store_id_core_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_identity")),
        sa.UniqueConstraint("store_id", "provider", "subject", name="uq_portal_identity_store_provider_subject"),
    )
    with op.batch_alter_table("portal_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_identity_account_id"), ["account_id"], unique=False)


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("portal_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_identity_account_id"))
    op.drop_table("portal_identity")
