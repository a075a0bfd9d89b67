"""Rooms, enrollment codes and devices: who may talk to the hub, and their settings."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from hub import alerts
from hub.bureaus import home_bureau
from hub.problems import ProblemError
from hub.store import Device, EnrollmentCode, Room, utcnow
from protocol.wire import (
    Enrolled,
    Enrollment,
    Heartbeat,
    HeartbeatReply,
    RoomSettings,
    normalise_enroll_code,
)

# Crockford's base 32: no I, L, O or U, so a code read aloud or off paper is not misread.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def sha256(text: str) -> str:
    """The hex SHA-256 of a text (codes and credentials are stored only so)."""
    return hashlib.sha256(text.encode()).hexdigest()


def room_named(session: Session, name: str) -> Room:
    """The room of this name, made (with its code) if new."""
    room = session.scalar(select(Room).where(Room.name == name))
    if room is None:
        room = Room(
            name=name,
            settings={},
            settings_version=1,
            devices_enrolled=0,
            created_at=utcnow(),
            bureau_id=home_bureau(session).id,
        )
        session.add(room)
        session.flush()
        room.code = f"R{room.id:04d}"
        session.flush()
    return room


def room_settings(room: Room) -> RoomSettings:
    """The settings a room's kiosks get: the defaults with the room's own on top."""
    values: dict[str, Any] = dict(room.settings)
    values.update(room_code=room.code, room_name=room.name, version=room.settings_version)
    return RoomSettings.model_validate(values)


def change_room_settings(session: Session, room: Room, changes: dict[str, Any]) -> RoomSettings:
    """Change some of a room's settings; its kiosks pick the new version up."""
    merged = dict(room.settings) | changes
    candidate = merged | {"room_code": room.code, "room_name": room.name}
    RoomSettings.model_validate(candidate)  # refuse what a kiosk could not read
    room.settings = merged
    room.settings_version += 1
    session.flush()
    return room_settings(room)


def new_enroll_code(session: Session, room_name: str, valid_hours: int) -> tuple[str, Room]:
    """A one-time code for one kiosk of the room, valid for so many hours."""
    room = room_named(session, room_name)
    plain = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    code = normalise_enroll_code(plain)
    session.add(
        EnrollmentCode(
            code_hash=sha256(code),
            room_id=room.id,
            expires_at=utcnow() + dt.timedelta(hours=valid_hours),
            created_at=utcnow(),
        )
    )
    session.flush()
    return code, room


def enroll(session: Session, request: Enrollment) -> Enrolled:
    """Spend a one-time code: a new device of the code's room, with its credential."""
    code_hash = sha256(normalise_enroll_code(request.code))
    entry = session.get(EnrollmentCode, code_hash)
    now = utcnow()
    if entry is None:
        raise ProblemError(
            404,
            "enroll-code-unknown",
            "Unknown enrollment code",
            "No such enrollment code; check it, or ask for a new one.",
        )
    if entry.used_at is not None:
        raise ProblemError(
            409,
            "enroll-code-used",
            "Enrollment code already used",
            "This code enrolled a kiosk already; each kiosk needs a new code.",
        )
    if entry.expires_at <= now:
        raise ProblemError(
            410,
            "enroll-code-expired",
            "Enrollment code expired",
            "This code has expired; ask for a new one.",
        )
    room = session.get_one(Room, entry.room_id)
    device_id_placeholder = "enrolling"
    # Spend the code only if nobody spent it in the meantime: one code, one kiosk.
    spent = session.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.code_hash == code_hash, EnrollmentCode.used_at.is_(None))
        .values(used_at=now, used_by=device_id_placeholder)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise ProblemError(
            409,
            "enroll-code-used",
            "Enrollment code already used",
            "This code enrolled a kiosk already; each kiosk needs a new code.",
        )
    number = session.execute(
        update(Room)
        .where(Room.id == room.id)
        .values(devices_enrolled=Room.devices_enrolled + 1)
        .returning(Room.devices_enrolled)
    ).scalar_one()
    device_id = f"{room.code}K{number}"
    session.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.code_hash == code_hash)
        .values(used_by=device_id)
    )
    secret = secrets.token_urlsafe(32)
    session.add(
        Device(
            id=device_id,
            room_id=room.id,
            number=number,
            credential_hash=sha256(secret),
            revoked=False,
            kiosk_version=request.kiosk_version,
            enrolled_at=now,
            health={},
            outbox_pending=0,
        )
    )
    session.flush()
    return Enrolled(
        device_id=device_id, credential=f"{device_id}.{secret}", room=room_settings(room)
    )


