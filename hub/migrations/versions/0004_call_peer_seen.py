"""When each party in a mediation room was last known to be connected: a party whose hub
process died without closing its row is no longer offered to newcomers.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column (rows from before it count as gone)."""
    with op.batch_alter_table("call_peers") as peers:
        peers.add_column(sa.Column("seen_at", UtcDateTime, nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("call_peers") as peers:
        peers.drop_column("seen_at")
