"""Invoices by kind and number: ``billing_invoice (kind, number)``, so the header search finds the estimates
whose number starts with what was typed from an index range, not by walking past every invoice of the store.

Revision ID: billing_0003
Revises: billing_0002
Create Date: 2026-12-06 20:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "billing_0003"
down_revision: str | Sequence[str] | None = "billing_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the index."""
    op.create_index("ix_billing_invoice_kind_number", "billing_invoice", ["kind", "number"], unique=False)


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_billing_invoice_kind_number", table_name="billing_invoice")