def device_for(session: Session, authorization: str | None) -> Device:
    """The device whose credential this `Authorization: Bearer` header carries."""
    scheme, _, token = (authorization or "").partition(" ")
    device_id, _, secret = token.strip().partition(".")
    if scheme.lower() != "bearer" or not device_id or not secret:
        raise ProblemError(
            401,
            "credential-missing",
            "No credential",
            "Send the kiosk's credential as `Authorization: Bearer <credential>`.",
            {"WWW-Authenticate": "Bearer"},
        )
    device = session.get(Device, device_id)
    # Compare against a hash either way, so a wrong id and a wrong secret take the same time.
    expected = device.credential_hash if device is not None else sha256("no such device")
    if device is None or not hmac.compare_digest(expected, sha256(secret)):
        raise ProblemError(
            401,
            "credential-wrong",
            "Wrong credential",
            "The credential is not known to the hub.",
            {"WWW-Authenticate": "Bearer"},
        )
    if device.revoked:
        raise ProblemError(
            403,
            "device-revoked",
            "Kiosk locked out",
            f"Kiosk {device.id} has been revoked; enroll it again with a new code.",
        )
    return device


def heartbeat(session: Session, device: Device, beat: Heartbeat) -> HeartbeatReply:
    """Record that the kiosk is alive, how its devices are and its outbox backlog."""
    if session.get_bind().dialect.name == "postgresql":
        # A heartbeat lost in a crash costs nothing (the next one comes in half a minute):
        # its commit need not wait for the disk, which leaves the disk to the complaints.
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    now = device.last_seen_at = utcnow()
    before = dict(device.health)
    device.health = {
        report.name: {"state": report.state.value, "detail": report.detail}
        for report in beat.devices
    }
    if beat.heartbeat_seconds is not None:
        device.heartbeat_seconds = beat.heartbeat_seconds
    if beat.last_visit_at is not None:
        device.last_visit_at = beat.last_visit_at
    device.silent_at = alerts.silent_from(device, now)
    alerts.record_health(session, device, before, device.health)
    device.outbox_pending = beat.outbox_pending
    if beat.kiosk_version:
        device.kiosk_version = beat.kiosk_version
    room = session.get_one(Room, device.room_id)
    return HeartbeatReply(settings_version=room.settings_version, server_time=utcnow())


@dataclass(frozen=True)
class DeviceRow:
    """One line of `mediation-hub devices`."""

    device: str
    room: str
    state: str
    enrolled_at: str
    last_seen_at: str | None
    outbox_pending: int
    health: dict[str, Any]
    kiosk_version: str
    online: bool = False
    last_visit_at: str | None = None
    heartbeat_seconds: int = 30
    alerts: list[dict[str, str]] = field(default_factory=list)


def list_devices(session: Session) -> list[DeviceRow]:
    """Every enrolled device, by room and number, with its open alerts (silent kiosks are
    found by `hub.housekeeping`, a sweep every few seconds outside the requests)."""
    opened = alerts.open_alerts(session)
    now = utcnow()
    rows = session.execute(
        select(Device, Room.name).join(Room, Room.id == Device.room_id).order_by(Device.id)
    )
    return [
        DeviceRow(
            device=device.id,
            room=room_name,
            state="revoked" if device.revoked else "active",
            enrolled_at=device.enrolled_at.isoformat(timespec="seconds"),
            last_seen_at=device.last_seen_at.isoformat(timespec="seconds")
            if device.last_seen_at
            else None,
            outbox_pending=device.outbox_pending,
            health=dict(device.health),
            kiosk_version=device.kiosk_version,
            online=device.last_seen_at is not None
            and not device.revoked
            and not alerts.is_silent(device, now),
            last_visit_at=device.last_visit_at.isoformat(timespec="seconds")
            if device.last_visit_at
            else None,
            heartbeat_seconds=device.heartbeat_seconds,
            alerts=[asdict(alert) for alert in opened.get(device.id, [])],
        )
        for device, room_name in rows
    ]


def revoke(session: Session, device_id: str) -> bool:
    """Lock one device out; False when there is no such device."""
    device = session.get(Device, device_id)
    if device is None:
        return False
    device.revoked = True
    alerts.close_silent(session, device_id)
    return True
