"""The staff's audit log and the consumers' calls for help, kept on the kiosk in SQLite
until the hub has them.

Every attendant and technician action is written here first (so it survives the hub being
away or the kiosk restarting), then sent by the sync worker with the entry's own UUID, so
an entry sent twice is still kept once on the hub. Nothing personal is written: the action,
the role, and a word of detail (never a visitor's data).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import os
import sqlite3
import threading
import uuid as uuidlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.paths import private_dir
from kiosk.storage import open_database

if TYPE_CHECKING:  # the network stack loads with the sync, after the first screen
    from kiosk.hub_client import HubClient

log = logging.getLogger(__name__)

AUDIT_NAME = "audit.sqlite3"
BATCH = 200


class Role(enum.StrEnum):
    """Who did it: the two PIN levels."""

    ATTENDANT = "attendant"
    TECHNICIAN = "technician"


@dataclass(frozen=True)
class AuditLine:
    """One entry as the technician's screen shows it."""

    at: str
    role: str
    action: str
    detail: str
    sent: bool


class AuditLog:
    """The audit log and the calls for help waiting for the hub (safe from any thread)."""

    def __init__(self, data_dir: Path) -> None:
        private_dir(data_dir)
        self.path = data_dir / AUDIT_NAME
        self._lock = threading.Lock()
        if not self.path.exists():
            # Made 0600 before SQLite opens it; the -wal and -shm files take its mode.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        self.path.chmod(0o600)
        self._db = open_database(self.path, ("PRAGMA synchronous=FULL",))
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS entries (uuid TEXT PRIMARY KEY, at TEXT NOT NULL, "
            "role TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL, "
            "sent INTEGER NOT NULL DEFAULT 0)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS help_requests (uuid TEXT PRIMARY KEY, "
            "asked_at TEXT NOT NULL, sent INTEGER NOT NULL DEFAULT 0)"
        )

    def record(self, role: Role, action: str, detail: str = "") -> bool:
        """Write down one staff action (at once, durably); False, and the log says why,
        when it could not be kept (a full disk): the action itself goes on."""
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        log.info("%s: %s %s", role.value, action, detail)
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO entries (uuid, at, role, action, detail) VALUES (?, ?, ?, ?, ?)",
                    (str(uuidlib.uuid4()), now, role.value, action, detail[:200]),
                )
        except sqlite3.Error as error:
            log.error("the audit entry %s %s could not be kept: %s", role.value, action, error)
            return False
        return True

    def ask_for_help(self, asked_at: dt.datetime) -> bool:
        """A consumer called for help: the hub is told with the next sync; False, and the
        log says why, when it could not be kept (the room's attendant is still called)."""
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO help_requests (uuid, asked_at) VALUES (?, ?)",
                    (str(uuidlib.uuid4()), asked_at.astimezone().isoformat(timespec="seconds")),
                )
        except sqlite3.Error as error:
            log.error("the call for help could not be kept for the hub: %s", error)
            return False
        return True

    def latest(self, limit: int = 50) -> list[AuditLine]:
        """The newest entries first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT at, role, action, detail, sent FROM entries ORDER BY rowid DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [AuditLine(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def waiting(self) -> int:
        """Entries and calls for help the hub does not have yet."""
        with self._lock:
            entries = self._db.execute("SELECT count(*) FROM entries WHERE sent = 0").fetchone()
            helps = self._db.execute("SELECT count(*) FROM help_requests WHERE sent = 0").fetchone()
        return int(entries[0]) + int(helps[0])

    def send(self, client: HubClient) -> None:
        """Send what waits to the hub (called by the sync worker; errors go to its backoff)."""
        from protocol.wire import AuditBatch, AuditEntry, HelpRequest

        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT uuid, at, role, action, detail FROM entries WHERE sent = 0 "
                    "ORDER BY rowid LIMIT ?",
                    (BATCH,),
                ).fetchall()
            if not rows:
                break
            client.post_audit(
                AuditBatch(
                    entries=[
                        AuditEntry(
                            uuid=r[0],
                            at=dt.datetime.fromisoformat(r[1]),
                            role=r[2],
                            action=r[3],
                            detail=r[4],
                        )
                        for r in rows
                    ]
                )
            )
            with self._lock:
                self._db.executemany(
                    "UPDATE entries SET sent = 1 WHERE uuid = ?", [(r[0],) for r in rows]
                )
        with self._lock:
            helps = self._db.execute(
                "SELECT uuid, asked_at FROM help_requests WHERE sent = 0 ORDER BY rowid"
            ).fetchall()
        for uuid, asked_at in helps:
            client.post_help_request(
                HelpRequest(uuid=uuid, asked_at=dt.datetime.fromisoformat(asked_at))
            )
            with self._lock:
                self._db.execute("UPDATE help_requests SET sent = 1 WHERE uuid = ?", (uuid,))

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
