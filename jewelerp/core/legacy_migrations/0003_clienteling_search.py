"""clienteling customer search: a trigram FTS5 index kept in step by triggers (SQLite only)

Revision ID: 0003_clienteling_search
Revises: 0002_clienteling
Create Date: 2026-11-26 18:00:00
"""

from collections.abc import Sequence

from alembic import op

from modules.clienteling.search_index import CREATE, DROP, REBUILD

revision: str = "0003_clienteling_search"
down_revision: str | Sequence[str] | None = "0002_clienteling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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
