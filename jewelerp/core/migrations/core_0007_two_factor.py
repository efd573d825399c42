"""Two-factor sign-in: TOTP secrets, recovery codes, sign-ins waiting for their code

Revision ID: core_0007
Revises: core_0006
Create Date: 2026-12-06 05:08:26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "core_0007"
down_revision: str | Sequence[str] | None = "core_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Recovery codes and sign-ins waiting for their code; users' two-factor secret; sessions note the second step."""
    op.create_table(
        "core_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["core_user.id"], name=op.f("fk_core_recovery_code_user_id_core_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_recovery_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_core_recovery_code_code_hash")),
    )
    with op.batch_alter_table("core_recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_recovery_code_user_id"), ["user_id"], unique=False)

    op.create_table(
        "core_sign_in_challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("client_ip", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("user_agent", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["core_user.id"], name=op.f("fk_core_sign_in_challenge_user_id_core_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_sign_in_challenge")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_core_sign_in_challenge_token_hash")),
    )
    with op.batch_alter_table("core_sign_in_challenge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_sign_in_challenge_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("core_auth_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("second_factor", sa.Boolean(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("must_enrol", sa.Boolean(), nullable=False, server_default="0"))

    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("totp_enabled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")

    with op.batch_alter_table("core_auth_session", schema=None) as batch_op:
        batch_op.drop_column("must_enrol")
        batch_op.drop_column("second_factor")

    with op.batch_alter_table("core_sign_in_challenge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_sign_in_challenge_user_id"))

    op.drop_table("core_sign_in_challenge")
    with op.batch_alter_table("core_recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_recovery_code_user_id"))

    op.drop_table("core_recovery_code")
