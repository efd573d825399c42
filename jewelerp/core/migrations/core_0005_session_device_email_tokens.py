"""Sign-in method and device on sessions; e-mail links for password resets and address confirmation

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-12-06 04:58:17
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "core_0005"
down_revision: str | Sequence[str] | None = "core_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``core_email_token``; sessions record method, address and browser; users an unconfirmed new
    address; login tries their kind."""
    op.create_table(
        "core_email_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["core_user.id"], name=op.f("fk_core_email_token_user_id_core_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_email_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_core_email_token_token_hash")),
    )
    with op.batch_alter_table("core_email_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_email_token_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("core_auth_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="password")
        )
        batch_op.add_column(
            sa.Column("client_ip", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("user_agent", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default="")
        )

    with op.batch_alter_table("core_login_attempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default="password")
        )

    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("pending_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("core_login_attempt", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.drop_column("pending_email")
        batch_op.drop_column("email_confirmed_at")

    with op.batch_alter_table("core_auth_session", schema=None) as batch_op:
        batch_op.drop_column("user_agent")
        batch_op.drop_column("client_ip")
        batch_op.drop_column("method")

    with op.batch_alter_table("core_email_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_email_token_user_id"))

    op.drop_table("core_email_token")
