"""Staff invitations: a mailed single-use link with the roles per store the invitee will hold

Revision ID: core_0008
Revises: core_0007
Create Date: 2026-12-06 05:18:54
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "core_0008"
down_revision: str | Sequence[str] | None = "core_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``core_invitation``; a provider sign-in flow may carry the invitation it accepts."""
    op.create_table(
        "core_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("accepted_user_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["accepted_user_id"], ["core_user.id"], name=op.f("fk_core_invitation_accepted_user_id_core_user")
        ),
        sa.ForeignKeyConstraint(["invited_by"], ["core_user.id"], name=op.f("fk_core_invitation_invited_by_core_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_core_invitation_token_hash")),
    )
    with op.batch_alter_table("core_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_invitation_email"), ["email"], unique=False)

    with op.batch_alter_table("core_oauth_flow", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("core_oauth_flow", schema=None) as batch_op:
        batch_op.drop_column("invitation_id")

    with op.batch_alter_table("core_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_invitation_email"))

    op.drop_table("core_invitation")
