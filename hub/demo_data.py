"""A realistic city for the demo and the benchmarks (`mediation-hub demo-data`)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker


def fill(sessions: sessionmaker[Session], cases: int = 2500, seed: int = 17) -> str:
    """Fill the database; returns what was made, in a line."""
    raise ValueError("not built yet")
