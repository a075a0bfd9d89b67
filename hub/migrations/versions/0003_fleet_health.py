"""Fleet health: each device's state history, alerts, the staff's audit log, calls for
help and uploaded kiosk logs; how often each kiosk beats and when it last had a visitor.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns and tables."""
    with op.batch_alter_table("devices") as devices:
        devices.add_column(
            sa.Column("heartbeat_seconds", sa.Integer, nullable=False, server_default="30")
        )
        devices.add_column(sa.Column("last_visit_at", UtcDateTime, nullable=True))
    op.create_table(
        "device_state_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(20), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("name", sa.String(30), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_device_state_changes_device_id", "device_state_changes", ["device_id"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(20), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(30), nullable=False),
        sa.Column("detail", sa.String(300), nullable=False),
        sa.Column("opened_at", UtcDateTime, nullable=False),
        sa.Column("closed_at", UtcDateTime, nullable=True),
        # Set while the alert is open, NULL once closed: one open alert per key, even
        # when several hub processes notice the same failure at once.
        sa.Column("open_key", sa.String(80), nullable=True, unique=True),
    )
    op.create_index("ix_alerts_device_id", "alerts", ["device_id"])
    op.create_table(
        "audit_entries",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(20), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_audit_entries_device_id", "audit_entries", ["device_id"])
    op.create_table(
        "help_requests",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(20), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("asked_at", UtcDateTime, nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_help_requests_device_id", "help_requests", ["device_id"])
    op.create_table(
        "kiosk_logs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(20), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop them again."""
    for table in ("kiosk_logs", "help_requests", "audit_entries", "alerts", "device_state_changes"):
        op.drop_table(table)
    with op.batch_alter_table("devices") as devices:
        devices.drop_column("last_visit_at")
        devices.drop_column("heartbeat_seconds")
