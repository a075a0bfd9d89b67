"""Alembic migrations of the hub's database, run at start (see hub.migrate)."""
