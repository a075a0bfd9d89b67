"""Log lines for the systemd journal: under systemd the kiosk's standard error is a journal
stream (`JOURNAL_STREAM` is set), which takes a `<N>` syslog priority at the start of each
line, so `journalctl -p warning` finds the kiosk's warnings, and adds its own timestamps."""

from __future__ import annotations

import logging
import os
import sys

# syslog priorities (sd-daemon(3)) for Python's levels.
PRIORITIES = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


class JournalFormatter(logging.Formatter):
    """`<priority>logger: message`, one journal entry a line (a traceback's lines too)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as journal lines."""
        priority = PRIORITIES.get(record.levelno, 6)
        if record.levelno not in PRIORITIES:
            priority = max(p for level, p in PRIORITIES.items() if level >= record.levelno)
        text = super().format(record)
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines())


def under_journal() -> bool:
    """True when standard error is the journal stream systemd handed over."""
    stream = os.environ.get("JOURNAL_STREAM", "")
    if not stream or ":" not in stream:
        return False
    try:
        device, inode = (int(part) for part in stream.split(":", 1))
        found = os.fstat(sys.stderr.fileno())
    except (ValueError, OSError):
        return False
    # Only our own stderr: a child started by something else may inherit the variable.
    return (found.st_dev, found.st_ino) == (device, inode)


def error_stream_handler() -> logging.Handler:
    """A handler for standard error: journal lines under systemd, plain lines elsewhere."""
    handler = logging.StreamHandler()
    if under_journal():
        handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    return handler
