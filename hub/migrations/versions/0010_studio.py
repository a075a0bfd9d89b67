"""The cloud mediation studio: bureaus in a tree, rooms and staff in a bureau, each case's
way as events with its deadline, and the notices outbox.

A hub that had rooms, staff or complaints before gets one top bureau and puts them all in
it; each complaint's columns for filtering come from its body, its deadline from when it
arrived (7 working days), and a first event says it was received.

Revision ID: 0010
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from hub.store import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COMPLAINT_COLUMNS = (
    sa.Column(
        "bureau_id",
        sa.Integer,
        sa.ForeignKey("bureaus.id", name="fk_complaints_bureau"),
        nullable=True,
    ),
    sa.Column(
        "room_id", sa.Integer, sa.ForeignKey("rooms.id", name="fk_complaints_room"), nullable=True
    ),
    sa.Column("category", sa.String(40), nullable=False, server_default=""),
    sa.Column("merchant_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("complainant_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("complainant_mobile", sa.String(20), nullable=False, server_default=""),
    sa.Column("due_on", sa.Date, nullable=True),
    sa.Column("due_estimated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("accepted_at", UtcDateTime, nullable=True),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    sa.Column("ended_as", sa.String(20), nullable=True),
    sa.Column("refusal", sa.String(40), nullable=True),
    sa.Column("assigned_to", sa.String(64), nullable=True),
    sa.Column("appointment_at", UtcDateTime, nullable=True),
    sa.Column(
        "appointment_room_id",
        sa.Integer,
        sa.ForeignKey("rooms.id", name="fk_complaints_appointment_room"),
        nullable=True,
    ),
    sa.Column("appointment_remote", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("recovered_fen", sa.BigInteger, nullable=True),
    sa.Column("rating", sa.Integer, nullable=True),
)
#: The indexes the studio's list, search and figures read by (also in hub.store).
COMPLAINT_INDEXES = {
    "ix_complaints_bureau_due": ["bureau_id", "due_on"],
    "ix_complaints_due": ["due_on", "received_at"],
    "ix_complaints_bureau_received": ["bureau_id", "received_at"],
    "ix_complaints_status": ["status"],
    "ix_complaints_complainant_mobile": ["complainant_mobile"],
    "ix_complaints_complainant_name": ["complainant_name"],
    "ix_complaints_merchant_name": ["merchant_name"],
}


def upgrade() -> None:
    """Create the tables and columns, then place what the hub holds already."""
    op.create_table(
        "bureaus",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("bureaus.id"), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    # In batch mode, which SQLite needs for a new reference (the table is copied over).
    for table in ("rooms", "staff"):
        with op.batch_alter_table(table) as altered:
            altered.add_column(
                sa.Column(
                    "bureau_id",
                    sa.Integer,
                    sa.ForeignKey("bureaus.id", name=f"fk_{table}_bureau"),
                    nullable=True,
                )
            )
    with op.batch_alter_table("complaints") as complaints:
        for column in _COMPLAINT_COLUMNS:
            complaints.add_column(column._copy())
    for name, columns in COMPLAINT_INDEXES.items():
        op.create_index(name, "complaints", columns)
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("complaint_id", sa.Integer, sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("what", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("from_bureau_id", sa.Integer, sa.ForeignKey("bureaus.id"), nullable=True),
        sa.Column("to_bureau_id", sa.Integer, sa.ForeignKey("bureaus.id"), nullable=True),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_case_events_complaint_id", "case_events", ["complaint_id"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("complaint_id", sa.Integer, sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("party", sa.String(20), nullable=False),
        sa.Column("mobile", sa.String(20), nullable=False),
        sa.Column("what", sa.String(30), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("sent_at", UtcDateTime, nullable=True),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(300), nullable=False),
    )
    op.create_index("ix_notices_complaint_id", "notices", ["complaint_id"])
    op.create_index("ix_notices_sent_at", "notices", ["sent_at"])
    _place_what_was_there()


def _place_what_was_there() -> None:
    from hub.working_days import ACCEPT_DAYS, add_working_days, local_day

    bind = op.get_bind()
    had = bind.execute(
        sa.text(
            "SELECT (SELECT COUNT(*) FROM rooms) + (SELECT COUNT(*) FROM staff) "
            "+ (SELECT COUNT(*) FROM complaints)"
        )
    ).scalar()
    if not had:
        return
    bureaus = sa.table(
        "bureaus",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("level", sa.String),
        sa.column("parent_id", sa.Integer),
        sa.column("created_at", UtcDateTime),
    )
    bind.execute(
        bureaus.insert().values(
            name="市场监督管理局", level="city", parent_id=None, created_at=dt.datetime.now(dt.UTC)
        )
    )
    home = bind.execute(sa.select(bureaus.c.id)).scalar()
    for table in ("rooms", "staff", "complaints"):
        bind.execute(sa.text(f"UPDATE {table} SET bureau_id = :home"), {"home": home})
    complaints = sa.table(
        "complaints",
        sa.column("id", sa.Integer),
        sa.column("body", sa.JSON),
        sa.column("state", sa.String),
        sa.column("status", sa.String),
        sa.column("received_at", UtcDateTime),
        sa.column("device_id", sa.String),
        sa.column("category", sa.String),
        sa.column("merchant_name", sa.String),
        sa.column("complainant_name", sa.String),
        sa.column("complainant_mobile", sa.String),
        sa.column("due_on", sa.Date),
    )
    events = sa.table(
        "case_events",
        sa.column("complaint_id", sa.Integer),
        sa.column("at", UtcDateTime),
        sa.column("by", sa.String),
        sa.column("what", sa.String),
        sa.column("from_status", sa.String),
        sa.column("to_status", sa.String),
        sa.column("from_bureau_id", sa.Integer),
        sa.column("to_bureau_id", sa.Integer),
        sa.column("why", sa.Text),
        sa.column("details", sa.JSON),
    )
    rows = bind.execute(
        sa.select(
            complaints.c.id,
            complaints.c.body,
            complaints.c.status,
            complaints.c.received_at,
            complaints.c.device_id,
        ).where(complaints.c.state == "filed")
    ).all()
    for complaint_id, filed, status, received_at, device_id in rows:
        body = filed or {}
        person = body.get("complainant") or {}
        received = received_at or dt.datetime.now(dt.UTC)
        waiting = status == "received"
        bind.execute(
            complaints.update()
            .where(complaints.c.id == complaint_id)
            .values(
                category=str(body.get("category", ""))[:40],
                merchant_name=str((body.get("merchant") or {}).get("name", ""))[:200],
                complainant_name=str(person.get("name", ""))[:100],
                complainant_mobile=str(person.get("mobile", ""))[:20],
                due_on=add_working_days(local_day(received), ACCEPT_DAYS).day if waiting else None,
            )
        )
        bind.execute(
            events.insert().values(
                complaint_id=complaint_id,
                at=received,
                by=f"kiosk {device_id}",
                what="received",
                from_status=None,
                to_status="received",
                from_bureau_id=home,
                to_bureau_id=home,
                why="",
                details={"status_before_the_studio": status},
            )
        )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("notices")
    op.drop_table("case_events")
    for name in COMPLAINT_INDEXES:
        op.drop_index(name, "complaints")
    with op.batch_alter_table("complaints") as complaints:
        for column in reversed(_COMPLAINT_COLUMNS):
            complaints.drop_column(column.name)
    for table in ("staff", "rooms"):
        with op.batch_alter_table(table) as altered:
            altered.drop_column("bureau_id")
    op.drop_table("bureaus")
