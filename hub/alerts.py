"""Fleet health: each device's state history, and alerts that open when a device fails or
a kiosk falls silent (three heartbeats missed) and close when it recovers.

An alert is open while its `open_key` is set; the key is unique, so two hub processes that
notice the same failure at once still open it once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store import Base, Device, UtcDateTime, utcnow

log = logging.getLogger(__name__)

#: A kiosk is silent after this many heartbeats missed in a row.
MISSED_BEATS = 3
DEVICE_FAILED = "device"
KIOSK_SILENT = "silent"


class DeviceStateChange(Base):
    """One device of a kiosk changed state (the history behind the last state)."""

    __tablename__ = "device_state_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    name: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Alert(Base):
    """Something in a room needs a technician: a device failed, or a kiosk fell silent."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(String(300))
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    open_key: Mapped[str | None] = mapped_column(String(80), nullable=True, unique=True)


class AuditRecord(Base):
    """One attendant's or technician's action on a kiosk, as the kiosk logged it."""

    __tablename__ = "audit_entries"
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class HelpCall(Base):
    """A consumer at a kiosk pressed "call for help"."""

    __tablename__ = "help_requests"
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    asked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class KioskLog(Base):
    """A kiosk's log, uploaded by a technician from the kiosk's screen."""

    __tablename__ = "kiosk_logs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


@dataclass(frozen=True)
class OpenAlert:
    """An alert that is open now, as the fleet page and `devices` show it."""

    kind: str
    subject: str
    detail: str
    opened_at: str


