"""The hub's migrations build exactly the schema its models describe, on SQLite and on
PostgreSQL: a model changed without its migration would fail here, not on a live hub."""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hubs import PG_ENV, drop_pg_database, fresh_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.sqlite3'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set (make test sets it)")
    url = fresh_pg_database(base)
    try:
        yield url
    finally:
        drop_pg_database(url)


def test_the_migrations_make_the_models_schema(empty_database: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    import hub
    from hub.migrate import upgrade
    from hub.store import Base

    for module in pkgutil.iter_modules(hub.__path__):  # every model, wherever it is declared
        importlib.import_module(f"hub.{module.name}")
    engine = create_engine(empty_database)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
