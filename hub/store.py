"""The hub's tables (SQLAlchemy 2), and the engine for a database URL.

The same tables run on SQLite (the embedded default) and PostgreSQL (a real deployment);
Alembic migrations in hub/migrations create and upgrade them at start.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    """Now, in UTC, with its zone."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that comes back with its UTC zone on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must carry their time zone")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    """The hub's tables."""


class Bureau(Base):
    """A market supervision bureau: its level and the bureau it reports to (`hub.bureaus`)."""

    __tablename__ = "bureaus"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    level: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("bureaus.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Room(Base):
    """A mediation room; its kiosks share its settings. It lies in one bureau's area."""

    __tablename__ = "rooms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    code: Mapped[str | None] = mapped_column(String(12), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    settings_version: Mapped[int] = mapped_column(Integer, default=1)
    # Kiosks ever enrolled in the room; the next one's number (a counter, so two kiosks
    # enrolling at once get different numbers).
    devices_enrolled: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureaus.id"), nullable=True)


class EnrollmentCode(Base):
    """A one-time code a technician types (or shows by QR) to enroll one kiosk."""

    __tablename__ = "enrollment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    used_by: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Device(Base):
    """An enrolled kiosk; its credential is kept only as a hash."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("room_id", "number"),)  # a room numbers its kiosks
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    number: Mapped[int] = mapped_column(Integer)
    credential_hash: Mapped[str] = mapped_column(String(64))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    kiosk_version: Mapped[str] = mapped_column(String(200), default="")
    enrolled_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    health: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outbox_pending: Mapped[int] = mapped_column(Integer, default=0)
    # Fleet health (migration 0003): how often the kiosk beats, and its last visit.
    heartbeat_seconds: Mapped[int] = mapped_column(Integer, default=30)
    last_visit_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: When the kiosk counts as silent unless it beats again (migration 0009): set with
    #: each heartbeat, so the sweep finds the silent ones by an index, not by reading all.
    silent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)


class Complaint(Base):
    """A filed complaint, and the case it becomes. Its UUID is the idempotency key, unique
    for ever.

    `state` is "filing" while one request files it (so a concurrent duplicate is told
    409) and "filed" once it has its case number. `status` is the case's way through its
    bureau (`protocol.states.CaseStatus`, moved only by `hub.case_flow`, each move a
    `CaseEvent`). The columns from `bureau_id` on (migration 0010) are what the studio
    filters, searches and sorts by; the body stays as the kiosk filed it.
    """

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_bureau_due", "bureau_id", "due_on"),
        # The list's order (what is due first), walked in order for its first pages.
        Index("ix_complaints_due", "due_on", "received_at"),
        # The figures (`hub.statistics`) from the index alone (migration 0011).
        Index(
            "ix_complaints_figures_received",
            "bureau_id",
            "received_at",
            postgresql_include=["status", "accepted_at", "finished_at", "ended_as"],
        ),
        Index(
            "ix_complaints_figures_finished",
            "bureau_id",
            "finished_at",
            postgresql_include=["ended_as", "recovered_fen", "rating"],
        ),
        Index("ix_complaints_status", "status"),
        Index("ix_complaints_complainant_mobile", "complainant_mobile"),
        # A search's matches counted from the index alone.
        Index(
            "ix_complaints_name_bureau", "complainant_name", "bureau_id", postgresql_include=["id"]
        ),
        Index(
            "ix_complaints_merchant_bureau", "merchant_name", "bureau_id", postgresql_include=["id"]
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    receipt_number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(10))
    claimed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    case_number: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="received")
    received_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureaus.id"), nullable=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    category: Mapped[str] = mapped_column(String(40), default="")
    merchant_name: Mapped[str] = mapped_column(String(200), default="")
    complainant_name: Mapped[str] = mapped_column(String(100), default="")
    complainant_mobile: Mapped[str] = mapped_column(String(20), default="")
    #: The day the current step must be done by (acceptance, then the mediation's end), in
    #: working days; `due_estimated` when a year the official calendar does not know counted.
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    due_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: How the case ended (refused, settled, not_settled, terminated), kept once it is closed.
    ended_as: Mapped[str | None] = mapped_column(String(20), nullable=True)
    refusal: Mapped[str | None] = mapped_column(String(40), nullable=True)
    assigned_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    appointment_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    appointment_room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    appointment_remote: Mapped[bool] = mapped_column(Boolean, default=False)
    #: What the merchant agreed to give back, in fen (a settled outcome's amount).
    recovered_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Attachment(Base):
    """A photo or voice recording of a complaint, uploaded before the complaint itself."""

    __tablename__ = "attachments"
    complaint_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class UploadClaim(Base):
    """The kiosk that sent a complaint's first file: only it adds more under that UUID
    (migration 0009). Files of a UUID never filed are swept (`hub.housekeeping`)."""

    __tablename__ = "upload_claims"
    complaint_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    claimed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


def default_db_url() -> str:
    """`HUB_DB`, or a SQLite file in the hub's data directory."""
    url = os.environ.get("HUB_DB")
    if url:
        return url
    base = os.environ.get("HUB_DATA_DIR") or str(
        Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "mediation-hub"
    )
    folder = Path(base)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'hub.sqlite3'}"


def plan_each_time(session: Session) -> None:
    """For this transaction, PostgreSQL plans each statement for its own values: a search
    for a common merchant and for a receipt number need different plans, and the generic
    plan a prepared statement falls back to after five runs is slow for one of them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def engine_for(url: str, pool_size: int = 10) -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys and a wait instead of 'locked'."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            # SQLAlchemy, not the sqlite3 module, says when transactions begin (below).
            connection.isolation_level = None
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # Take the write lock at the start: a transaction that read first and writes
            # later could otherwise fail at once with "database is locked" in WAL mode.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
