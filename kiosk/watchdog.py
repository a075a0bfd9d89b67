"""Telling systemd the kiosk is alive: the `sd_notify` protocol, spoken directly.

systemd passes `NOTIFY_SOCKET` (a Unix datagram socket; `@name` is in the abstract
namespace) and, with `WatchdogSec=`, `WATCHDOG_USEC` (and `WATCHDOG_PID`, the process
meant). The kiosk sends `READY=1` once its first screen is up, `WATCHDOG=1` from the Qt
event loop at half the interval, so a frozen screen misses its pings and is restarted, and
`STOPPING=1` on the way out. Outside systemd every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Watchdog:
    """The kiosk's line to its supervisor (systemd, or anything speaking sd_notify)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.address = _address(env.get("NOTIFY_SOCKET", ""))
        self.interval_s = _interval(env)

    @property
    def supervised(self) -> bool:
        """True when a supervisor listens (NOTIFY_SOCKET is set)."""
        return self.address is not None

    @property
    def ping_ms(self) -> int:
        """How often to ping, in milliseconds: half the watchdog's interval (0: never)."""
        return int(self.interval_s * 1000 / 2) if self.interval_s else 0

    def ready(self) -> None:
        """The kiosk is up: its first screen is on."""
        self.send("READY=1\nSTATUS=Kiosk screen up")

    def ping(self) -> None:
        """The event loop still turns."""
        self.send("WATCHDOG=1")

    def stopping(self) -> None:
        """The kiosk is stopping on purpose (SIGTERM, an update)."""
        self.send("STOPPING=1")

    def send(self, message: str) -> bool:
        """Send one notification; False when there is no one to tell or it did not go."""
        if self.address is None:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(message.encode(), self.address)
        except OSError as error:
            # A supervisor that went away must not take the kiosk down with it.
            log.warning("could not notify the supervisor: %s", error)
            return False
        return True


def _address(value: str) -> str | bytes | None:
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()  # the abstract namespace
    if value.startswith("/"):
        return value
    log.warning("NOTIFY_SOCKET %r is neither a path nor an abstract name: ignored", value)
    return None


def _interval(env: Mapping[str, str]) -> float:
    """The watchdog interval in seconds, or 0 when no watchdog is set for this process."""
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
    except ValueError:
        return 0.0
    pid = env.get("WATCHDOG_PID", "")
    # Under cage the unit's main process is the compositor, which starts the kiosk: the
    # watchdog named it, and the kiosk pings on its behalf (the unit has NotifyAccess=all).
    if pid and pid not in {str(os.getpid()), str(os.getppid())}:
        return 0.0  # the watchdog is meant for some other process
    return usec / 1_000_000 if usec > 0 else 0.0
