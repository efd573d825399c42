"""Alembic environment: one history for the platform and every module.

The registry is loaded first so every module's models are in SQLModel's metadata.
"""

from sqlmodel import SQLModel

from alembic import context
from jewelerp.db import get_engine
from jewelerp.registry import get_registry

get_registry().import_models()
target_metadata = SQLModel.metadata


def include_name(name: str | None, type_: str, _parent: dict) -> bool:
    """Leave full-text index tables (``*_fts`` and SQLite's shadow tables) out of the comparison."""
    return not (type_ == "table" and name is not None and "_fts" in name)


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(
        url=str(get_engine().url), target_metadata=target_metadata, render_as_batch=True, include_name=include_name
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on the configured database."""
    with get_engine().connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, include_name=include_name
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
