"""Outcomes as events (a correction is a new one) and the colleagues asked into a call.

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables; each outcome recorded before becomes its first event."""
    op.create_table(
        "outcome_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mediation_id", sa.String(32), sa.ForeignKey("mediations.id"), nullable=False),
        sa.Column("outcome", sa.JSON, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("corrects", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_outcome_events_mediation_id", "outcome_events", ["mediation_id"])
    op.create_table(
        "call_invitations",
        sa.Column("mediation_id", sa.String(32), sa.ForeignKey("mediations.id"), primary_key=True),
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("invited_by", sa.String(64), nullable=False),
        sa.Column("invited_at", UtcDateTime, nullable=False),
    )
    op.execute(
        "INSERT INTO outcome_events (mediation_id, outcome, recorded_by, recorded_at, reason) "
        "SELECT id, outcome, COALESCE(taken_by, ''), COALESCE(ended_at, joined_at), '' "
        "FROM mediations WHERE outcome IS NOT NULL"
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("call_invitations")
    op.drop_table("outcome_events")
