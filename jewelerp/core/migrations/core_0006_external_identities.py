"""Sign-in through Google, Microsoft, LinkedIn and Facebook: provider settings, linked accounts, flows in progress

Revision ID: core_0006
Revises: core_0005
Create Date: 2026-12-06 05:02:13
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "core_0006"
down_revision: str | Sequence[str] | None = "core_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``core_identity_provider``, ``core_external_identity`` and ``core_oauth_flow``."""
    op.create_table(
        "core_identity_provider",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=False),
        sa.Column("tenant", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("allowed_tenants", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_core_identity_provider")),
    )
    op.create_table(
        "core_external_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("linked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["core_user.id"], name=op.f("fk_core_external_identity_user_id_core_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_external_identity")),
        sa.UniqueConstraint("provider", "subject", name=op.f("uq_core_external_identity_provider")),
    )
    with op.batch_alter_table("core_external_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_external_identity_user_id"), ["user_id"], unique=False)

    op.create_table(
        "core_oauth_flow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("state_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("browser_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("code_verifier", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("redirect_uri", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("next_path", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["core_user.id"], name=op.f("fk_core_oauth_flow_user_id_core_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_oauth_flow")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_core_oauth_flow_state_hash")),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("core_oauth_flow")
    with op.batch_alter_table("core_external_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_external_identity_user_id"))

    op.drop_table("core_external_identity")
    op.drop_table("core_identity_provider")
