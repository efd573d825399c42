"""Order states for a gateway call made outside the write transaction, and refunds: the gateway's order id may
be NULL (while the order is being created, or when the gateway refused it), one open order per thing to pay
(a partial unique index), the payer's name, why an order failed or needs a refund, and who refunded it when.

Revision ID: payments_0002
Revises: payments_0001
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "payments_0002"
down_revision: str | Sequence[str] | None = "payments_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('creating', 'pending')")
OPEN_COLUMNS = ["store_id", "purpose", "reference", "customer_id", "gateway", "amount", "quoted_on"]


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False, server_default="")


def upgrade() -> None:
    """Add the columns and indexes; existing orders keep their gateway ids and states."""
    with op.batch_alter_table("payments_order", schema=None) as batch_op:
        batch_op.alter_column(
            "gateway_order_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True
        )
        batch_op.add_column(_text("customer_name", 120))
        batch_op.add_column(_text("note", 200))
        batch_op.add_column(sa.Column("refunded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(_text("refunded_by", 120))
        batch_op.add_column(_text("refund_note", 200))
        batch_op.create_index(batch_op.f("ix_payments_order_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "uq_payments_order_open", OPEN_COLUMNS, unique=True, sqlite_where=OPEN, postgresql_where=OPEN
        )


def downgrade() -> None:
    """Drop them again: an order without a gateway id (being created, or refused) becomes failed with a
    placeholder id, and the refund states become paid, the states the first revision knows."""
    op.execute(
        "UPDATE payments_order SET status = 'failed', gateway_order_id = 'none-' || token "
        "WHERE gateway_order_id IS NULL"
    )
    op.execute("UPDATE payments_order SET status = 'paid' WHERE status IN ('to_refund', 'refunded')")
    with op.batch_alter_table("payments_order", schema=None) as batch_op:
        batch_op.drop_index("uq_payments_order_open")
        batch_op.drop_index(batch_op.f("ix_payments_order_created_at"))
        for column in ("refund_note", "refunded_by", "refunded_at", "note", "customer_name"):
            batch_op.drop_column(column)
        batch_op.alter_column(
            "gateway_order_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False
        )
