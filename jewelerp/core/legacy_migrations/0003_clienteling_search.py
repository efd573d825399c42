"""clienteling customer search: a trigram FTS5 index kept in step by triggers (SQLite only)

Revision ID: 0003_clienteling_search
Revises: 0002_clienteling
Create Date: 2026-11-26 18:00:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0003_clienteling_search"
down_revision: str | Sequence[str] | None = "0002_clienteling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The index's statements as this revision ran them (frozen: the module's code may change since).
CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS clienteling_customer_fts USING fts5(name, email, tags, phone, "
    "alt_phone, content='clienteling_customer', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS clienteling_customer_fts_ai AFTER INSERT ON clienteling_customer BEGIN INSERT "
    "INTO clienteling_customer_fts(rowid, name, email, tags, phone, alt_phone) VALUES (new.id, new.name, "
    "new.email, new.tags, new.phone, new.alt_phone); END",
    "CREATE TRIGGER IF NOT EXISTS clienteling_customer_fts_ad AFTER DELETE ON clienteling_customer BEGIN INSERT "
    "INTO clienteling_customer_fts(clienteling_customer_fts, rowid, name, email, tags, phone, alt_phone) VALUES "
    "('delete', old.id, old.name, old.email, old.tags, old.phone, old.alt_phone); END",
    "CREATE TRIGGER IF NOT EXISTS clienteling_customer_fts_au AFTER UPDATE OF name, email, tags, phone, "
    "alt_phone ON clienteling_customer BEGIN INSERT INTO clienteling_customer_fts(clienteling_customer_fts, "
    "rowid, name, email, tags, phone, alt_phone) VALUES ('delete', old.id, old.name, old.email, old.tags, "
    "old.phone, old.alt_phone); INSERT INTO clienteling_customer_fts(rowid, name, email, tags, phone, "
    "alt_phone) VALUES (new.id, new.name, new.email, new.tags, new.phone, new.alt_phone); END",
)
DROP = (
    "DROP TRIGGER IF EXISTS clienteling_customer_fts_ai",
    "DROP TRIGGER IF EXISTS clienteling_customer_fts_ad",
    "DROP TRIGGER IF EXISTS clienteling_customer_fts_au",
    "DROP TABLE IF EXISTS clienteling_customer_fts",
)
REBUILD = "INSERT INTO clienteling_customer_fts(clienteling_customer_fts) VALUES ('rebuild')"


def upgrade() -> None:
    """Create the index and its triggers, then fill it from the customers already there."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in CREATE:
        op.execute(statement)
    op.execute(REBUILD)


def downgrade() -> None:
    """Drop the triggers and the index."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in DROP:
        op.execute(statement)
