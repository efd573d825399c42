"""Public page stamp index: ``repairs_job.public_changed_at``, so each worker's once-a-second look for the jobs whose
status page changed (``jewelerp.ui.public_page.ChangeWatch``) reads an index, not the table.

Revision ID: repairs_0003
Revises: repairs_0002
Create Date: 2026-12-06 02:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "repairs_0003"
down_revision: str | Sequence[str] | None = "repairs_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the index."""
    op.create_index(op.f("ix_repairs_job_public_changed_at"), "repairs_job", ["public_changed_at"], unique=False)


def downgrade() -> None:
    """Drop the index."""
    op.drop_index(op.f("ix_repairs_job_public_changed_at"), table_name="repairs_job")
