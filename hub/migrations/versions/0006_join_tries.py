"""Refused tries to open a case's mediation: counted to hold guessers back, and kept as the
audit.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table."""
    op.create_table(
        "join_tries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(20), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("refusal", sa.String(40), nullable=False),
        sa.Column("tried_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_join_tries_device_id", "join_tries", ["device_id"])
    op.create_index("ix_join_tries_number", "join_tries", ["number"])
    op.create_index("ix_join_tries_tried_at", "join_tries", ["tried_at"])


def downgrade() -> None:
    """Drop it."""
    op.drop_table("join_tries")
