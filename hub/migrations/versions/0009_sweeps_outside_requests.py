"""The sweeps run outside requests: each kiosk's `silent_at` (found by an index), the file
uploads' claims (the first kiosk holds an unfiled complaint's UUID), the files' and the
alerts' age, indexed.

Revision ID: 0009
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from hub.store import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MISSED_BEATS = 3


def upgrade() -> None:
    """Add the column, table and indexes; fill them from what the hub holds."""
    op.add_column("devices", sa.Column("silent_at", UtcDateTime, nullable=True))
    op.create_index("ix_devices_silent_at", "devices", ["silent_at"])
    devices = sa.table(
        "devices",
        sa.column("id", sa.String),
        sa.column("last_seen_at", UtcDateTime),
        sa.column("heartbeat_seconds", sa.Integer),
        sa.column("silent_at", UtcDateTime),
    )
    bind = op.get_bind()
    seen = bind.execute(
        sa.select(devices.c.id, devices.c.last_seen_at, devices.c.heartbeat_seconds).where(
            devices.c.last_seen_at.is_not(None)
        )
    ).all()
    for device_id, last_seen_at, every_s in seen:
        silent_at = last_seen_at + dt.timedelta(seconds=MISSED_BEATS * max(1, every_s or 30))
        bind.execute(
            sa.update(devices).where(devices.c.id == device_id).values(silent_at=silent_at)
        )
    op.create_index("ix_attachments_created_at", "attachments", ["created_at"])
    op.create_index("ix_alerts_opened_at", "alerts", ["opened_at"])
    op.create_table(
        "upload_claims",
        sa.Column("complaint_uuid", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(20), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("claimed_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_upload_claims_claimed_at", "upload_claims", ["claimed_at"])
    op.execute(
        "INSERT INTO upload_claims (complaint_uuid, device_id, claimed_at) "
        "SELECT complaint_uuid, MIN(device_id), MIN(created_at) FROM attachments "
        "WHERE complaint_uuid NOT IN (SELECT uuid FROM complaints WHERE state = 'filed') "
        "GROUP BY complaint_uuid"
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("upload_claims")
    op.drop_index("ix_alerts_opened_at", "alerts")
    op.drop_index("ix_attachments_created_at", "attachments")
    op.drop_index("ix_devices_silent_at", "devices")
    op.drop_column("devices", "silent_at")
