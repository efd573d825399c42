"""Outbox attachments: files sent with an e-mail (a calendar invitation, a ticket)

Revision ID: core_0009
Revises: core_0008
Create Date: 2026-12-06 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "core_0009"
down_revision: str | Sequence[str] | None = "core_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``core_outbox_attachment``."""
    op.create_table(
        "core_outbox_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["core_outbox.id"], name=op.f("fk_core_outbox_attachment_message_id_core_outbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_outbox_attachment")),
    )
    with op.batch_alter_table("core_outbox_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_outbox_attachment_message_id"), ["message_id"], unique=False)


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("core_outbox_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_outbox_attachment_message_id"))
    op.drop_table("core_outbox_attachment")
