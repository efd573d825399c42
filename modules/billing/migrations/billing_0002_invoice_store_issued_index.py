"""Invoices by store and time of issue: ``billing_invoice (store_id, issued_at)``, so the dashboard's sales cards
(today, the period and last year's same period, per branch) read a range of an index, not every invoice of the store.

Revision ID: billing_0002
Revises: billing_0001
Create Date: 2026-12-06 19:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "billing_0002"
down_revision: str | Sequence[str] | None = "billing_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the index."""
    op.create_index("ix_billing_invoice_store_issued", "billing_invoice", ["store_id", "issued_at"], unique=False)


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_billing_invoice_store_issued", table_name="billing_invoice")
