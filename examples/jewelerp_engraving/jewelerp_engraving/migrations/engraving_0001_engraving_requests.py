"""Engraving requests: the engraving_request table.

Revision ID: engraving_0001
Revises:
Create Date: 2026-12-04 21:04:34.333189
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import jewelerp.db  # noqa: F401 - Money and Weight columns render as jewelerp.db.Money()

revision: str = "engraving_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("engraving",)
depends_on: str | Sequence[str] | None = "billing"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "engraving_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("invoice_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("font", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["core_store.id"], name=op.f("fk_engraving_request_store_id_core_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engraving_request")),
    )
    with op.batch_alter_table("engraving_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engraving_request_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_engraving_request_invoice_number"), ["invoice_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_engraving_request_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_engraving_request_store_id"), ["store_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("engraving_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engraving_request_store_id"))
        batch_op.drop_index(batch_op.f("ix_engraving_request_status"))
        batch_op.drop_index(batch_op.f("ix_engraving_request_invoice_number"))
        batch_op.drop_index(batch_op.f("ix_engraving_request_due_on"))

    op.drop_table("engraving_request")
