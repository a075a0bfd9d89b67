"""How a hub process holds against connection floods (slow or silent clients by the
thousand): a bound on open connections kept well below the open-file limit, so accept()
never runs out of descriptors; a deadline for each request head; and the log told about
running out of files or connections at most once a minute.

uvicorn's own `limit_concurrency` is not the bound here: it counts idle connections too and
so answers every request, the health check included, 503 while slow clients fill the
slots, and it never stops accept() from taking more sockets than the process may open.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import resource
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("hub.serving")

HEADER_TIMEOUT = 10.0
"""Seconds a client has from a connection's start (or a kept-alive request's first byte)
to the end of its request head."""
KEEP_ALIVE_TIMEOUT = 5
"""Seconds an idle kept-alive connection stays open (more than nginx's upstream keeps one)."""
MOST_CONNECTIONS = 8192
"""The bound on one process's connections when none is given (and the file limit allows)."""
FILES_KEPT_BACK = 128
"""Descriptors left for what a process opens besides connections: database, logs, files."""

_RUNNING_OUT = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


def raise_file_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit; the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20  # what Linux's fs.nr_open allows by default
    if soft != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            log.warning("Could not raise the open-file limit from %d to %d", soft, hard)
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def connection_bound(file_limit: int, asked: int | None = None) -> int:
    """The most connections one process holds with this open-file limit: half of what is
    left after the files it needs itself (each request may open a file or two more), and no
    more than `asked`."""
    allowed = max(16, (file_limit - FILES_KEPT_BACK) // 2)
    return min(allowed, asked if asked is not None else MOST_CONNECTIONS)


def accept_backlog(file_limit: int) -> int:
    """The listen backlog with this open-file limit. asyncio accepts up to a backlog of
    sockets at once, and under a flood three or four such batches are in its loop before
    the bound lets the oldest connections go: the bound and four backlogs stay under the
    limit (with 1024 files: 448 connections and 89, and a measured peak of some 760)."""
    return max(8, min(2048, (file_limit - FILES_KEPT_BACK) // 10))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request head and a bound on
    open connections. At the bound, a new connection closes the one that has waited
    longest for its request (silent, slow or idle between requests), so a client that
    sends its request at once, such as the health check, is still answered; when every
    connection is busy with a request, the new one is closed.

    Usable as `uvicorn --http hub.serving:GuardedH11Protocol` with the defaults above;
    `mediation-hub serve` makes a subclass with its options (`guarded_protocol`)."""

    header_timeout: ClassVar[float] = HEADER_TIMEOUT
    max_connections: ClassVar[int | None] = None  # None: from the process's file limit
    waiting: ClassVar[dict[GuardedH11Protocol, None]] = {}  # oldest first

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    @classmethod
    def bound(cls) -> int:
        """The most connections this process holds."""
        if cls.max_connections is None:
            cls.max_connections = connection_bound(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        return cls.max_connections

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Take the connection, making room for it at the bound."""
        full = len(self.connections) >= self.bound()
        super().connection_made(transport)
        if full and not self._close_longest_waiting():
            log.warning(
                "At the bound of %d connections, every one with a request in progress: "
                "a new connection was closed",
                self.bound(),
                extra={"running_out": "busy connections"},
            )
            transport.close()
            return
        self._start_waiting()
        self._arm_head_deadline()

    def data_received(self, data: bytes) -> None:
        """Read as uvicorn does; a request head still incomplete keeps its deadline."""
        super().data_received(data)
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            self._stop_waiting()
            return
        if self not in self.waiting:
            self._start_waiting()
        self._arm_head_deadline()

    def on_response_complete(self) -> None:
        """A kept-alive connection waits for its next request (uvicorn's keep-alive
        timeout until its first byte, then the head's deadline)."""
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._start_waiting()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection."""
        self._stop_waiting()
        super().connection_lost(exc)

    def _close_longest_waiting(self) -> bool:
        oldest = next(iter(self.waiting), None)
        if oldest is None:
            return False
        log.warning(
            "At the bound of %d connections: closed the one waiting longest for its request",
            self.bound(),
            extra={"running_out": "connections"},
        )
        oldest._stop_waiting()
        oldest.transport.close()
        return True

    def _start_waiting(self) -> None:
        self.waiting.pop(self, None)
        self.waiting[self] = None

    def _stop_waiting(self) -> None:
        self.waiting.pop(self, None)
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _arm_head_deadline(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._stop_waiting()
            self.transport.close()


def guarded_protocol(header_timeout: float, max_connections: int) -> type[GuardedH11Protocol]:
    """A protocol class for one server, with its own deadline, bound and waiting list."""
    return type(
        "ServedH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout": header_timeout, "max_connections": max_connections, "waiting": {}},
    )


def running_out(record: logging.LogRecord) -> str | None:
    """What a log record says the process ran out of ("files": asyncio's
    "socket.accept() out of system resource", "Too many open files"; "connections": the
    bound above), or None."""
    said = getattr(record, "running_out", None)
    if isinstance(said, str):
        return said
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, OSError) and error.errno in _RUNNING_OUT:
        return "files"
    text = record.getMessage()
    if "Too many open files" in text or "out of system resource" in text:
        return "files"
    return None


class OnceAMinute(logging.Filter):
    """Lets one record a minute through about running out of each thing (files,
    connections); counts the ones held back and says how many on the next one of its kind
    it lets through. Other records pass. One instance may sit on several handlers: a record
    is decided once."""

    def __init__(self, interval: float = 60.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.interval = interval
        self.clock = clock
        self.last: dict[str, float] = {}
        self.held_back: dict[str, int] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        """True if the record is to be written."""
        decided = getattr(record, "_once_a_minute", None)
        if isinstance(decided, bool):
            return decided
        passes = self._decide(record)
        record._once_a_minute = passes
        return passes

    def _decide(self, record: logging.LogRecord) -> bool:
        kind = running_out(record)
        if kind is None:
            return True
        now = self.clock()
        with self._lock:
            last = self.last.get(kind)
            if last is not None and now - last < self.interval:
                self.held_back[kind] = self.held_back.get(kind, 0) + 1
                return False
            held_back = self.held_back.pop(kind, 0)
            self.last[kind] = now
        if held_back:
            record.msg = (
                f"{record.getMessage()} ({held_back} more such lines since the last one "
                f"were not written)"
            )
            record.args = ()
        return True


def write_running_out_once_a_minute() -> OnceAMinute:
    """Put one `OnceAMinute` on every handler logging has now, and on the loggers that tell
    of running out (asyncio's accept errors may reach only logging's last resort)."""
    once = OnceAMinute()
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    for each in loggers:
        if isinstance(each, logging.Logger):
            for handler in each.handlers:
                if once not in handler.filters:
                    handler.addFilter(once)
    for name in ("asyncio", "uvicorn.error", "hub.serving"):
        logging.getLogger(name).addFilter(once)
    return once
