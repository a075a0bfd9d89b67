"""Bring the hub's database up to the newest schema (Alembic), safely from several processes."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

# Any fixed number: hub processes starting together take turns on this PostgreSQL lock.
_MIGRATION_LOCK = 870_001


def upgrade(engine: Engine) -> None:
    """Run every migration not yet applied."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
