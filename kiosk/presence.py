"""Who is at the kiosk: the presence rule that greets once and not again until they leave."""

from __future__ import annotations

import enum

from kiosk.i18n import N_

LEAVE_AFTER_S = 4.0
#: During a call, a face seen but small this long means the person sits too far away.
FAR_FOR_S = 5.0
#: The hint is not repeated sooner than this: once is help, every few seconds is nagging.
HINT_EVERY_S = 60.0
MOVE_CLOSER = N_("Please move a little closer to the screen, so the mediator can see you.")


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


class CloserHint:
    """During a call: when someone is seen but only small (far from the camera) for
    `far_for_s`, it is time to say "please move a little closer" — at most once in
    `every_s`, and never when nobody is there."""

    def __init__(self, far_for_s: float = FAR_FOR_S, every_s: float = HINT_EVERY_S) -> None:
        self.far_for_s = far_for_s
        self.every_s = every_s
        self._far_since: float | None = None
        self._said_at: float | None = None

    def update(self, face_seen: bool, near: bool, now: float) -> bool:
        """Take one reading; True when the hint should be spoken now."""
        if not face_seen or near:
            self._far_since = None
            return False
        if self._far_since is None:
            self._far_since = now
        if now - self._far_since < self.far_for_s:
            return False
        if self._said_at is not None and now - self._said_at < self.every_s:
            return False
        self._said_at = now
        return True
