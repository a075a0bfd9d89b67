"""The idle reset: after a while without a touch, warn; after the warning, wipe the visit.

Never while the consumer waits on something (a call, an upload): those hold the watch.
The clock is passed in, so the rule runs the same in tests and in the shell's timer.
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
        self._holds: set[str] = set()

    def touch(self) -> None:
        """The consumer did something: start counting again."""
        self._last_touch = self._clock()

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
        """Active, warning or expired, as of now."""
        if self._holds:
            return IdleState.ACTIVE
        quiet = self._clock() - self._last_touch
        if quiet < self.idle_seconds:
            return IdleState.ACTIVE
        if quiet < self.idle_seconds + self.warning_seconds:
            return IdleState.WARNING
        return IdleState.EXPIRED

    def seconds_left(self) -> int:
        """Whole seconds until the reset, counted up, as the warning shows them."""
        quiet = self._clock() - self._last_touch
        left = self.idle_seconds + self.warning_seconds - quiet
        return max(0, math.ceil(min(left, self.warning_seconds)))
