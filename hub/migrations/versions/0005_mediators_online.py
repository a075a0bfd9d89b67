"""Mediators at their console now (the expected wait counts only them), and the consumers'
requests to be called back about their case.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "mediators_online",
        sa.Column("connection", sa.String(32), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("connected_at", UtcDateTime, nullable=False),
        sa.Column("seen_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_mediators_online_username", "mediators_online", ["username"])
    op.create_index("ix_mediators_online_seen_at", "mediators_online", ["seen_at"])
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_number", sa.String(20), nullable=False),
        sa.Column("mediation_id", sa.String(32), sa.ForeignKey("mediations.id"), nullable=False),
        sa.Column("device_id", sa.String(20), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("requested_at", UtcDateTime, nullable=False),
        sa.Column("done_by", sa.String(64), nullable=True),
        sa.Column("done_at", UtcDateTime, nullable=True),
    )
    op.create_index("ix_callback_requests_case_number", "callback_requests", ["case_number"])


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("callback_requests")
    op.drop_table("mediators_online")
