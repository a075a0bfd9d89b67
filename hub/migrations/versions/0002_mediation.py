"""The mediation: staff accounts and their sessions, the queue, the rooms' peers and signals.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "staff",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("staff.username"), nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_staff_sessions_username", "staff_sessions", ["username"])
    op.create_table(
        "mediations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("case_number", sa.String(20), nullable=False),
        sa.Column("device_id", sa.String(20), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("joined_at", UtcDateTime, nullable=False),
        sa.Column("taken_by", sa.String(64), nullable=True),
        sa.Column("taken_at", UtcDateTime, nullable=True),
        sa.Column("ended_at", UtcDateTime, nullable=True),
        sa.Column("outcome", sa.JSON, nullable=True),
        sa.Column("invite_hash", sa.String(64), nullable=True),
        sa.Column("invite_expires_at", UtcDateTime, nullable=True),
        sa.Column("invite_used", sa.Integer, nullable=False),
        sa.Column("rating", sa.Integer, nullable=True),
    )
    op.create_index("ix_mediations_case_number", "mediations", ["case_number"])
    op.create_index("ix_mediations_device_id", "mediations", ["device_id"])
    op.create_index("ix_mediations_state", "mediations", ["state"])
    op.create_table(
        "call_peers",
        sa.Column("peer", sa.String(40), primary_key=True),
        sa.Column("room", sa.String(40), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("joined_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_call_peers_room", "call_peers", ["room"])
    op.create_table(
        "signals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("room", sa.String(40), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_signals_room", "signals", ["room"])


def downgrade() -> None:
    """Drop the tables."""
    for table in ("signals", "call_peers", "mediations", "staff_sessions", "staff"):
        op.drop_table(table)
