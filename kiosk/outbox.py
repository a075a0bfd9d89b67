"""The outbox: complaints kept safe on the kiosk until the hub has them.

A complaint and its files are committed in one SQLite transaction (the files written and
fsynced first) before the consumer is told "received". Once the hub has filed it, its
personal data and files are deleted; only the receipt number -> case number link stays.
The database runs in WAL mode with `synchronous=FULL` (a commit survives a power cut) and
`secure_delete=ON` (deleted rows are overwritten, not left in free pages).

One `Outbox` object is shared by the UI and the sync worker; a lock makes it the only
writer, so SQLite never sees two writers from this process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import sqlite3
import threading
import uuid as uuidlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.paths import private_dir
from kiosk.receipts import receipt_number
from kiosk.storage import Reserve, disk_full, open_database, rollback
from protocol.wire import AttachmentKind, AttachmentRef, ComplaintBody

log = logging.getLogger(__name__)

DB_NAME = "outbox.sqlite3"
_EXTENSIONS = {"image/jpeg": ".jpg", "audio/ogg": ".ogg", "audio/wav": ".wav"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    uuid TEXT PRIMARY KEY,
    receipt_number TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    held INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS pending_files (
    uuid TEXT NOT NULL REFERENCES pending(uuid) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (uuid, sha256)
);
CREATE TABLE IF NOT EXISTS receipts (
    receipt_number TEXT PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    filed_at TEXT NOT NULL,
    case_number TEXT,
    synced_at TEXT
);
CREATE TABLE IF NOT EXISTS sequence (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class NewAttachment:
    """A photo or recording the consumer gave, to keep with the complaint."""

    kind: AttachmentKind
    content_type: str
    data: bytes


@dataclass(frozen=True)
class LocalReceipt:
    """What the consumer is told at once: the complaint is safe, under this number."""

    uuid: str
    receipt_number: str
    filed_at: dt.datetime


@dataclass(frozen=True)
class PendingComplaint:
    """A complaint waiting for the hub, with its files on disk."""

    uuid: str
    body: ComplaintBody
    files: tuple[tuple[AttachmentRef, Path], ...]
    attempts: int
    #: The files the hub already confirmed (SHA-256): a retry does not send them again.
    uploaded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OutboxCounts:
    """How much waits, how much was refused, how much went."""

    pending: int
    held: int
    synced: int
    oldest_pending_at: str | None
    last_synced_at: str | None


class OutboxError(Exception):
    """The outbox cannot keep the complaint (disk full, database damaged)."""


class Outbox:
    """The kiosk's durable store of complaints not yet on the hub."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = private_dir(data_dir / "outbox")
        self.path = data_dir / DB_NAME
        if not self.path.exists():
            # Made 0600 before SQLite opens it; the -wal and -shm files take its mode.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        self._lock = threading.Lock()
        self._reserve = Reserve(data_dir)
        self._db = open_database(
            self.path,
            (
                "PRAGMA synchronous=FULL",
                "PRAGMA secure_delete=ON",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=10000",
            ),
        )
        self._db.executescript(_SCHEMA)
        self._sweep_orphans()

    def close(self) -> None:
        """Close the database (a checkpoint folds the WAL back in)."""
        with self._lock:
            self._db.close()

    def file(
        self,
        device_id: str,
        fields: Mapping[str, Any],
        attachments: Sequence[NewAttachment] = (),
        now: dt.datetime | None = None,
    ) -> LocalReceipt:
        """Keep a complaint and its files; returns its receipt once it is safe on disk.

        `fields` are the complaint's fields without `receipt_number`, `filed_at` and
        `attachments`, which the outbox adds. A complaint the hub would refuse raises
        `pydantic.ValidationError` and nothing is kept. On a full disk the storage
        reserve is given up for it; when even that is not enough, `OutboxError` says why.
        """
        try:
            return self._file(device_id, fields, attachments, now)
        except OutboxError as error:
            if not disk_full(error.__cause__ or error, self.folder) or not self._reserve.release():
                raise
        log.error("the disk is full: the complaint is kept in the storage reserve's room")
        return self._file(device_id, fields, attachments, now)

    def _file(
        self,
        device_id: str,
        fields: Mapping[str, Any],
        attachments: Sequence[NewAttachment],
        now: dt.datetime | None,
    ) -> LocalReceipt:
        filed_at = (now or dt.datetime.now()).astimezone()
        uuid = str(uuidlib.uuid4())
        refs = [
            AttachmentRef(
                sha256=hashlib.sha256(item.data).hexdigest(),
                kind=item.kind,
                content_type=item.content_type,  # type: ignore[arg-type]
                size=len(item.data),
            )
            for item in attachments
        ]
        # Check the whole complaint before anything is written (the number is a placeholder).
        ComplaintBody.model_validate(
            dict(fields)
            | {
                "receipt_number": receipt_number(device_id, filed_at.date(), 1),
                "filed_at": filed_at,
                "attachments": refs,
            }
        )
        folder = self.folder / uuid
        paths = self._write_files(folder, refs, attachments)
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    day = filed_at.strftime("%Y-%m-%d")
                    row = self._db.execute(
                        "INSERT INTO sequence (day, last) VALUES (?, 1) "
                        "ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last",
                        (day,),
                    ).fetchone()
                    number = receipt_number(device_id, filed_at.date(), int(row[0]))
                    body = ComplaintBody.model_validate(
                        dict(fields)
                        | {"receipt_number": number, "filed_at": filed_at, "attachments": refs}
                    )
                    self._db.execute(
                        "INSERT INTO pending (uuid, receipt_number, body, filed_at) "
                        "VALUES (?, ?, ?, ?)",
                        (uuid, number, body.model_dump_json(), filed_at.isoformat()),
                    )
                    self._db.executemany(
                        "INSERT INTO pending_files (uuid, sha256, path) VALUES (?, ?, ?)",
                        [
                            (uuid, ref.sha256, str(path))
                            for ref, path in zip(refs, paths, strict=True)
                        ],
                    )
                    self._db.execute(
                        "INSERT INTO receipts (receipt_number, uuid, filed_at) VALUES (?, ?, ?)",
                        (number, uuid, filed_at.isoformat()),
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    rollback(self._db)
                    raise
        except (sqlite3.Error, OSError) as error:
            log.error("a complaint could not be kept: %s", error)
            shutil.rmtree(folder, ignore_errors=True)
            raise OutboxError(f"the complaint could not be kept: {error}") from error
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return LocalReceipt(uuid=uuid, receipt_number=number, filed_at=filed_at)

    def due(self, limit: int = 20) -> list[PendingComplaint]:
        """Complaints waiting for the hub, oldest first (not those the hub refused)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT uuid, body, attempts FROM pending WHERE held = 0 ORDER BY filed_at LIMIT ?",
                (limit,),
            ).fetchall()
            files = {
                uuid: self._db.execute(
                    "SELECT sha256, path, uploaded FROM pending_files WHERE uuid = ?", (uuid,)
                ).fetchall()
                for uuid, _, _ in rows
            }
        pending = []
        for uuid, text, attempts in rows:
            body = ComplaintBody.model_validate_json(text)
            where = {sha: path for sha, path, _ in files[uuid]}
            pending.append(
                PendingComplaint(
                    uuid=uuid,
                    body=body,
                    files=tuple((ref, Path(where[ref.sha256])) for ref in body.attachments),
                    attempts=attempts,
                    uploaded=frozenset(sha for sha, _, done in files[uuid] if done),
                )
            )
        return pending

    def mark_filed(self, uuid: str, case_number: str) -> None:
        """The hub has the complaint: forget its personal data and files, keep the link."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "UPDATE receipts SET case_number = ?, synced_at = ? WHERE uuid = ?",
                    (case_number, dt.datetime.now().astimezone().isoformat(), uuid),
                )
                self._db.execute("DELETE FROM pending WHERE uuid = ?", (uuid,))
                self._db.execute("COMMIT")
            except BaseException:
                rollback(self._db)
                raise
            # Fold the WAL into the database and empty it, so no copy of the rows stays there.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.rmtree(self.folder / uuid, ignore_errors=True)

    def mark_uploaded(self, uuid: str, sha256: str) -> None:
        """The hub confirmed it holds this file of the complaint."""
        with self._lock:
            self._db.execute(
                "UPDATE pending_files SET uploaded = 1 WHERE uuid = ? AND sha256 = ?",
                (uuid, sha256),
            )

    def forget_uploads(self, uuid: str) -> None:
        """The hub says it lacks files it confirmed: send them all again."""
        with self._lock:
            self._db.execute("UPDATE pending_files SET uploaded = 0 WHERE uuid = ?", (uuid,))

    def note_failure(self, uuid: str, error: str, hold: bool = False) -> None:
        """One more failed try; `hold` when the hub refused the complaint itself."""
        with self._lock:
            self._db.execute(
                "UPDATE pending SET attempts = attempts + 1, last_error = ?, held = ? "
                "WHERE uuid = ?",
                (error[:500], int(hold), uuid),
            )

    def release_held(self) -> int:
        """Try the refused complaints again (after a technician fixed the cause)."""
        with self._lock:
            return self._db.execute("UPDATE pending SET held = 0 WHERE held = 1").rowcount

    def counts(self) -> OutboxCounts:
        """What waits and what went."""
        with self._lock:
            pending, held, oldest = self._db.execute(
                "SELECT count(*), coalesce(sum(held), 0), min(filed_at) FROM pending"
            ).fetchone()
            synced, last = self._db.execute(
                "SELECT count(*), max(synced_at) FROM receipts WHERE case_number IS NOT NULL"
            ).fetchone()
        return OutboxCounts(
            pending=pending - held,
            held=held,
            synced=synced,
            oldest_pending_at=oldest,
            last_synced_at=last,
        )

    def case_number(self, receipt: str) -> str | None:
        """The hub's case number for a receipt number, once the hub has the complaint."""
        with self._lock:
            row = self._db.execute(
                "SELECT case_number FROM receipts WHERE receipt_number = ?", (receipt,)
            ).fetchone()
        return row[0] if row else None

    def receipts(self) -> list[tuple[str, str, str | None]]:
        """Every receipt this kiosk gave: (receipt number, complaint uuid, case number)."""
        with self._lock:
            return list(
                self._db.execute(
                    "SELECT receipt_number, uuid, case_number FROM receipts ORDER BY filed_at"
                )
            )

    def integrity(self) -> str:
        """SQLite's own check of the database: "ok" when sound."""
        with self._lock:
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def _write_files(
        self, folder: Path, refs: Sequence[AttachmentRef], attachments: Sequence[NewAttachment]
    ) -> list[Path]:
        private_dir(folder)
        paths = []
        try:
            for ref, item in zip(refs, attachments, strict=True):
                path = folder / (ref.sha256 + _EXTENSIONS.get(item.content_type, ".bin"))
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(item.data)
                    out.flush()
                    os.fsync(out.fileno())
                paths.append(path)
            _fsync_folder(folder)
            _fsync_folder(self.folder)
        except OSError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise OutboxError(f"the complaint's files could not be kept: {error}") from error
        return paths

    def _sweep_orphans(self) -> None:
        """Remove files of complaints that never committed, or were filed before a crash."""
        with self._lock:
            known = {row[0] for row in self._db.execute("SELECT uuid FROM pending")}
        for folder in self.folder.iterdir():
            if folder.name not in known:
                shutil.rmtree(folder, ignore_errors=True)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