def _open(
    session: Session,
    device_id: str,
    kind: str,
    subject: str,
    detail: str,
    known: dict[str, Alert] | None = None,
) -> None:
    key = f"{device_id}:{kind}:{subject}"
    if known is not None:
        if key in known:
            return
    elif session.scalar(select(Alert.id).where(Alert.open_key == key)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(
                Alert(
                    device_id=device_id,
                    kind=kind,
                    subject=subject,
                    detail=detail[:300],
                    opened_at=utcnow(),
                    open_key=key,
                )
            )
    except IntegrityError:
        return  # another hub process opened it a moment ago
    log.warning("alert opened for kiosk %s: %s", device_id, detail)


def _close(
    session: Session,
    device_id: str,
    kind: str,
    subject: str,
    known: dict[str, Alert] | None = None,
) -> None:
    key = f"{device_id}:{kind}:{subject}"
    if known is not None:
        alert = known.get(key)
    else:
        alert = session.scalar(select(Alert).where(Alert.open_key == key))
    if alert is not None:
        alert.closed_at = utcnow()
        alert.open_key = None
        log.info("alert closed for kiosk %s: %s %s recovered", device_id, kind, subject)


def record_health(
    session: Session, device: Device, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Keep each state change in the history; open or close the device alerts it means."""
    now = utcnow()
    # The kiosk's open alerts in one query: a heartbeat stays cheap for a large fleet.
    known = {
        alert.open_key: alert
        for alert in session.scalars(
            select(Alert).where(Alert.device_id == device.id, Alert.open_key.is_not(None))
        )
        if alert.open_key is not None
    }
    for name, health in after.items():
        state, detail = str(health.get("state")), str(health.get("detail", ""))
        previous = before.get(name) or {}
        if previous.get("state") != state or previous.get("detail", "") != detail:
            session.add(
                DeviceStateChange(
                    device_id=device.id, name=name, state=state, detail=detail[:200], at=now
                )
            )
        if state in ("missing", "failing"):
            problem = f"{name} {state}: {detail}".strip()
            _open(session, device.id, DEVICE_FAILED, name, problem, known)
        else:
            _close(session, device.id, DEVICE_FAILED, name, known)
    # A device the kiosk no longer reports is no longer a fault of this kiosk.
    for name in set(before) - set(after):
        _close(session, device.id, DEVICE_FAILED, name, known)
    _close(session, device.id, KIOSK_SILENT, "", known)


def silent_from(device: Device, now: dt.datetime) -> dt.datetime:
    """When the kiosk that beat `now` falls silent: three heartbeats missed in a row."""
    return now + dt.timedelta(seconds=MISSED_BEATS * max(1, device.heartbeat_seconds))


def is_silent(device: Device, now: dt.datetime) -> bool:
    """True when the kiosk has missed three heartbeats in a row."""
    if device.last_seen_at is None or device.revoked:
        return False
    return now > (device.silent_at or silent_from(device, device.last_seen_at))


def _iso(moment: dt.datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else "?"


#: At most this many alerts opened in one round: a fleet found silent all at once (a hub
#: back after days away) is taken in steps, and the requests meanwhile are not held up.
SWEEP_BATCH = 1000
ANALYZE_AFTER = 200
#: How far before its last round a process looks again: another process's clock may run a
#: little behind, and a round may have read just before a kiosk's `silent_at` passed.
SWEEP_OVERLAP = dt.timedelta(minutes=5)


def sweep(session: Session, since: dt.datetime | None = None) -> int:
    """Open an alert for every kiosk that fell silent, close those opened for kiosks that
    beat again or were revoked meanwhile; how many opened (SWEEP_BATCH at most: then there
    may be more, for the next round). With `since` (the last round's
    time) only the kiosks whose `silent_at` passed after it are looked at, by its index: a
    round's cost does not grow with the kiosks that fell silent long ago. (Run by
    `hub.housekeeping`, outside any request; a heartbeat closes its own kiosk's alert.)"""
    now = utcnow()
    start = since - SWEEP_OVERLAP if since is not None else None
    alerted = (
        select(Alert.id)
        .where(
            Alert.device_id == Device.id,
            Alert.kind == KIOSK_SILENT,
            Alert.open_key.is_not(None),
        )
        .exists()
    )
    silent = [Device.silent_at < now, Device.revoked.is_(False), ~alerted]
    if start is not None:
        silent.append(Device.silent_at >= start)
    newly = session.execute(
        select(Device.id, Device.last_seen_at)
        .where(*silent)
        .order_by(Device.silent_at)
        .limit(SWEEP_BATCH)
    ).all()
    if newly:
        session.execute(
            insert(Alert),
            [
                {
                    "device_id": device_id,
                    "kind": KIOSK_SILENT,
                    "subject": "",
                    "detail": f"no heartbeat since {_iso(seen)}",
                    "opened_at": now,
                    "open_key": f"{device_id}:{KIOSK_SILENT}:",
                }
                for device_id, seen in newly
            ],
        )
        log.warning("alerts opened: %d kiosks fell silent", len(newly))
        if len(newly) >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
            # So many new rows at once leave the planner's figures behind until autovacuum
            # comes: it then reads all alerts once per kiosk (seconds), not by the index.
            session.execute(text("ANALYZE alerts"))
    back = select(Device.id).where(or_(Device.silent_at >= now, Device.revoked.is_(True)))
    stale = [Alert.kind == KIOSK_SILENT, Alert.open_key.is_not(None), Alert.device_id.in_(back)]
    if start is not None:  # a kiosk's beat closes its own alert; these raced with a round
        stale.append(Alert.opened_at >= start)
    session.execute(update(Alert).where(*stale).values(closed_at=now, open_key=None))
    return len(newly)


def close_silent(session: Session, device_id: str) -> None:
    """A revoked kiosk is not silent: it is gone."""
    _close(session, device_id, KIOSK_SILENT, "")


def open_alerts(session: Session) -> dict[str, list[OpenAlert]]:
    """Every open alert, by kiosk, oldest first."""
    found: dict[str, list[OpenAlert]] = {}
    for alert in session.scalars(
        select(Alert).where(Alert.open_key.is_not(None)).order_by(Alert.opened_at, Alert.id)
    ):
        found.setdefault(alert.device_id, []).append(
            OpenAlert(
                alert.kind,
                alert.subject,
                alert.detail,
                alert.opened_at.isoformat(timespec="seconds"),
            )
        )
    return found


def history(session: Session, device_id: str, limit: int = 50) -> list[dict[str, str]]:
    """A kiosk's latest device state changes, newest first."""
    rows = session.scalars(
        select(DeviceStateChange)
        .where(DeviceStateChange.device_id == device_id)
        .order_by(DeviceStateChange.id.desc())
        .limit(limit)
    )
    return [
        {
            "name": r.name,
            "state": r.state,
            "detail": r.detail,
            "at": r.at.isoformat(timespec="seconds"),
        }
        for r in rows
    ]
