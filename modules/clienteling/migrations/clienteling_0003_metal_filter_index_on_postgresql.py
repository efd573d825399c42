"""The customer list's metal filter on PostgreSQL: a pg_trgm GIN index on ``', ' || pref_metals || ','``.

The filter matches one metal whole in the comma-separated list (``LIKE '%, gold,%'``). Without the index the
planner has no statistics for that expression, takes a common metal for a rare one and reads every customer;
with it, it walks the name index and stops at the first page (a rare metal reads the index). SQLite needs
nothing: the filter is fast there.

Revision ID: clienteling_0003
Revises: clienteling_0002
Create Date: 2026-12-06 03:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "clienteling_0003"
down_revision: str | Sequence[str] | None = "clienteling_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "clienteling_customer_pref_metals_trgm"


def upgrade() -> None:
    """Create the index (PostgreSQL only; clienteling_0002 created the extension)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON clienteling_customer "
        "USING gin ((', ' || pref_metals || ',') gin_trgm_ops)"
    )


def downgrade() -> None:
    """Drop the index."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {NAME}")
