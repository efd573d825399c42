"""Run the one Alembic history programmatically (CLI, setup script and tests)."""

from __future__ import annotations

from alembic.config import Config

from alembic import command
from jewelerp import PROJECT_ROOT


def alembic_config() -> Config:
    """The project's Alembic configuration (reads JEWELERP_DB_URL through the engine)."""
    return Config(str(PROJECT_ROOT / "alembic.ini"))


def upgrade(revision: str = "head") -> None:
    """Bring the configured database up to ``revision``."""
    command.upgrade(alembic_config(), revision)


def check() -> None:
    """Raise if the models differ from what the migrations build."""
    command.check(alembic_config())
