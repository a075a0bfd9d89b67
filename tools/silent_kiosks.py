"""Kiosks enrolled long ago that stopped beating long ago, made straight in a hub's database:
the fleet a hub has known for years, for `bench/fleet.py --silent-kiosks` and the tests."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

LONG_AGO = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
PER_ROOM = 500


def add_silent_kiosks(db: str, count: int, alerted: bool = False) -> None:
    """Add `count` such kiosks, up to 500 a room, in rooms of their own; `alerted`: with the
    open "silent" alert that a hub which has known them for years holds for each (else
    the hub's next round opens them)."""
    from hub import fleet
    from hub.alerts import KIOSK_SILENT, Alert
    from hub.store import Device

    if count <= 0:
        return
    batch = secrets.token_hex(3)  # rooms of their own, however often this is called
    engine = create_engine(db)
    columns = set(Device.__table__.c.keys())
    with sessionmaker(engine).begin() as session:
        for first in range(0, count, PER_ROOM):
            room = fleet.room_named(session, f"早已沉寂的调解室 {batch}-{first // PER_ROOM:03d}")
            session.flush()
            rows = [
                {
                    "id": f"R{room.id:04d}K{n}",
                    "room_id": room.id,
                    "number": n,
                    "credential_hash": "0" * 64,
                    "revoked": False,
                    "kiosk_version": "",
                    "enrolled_at": LONG_AGO,
                    "last_seen_at": LONG_AGO,
                    "silent_at": LONG_AGO + dt.timedelta(seconds=90),
                    "health": {},
                    "outbox_pending": 0,
                    "heartbeat_seconds": 30,
                }
                for n in range(1, min(PER_ROOM, count - first) + 1)
            ]
            # An older hub has no `silent_at` yet: what it has, the kiosks get.
            session.execute(
                Device.__table__.insert(),
                [{k: v for k, v in row.items() if k in columns} for row in rows],
            )
            room.devices_enrolled = len(rows)
            if alerted:
                session.execute(
                    Alert.__table__.insert(),
                    [
                        {
                            "device_id": row["id"],
                            "kind": KIOSK_SILENT,
                            "subject": "",
                            "detail": f"no heartbeat since {LONG_AGO.isoformat()}",
                            "opened_at": LONG_AGO + dt.timedelta(seconds=90),
                            "open_key": f"{row['id']}:{KIOSK_SILENT}:",
                        }
                        for row in rows
                    ],
                )
    if engine.dialect.name == "postgresql":  # figures the planner has for a long-known fleet
        with engine.connect() as connection:
            connection.execute(text("ANALYZE devices"))
            connection.execute(text("ANALYZE alerts"))
            connection.commit()
    engine.dispose()
