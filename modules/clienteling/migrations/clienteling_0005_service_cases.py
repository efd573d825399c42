"""Service cases: ``clienteling_case`` (numbered per store, with kind, channel, priority, due date, assignee and
status) and ``clienteling_case_note``, each case's thread of notes (internal or shown to the customer).

Revision ID: clienteling_0005
Revises: clienteling_0004
Create Date: 2026-12-06 22:49:29.577574
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "clienteling_0005"
down_revision: str | Sequence[str] | None = "clienteling_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the two tables."""
    op.create_table(
        "clienteling_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_user_id"], ["core_user.id"], name=op.f("fk_clienteling_case_assigned_user_id_core_user")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["clienteling_customer.id"],
            name=op.f("fk_clienteling_case_customer_id_clienteling_customer"),
        ),
        sa.ForeignKeyConstraint(["opened_by"], ["core_user.id"], name=op.f("fk_clienteling_case_opened_by_core_user")),
        sa.ForeignKeyConstraint(["store_id"], ["core_store.id"], name=op.f("fk_clienteling_case_store_id_core_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clienteling_case")),
        sa.UniqueConstraint("number", name=op.f("uq_clienteling_case_number")),
        sa.UniqueConstraint("store_id", "seq", name="uq_clienteling_case_store_seq"),
    )
    with op.batch_alter_table("clienteling_case", schema=None) as batch_op:
        batch_op.create_index("ix_clienteling_case_assignee", ["assigned_user_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_clienteling_case_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_clienteling_case_queue", ["store_id", "status", "due_on"], unique=False)

    op.create_table(
        "clienteling_case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["core_user.id"], name=op.f("fk_clienteling_case_note_author_id_core_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["clienteling_case.id"], name=op.f("fk_clienteling_case_note_case_id_clienteling_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clienteling_case_note")),
    )
    with op.batch_alter_table("clienteling_case_note", schema=None) as batch_op:
        batch_op.create_index("ix_clienteling_case_note_case_at", ["case_id", "at"], unique=False)


def downgrade() -> None:
    """Drop the two tables (notes first)."""
    with op.batch_alter_table("clienteling_case_note", schema=None) as batch_op:
        batch_op.drop_index("ix_clienteling_case_note_case_at")

    op.drop_table("clienteling_case_note")
    with op.batch_alter_table("clienteling_case", schema=None) as batch_op:
        batch_op.drop_index("ix_clienteling_case_queue")
        batch_op.drop_index(batch_op.f("ix_clienteling_case_customer_id"))
        batch_op.drop_index("ix_clienteling_case_assignee")

    op.drop_table("clienteling_case")
