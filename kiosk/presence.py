"""Who is at the kiosk: the presence rule that greets once and not again until they leave."""

from __future__ import annotations

import enum

LEAVE_AFTER_S = 4.0


class PresenceEvent(enum.Enum):
    """What changed in front of the kiosk."""

    ARRIVED = "arrived"
    LEFT = "left"


class PresenceWatch:
    """Turns 'a face is seen now' readings into arrivals and departures.

    Someone has left only after no face was seen for `leave_after_s` (people turn away,
    look down at the screen, and the detector misses frames).
    """

    def __init__(self, leave_after_s: float = LEAVE_AFTER_S) -> None:
        self.leave_after_s = leave_after_s
        self.here = False
        self._last_seen = 0.0

    def update(self, face_seen: bool, now: float) -> PresenceEvent | None:
        """Take one reading; returns the event it makes, if any."""
        if face_seen:
            self._last_seen = now
            if not self.here:
                self.here = True
                return PresenceEvent.ARRIVED
        elif self.here and now - self._last_seen >= self.leave_after_s:
            self.here = False
            return PresenceEvent.LEFT
        return None
