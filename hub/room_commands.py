"""`mediation-hub room-settings` and `room-pins`: a room's settings and its staff PINs.

Both raise the room's settings version, so its kiosks pull the change with their next
heartbeat (within a minute) and apply it without a restart.
"""

from __future__ import annotations

import json
import secrets
import sys
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from hub import fleet
from hub.store import Room
from protocol.pins import hash_pin
from protocol.wire import RoomSettings

#: Settings the hub keeps for itself: the room's name and code are not settings.
_FIXED = {"room_code", "room_name", "version"}
#: Set only by `room-pins`, which prints the PINs they are made from.
_PINS = {"attendant_pin_hash", "technician_pin_hash"}


def _room(session: Session, name_or_code: str) -> Room | None:
    return session.scalar(
        select(Room).where(or_(Room.name == name_or_code, Room.code == name_or_code.upper()))
    )


def parse_assignment(text: str) -> tuple[str, Any]:
    """`key=value`, the value read as JSON when it is JSON, else as plain text."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"{text!r} is not KEY=VALUE")
    try:
        parsed: Any = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    return key.strip(), parsed


def room_settings(sessions: sessionmaker[Session], room: str, assignments: list[str]) -> int:
    """Print the room's settings as JSON after applying `key=value` changes; exit code."""
    try:
        changes = dict(parse_assignment(a) for a in assignments)
    except ValueError as error:
        print(f"room-settings: {error}.", file=sys.stderr)
        return 2
    refused = sorted(set(changes) & (_FIXED | _PINS))
    unknown = sorted(set(changes) - set(RoomSettings.model_fields))
    if refused or unknown:
        print(
            f"room-settings: {', '.join(refused + unknown)} cannot be set here; settings: "
            f"{', '.join(sorted(set(RoomSettings.model_fields) - _FIXED - _PINS))}.",
            file=sys.stderr,
        )
        return 2
    with sessions.begin() as session:
        found = _room(session, room)
        if found is None:
            print(f"room-settings: no room {room}.", file=sys.stderr)
            return 1
        try:
            settings = (
                fleet.change_room_settings(session, found, changes)
                if changes
                else fleet.room_settings(found)
            )
        except ValidationError as error:
            session.rollback()
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
            )
            print(f"room-settings: not changed: {problems}.", file=sys.stderr)
            return 2
    shown = settings.model_dump(mode="json", exclude=_PINS)
    print(json.dumps(shown, ensure_ascii=False, indent=2))
    return 0


def room_pins(sessions: sessionmaker[Session], room: str) -> int:
    """Issue new PINs for the room, print them once, keep only their hashes; exit code."""
    attendant = f"{secrets.randbelow(10**6):06d}"
    technician = f"{secrets.randbelow(10**6):06d}"
    while technician == attendant:
        technician = f"{secrets.randbelow(10**6):06d}"
    with sessions.begin() as session:
        found = _room(session, room)
        if found is None:
            print(f"room-pins: no room {room}.", file=sys.stderr)
            return 1
        settings = fleet.change_room_settings(
            session,
            found,
            {
                "attendant_pin_hash": hash_pin(attendant),
                "technician_pin_hash": hash_pin(technician),
            },
        )
        name, code = found.name, found.code
    print(f"attendant PIN: {attendant}")
    print(f"technician PIN: {technician}")
    print(
        f"Room {name} ({code}), settings version {settings.version}: its kiosks take the new "
        "PINs within a minute; the hub keeps only their hashes."
    )
    return 0
