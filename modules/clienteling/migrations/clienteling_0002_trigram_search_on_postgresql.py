"""Trigram search on PostgreSQL: pg_trgm GIN indexes on what the customer search matches with LIKE.

SQLite answers the same searches from its FTS5 trigram table (clienteling_customer_fts, revision clienteling_0001);
on PostgreSQL the list's ``lower(column) LIKE '%text%'`` clauses use these indexes instead of reading every row.

Revision ID: clienteling_0002
Revises: clienteling_0001
Create Date: 2026-12-05 21:44:01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "clienteling_0002"
down_revision: str | Sequence[str] | None = "clienteling_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (  # (index, table, indexed expression)
    ("clienteling_customer_name_trgm", "clienteling_customer", "lower(name)"),
    ("clienteling_customer_tags_trgm", "clienteling_customer", "lower(tags)"),
    ("clienteling_customer_email_trgm", "clienteling_customer", "lower(email)"),
    ("clienteling_customer_phone_trgm", "clienteling_customer", "phone"),
    ("clienteling_customer_alt_phone_trgm", "clienteling_customer", "alt_phone"),
)


def upgrade() -> None:
    """Create the extension and the indexes (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)")


def downgrade() -> None:
    """Drop the indexes; the extension stays (other tables may use it)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
