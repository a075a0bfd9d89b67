"""The first schema: rooms, enrollment codes, devices, complaints and their attachments.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("code", sa.String(12), nullable=True, unique=True),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("settings_version", sa.Integer, nullable=False),
        sa.Column("devices_enrolled", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "enrollment_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("room_id", sa.Integer, sa.ForeignKey("rooms.id"), nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("used_at", UtcDateTime, nullable=True),
        sa.Column("used_by", sa.String(20), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("room_id", sa.Integer, sa.ForeignKey("rooms.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("credential_hash", sa.String(64), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("kiosk_version", sa.String(200), nullable=False),
        sa.Column("enrolled_at", UtcDateTime, nullable=False),
        sa.Column("last_seen_at", UtcDateTime, nullable=True),
        sa.Column("health", sa.JSON, nullable=False),
        sa.Column("outbox_pending", sa.Integer, nullable=False),
        sa.UniqueConstraint("room_id", "number"),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("device_id", sa.String(20), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("receipt_number", sa.String(40), nullable=False, unique=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("claimed_at", UtcDateTime, nullable=False),
        sa.Column("case_number", sa.String(20), nullable=True, unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=True),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_complaints_device_id", "complaints", ["device_id"])
    op.create_table(
        "attachments",
        sa.Column("complaint_uuid", sa.String(36), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("device_id", sa.String(20), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_attachments_device_id", "attachments", ["device_id"])


def downgrade() -> None:
    """Drop the tables."""
    for table in ("attachments", "complaints", "devices", "enrollment_codes", "rooms"):
        op.drop_table(table)
