"""The idle reset: after a while without a touch, warn; after the warning, wipe the visit.

The warning always gets its full time on screen, counted from when it was first seen,
even if the kiosk was too busy (or asleep) to look sooner. Never while the consumer waits
on something (a call, an upload): those hold the watch. The clock is passed in, so the
rule runs the same in tests and in the shell's timer.
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Callable


class IdleState(enum.Enum):
    """Where a visit stands on the way to an idle reset."""

    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


class IdleWatch:
    """Tells from the time of the last touch whether to warn or to reset."""

    def __init__(
        self,
        idle_seconds: float,
        warning_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.warning_seconds = warning_seconds
        self._clock = clock
        self._last_touch = clock()
        self._warned_at: float | None = None
        self._holds: set[str] = set()

    def touch(self) -> None:
        """The consumer did something: start counting again."""
        self._last_touch = self._clock()
        self._warned_at = None

    def idle_for(self, seconds: float) -> None:
        """Count as if the last touch were `seconds` ago (the screenshot's picture of the
        warning shows a visitor gone quiet)."""
        self._last_touch = self._clock() - seconds
        self._warned_at = None

    def reset(self) -> None:
        """A new visit: no holds, counting from now."""
        self._holds.clear()
        self.touch()

    def hold(self, reason: str) -> None:
        """Stop counting while the consumer waits on something (a call, an upload)."""
        self._holds.add(reason)

    def release(self, reason: str) -> None:
        """The wait is over: count again from now."""
        self._holds.discard(reason)
        self.touch()

    @property
    def held(self) -> bool:
        """True while something the consumer waits on holds the watch."""
        return bool(self._holds)

    def state(self) -> IdleState:
        """Active, warning or expired, as of now; the first look past the idle time starts
        the warning."""
        if self._holds:
            return IdleState.ACTIVE
        now = self._clock()
        if now - self._last_touch < self.idle_seconds:
            return IdleState.ACTIVE
        if self._warned_at is None:
            self._warned_at = now
        if now - self._warned_at < self.warning_seconds:
            return IdleState.WARNING
        return IdleState.EXPIRED

    def seconds_left(self) -> int:
        """Whole seconds until the reset, counted up, as the warning shows them."""
        if self._warned_at is None:
            return math.ceil(self.warning_seconds)
        left = self.warning_seconds - (self._clock() - self._warned_at)
        return max(0, math.ceil(left))
