"""The kiosk's disk when it fills up: the SQLite files still open, and a reserve of space
lets what the kiosk keeps drain to the hub.

The kiosk keeps a reserve file in its data folder. When the disk is full, the reserve is
given up so that the outbox and the audit log can still open and write (WAL needs room for
its `-shm` and `-wal` files, even to delete rows), and the kiosk stays out of service
("storage full") until there is room for the reserve again. Without a reserve, a database
still opens in exclusive locking mode, which keeps SQLite's WAL index in memory instead of
the `-shm` file: everything kept can be read, and a write fails with SQLite's own
"database or disk is full".
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

RESERVE_NAME = "storage-reserve"
#: Room for the WAL of a few transactions: enough to mark the outbox's complaints filed,
#: which deletes their files and so frees the disk.
RESERVE_BYTES = 1024 * 1024
#: The reserve is made again only with this much room besides it, so the kiosk does not
#: come back in service with a disk it fills again at the next complaint.
ROOM_TO_COME_BACK = RESERVE_BYTES
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


def free_bytes(folder: Path) -> int:
    """Bytes the kiosk may still write in this folder's file system."""
    return shutil.disk_usage(folder).free


def disk_full(error: BaseException, folder: Path) -> bool:
    """True when the error comes from a full disk (SQLite says "disk I/O error" when its
    `-shm` file cannot grow, so an I/O error on a full file system counts too)."""
    if isinstance(error, OSError):
        return error.errno in _FULL_ERRNOS
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if code == sqlite3.SQLITE_FULL:
            return True
        if code in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN):
            try:
                return free_bytes(folder) < RESERVE_BYTES
            except OSError:
                return False
    return False


class Reserve:
    """Space held back in the data folder, given up when the disk is full."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / RESERVE_NAME

    @property
    def in_place(self) -> bool:
        """True while the reserve holds its space."""
        try:
            return self.path.stat().st_size >= RESERVE_BYTES
        except OSError:
            return False

    def keep(self) -> bool:
        """Make the reserve if it is missing and there is room for it (and more); True when
        it is in place."""
        if self.in_place:
            return True
        partial = self.path.with_suffix(".tmp")
        try:
            if free_bytes(self.path.parent) < RESERVE_BYTES + ROOM_TO_COME_BACK:
                return False
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.posix_fallocate(fd, 0, RESERVE_BYTES)
                os.fsync(fd)
            finally:
                os.close(fd)
            partial.replace(self.path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            if error.errno not in _FULL_ERRNOS:
                log.warning("the storage reserve could not be made: %s", error)
            return False
        log.info("storage reserve of %d bytes in place", RESERVE_BYTES)
        return True

    def release(self) -> bool:
        """Give the reserve's space back to the disk; True if there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        log.error("the disk is full: the storage reserve is given up to keep the kiosk going")
        return True


def open_database(path: Path, pragmas: Sequence[str]) -> sqlite3.Connection:
    """Open one of the kiosk's SQLite files in WAL mode, with these pragmas after.

    On a full disk the reserve is given up and the open tried again; failing that, the
    database opens in exclusive locking mode (readable, and writes say the disk is full).
    """
    folder = path.parent
    reserve = Reserve(folder)
    for attempt in ("usual", "reserve", "exclusive"):
        if attempt == "reserve" and not reserve.release():
            continue
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            if attempt == "exclusive":
                # The WAL index in memory, not in the -shm file the full disk cannot hold.
                db.execute("PRAGMA locking_mode=EXCLUSIVE")
            db.execute("PRAGMA journal_mode=WAL")
            for pragma in pragmas:
                db.execute(pragma)
        except sqlite3.Error as error:
            db.close()
            if attempt == "exclusive" or not disk_full(error, folder):
                raise
            log.error("%s does not open on a full disk (%s)", path.name, error)
            continue
        if attempt == "exclusive":
            log.error("%s is open in exclusive mode: the disk is full", path.name)
        reserve.keep()
        return db
    raise AssertionError("unreachable")  # the last attempt returns or raises


def rollback(db: sqlite3.Connection) -> None:
    """Roll back the transaction if SQLite has not already (it does after a full disk),
    so the error that ended it is the one raised."""
    if not db.in_transaction:
        return
    try:
        db.execute("ROLLBACK")
    except sqlite3.Error:
        log.exception("the rollback failed too")
