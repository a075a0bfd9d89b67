"""The attendant's way in: five taps in the top-left corner, then a 6-digit PIN.

Five wrong PINs lock the keypad for five minutes. The lock is kept in the data
directory, so restarting the kiosk does not lift it.
"""

from __future__ import annotations

import enum
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.paths import write_private_json
from protocol.pins import pin_matches

log = logging.getLogger(__name__)

KNOCKS = 5
KNOCK_WINDOW_S = 3.0
MAX_WRONG_PINS = 5
LOCK_SECONDS = 300


class CornerKnock:
    """Counts taps in the hidden corner; five within three seconds open the PIN keypad."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._taps: list[float] = []

    def tap(self) -> bool:
        """Count one tap; True when this tap completes the knock."""
        now = self._clock()
        self._taps = [t for t in self._taps if now - t <= KNOCK_WINDOW_S] + [now]
        if len(self._taps) >= KNOCKS:
            self._taps.clear()
            return True
        return False


class PinVerdict(enum.Enum):
    """What became of one PIN entry."""

    READY = "ready"
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"
    NO_PIN_SET = "no_pin_set"


@dataclass(frozen=True)
class PinOutcome:
    """The verdict, with the tries left or the seconds until the lock lifts."""

    verdict: PinVerdict
    tries_left: int = MAX_WRONG_PINS
    locked_seconds: int = 0


class PinLock:
    """Checks attendant PINs and locks the keypad after too many wrong ones."""

    def __init__(
        self,
        pin_hash: str,
        state_file: Path,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._pin_hash = pin_hash
        self._state_file = state_file
        self._clock = clock
        self._wrong, self._locked_until = self._read()

    def use_hash(self, pin_hash: str) -> None:
        """Check against another PIN from now on (the hub issued the room a new one)."""
        self._pin_hash = pin_hash

    def status(self) -> PinOutcome:
        """Whether a PIN may be tried now, without trying one."""
        if not self._pin_hash:
            return PinOutcome(PinVerdict.NO_PIN_SET)
        left = self._locked_until - self._clock()
        if left > 0:
            return PinOutcome(PinVerdict.LOCKED, 0, int(left + 0.999))
        return PinOutcome(PinVerdict.READY, MAX_WRONG_PINS - self._wrong)

    def check(self, pin: str) -> PinOutcome:
        """Try a PIN: accepted, wrong (with tries left), or locked (with seconds left)."""
        status = self.status()
        if status.verdict in (PinVerdict.NO_PIN_SET, PinVerdict.LOCKED):
            return status
        if pin_matches(pin, self._pin_hash):
            self._wrong, self._locked_until = 0, 0.0
            self._write()
            log.info("attendant unlocked the kiosk")
            return PinOutcome(PinVerdict.ACCEPTED)
        self._wrong += 1
        log.warning("wrong attendant PIN (%d of %d)", self._wrong, MAX_WRONG_PINS)
        if self._wrong >= MAX_WRONG_PINS:
            self._wrong = 0
            self._locked_until = self._clock() + LOCK_SECONDS
            self._write()
            log.warning("attendant keypad locked for %d s", LOCK_SECONDS)
            return PinOutcome(PinVerdict.LOCKED, 0, LOCK_SECONDS)
        self._write()
        return PinOutcome(PinVerdict.WRONG, MAX_WRONG_PINS - self._wrong)

    def _read(self) -> tuple[int, float]:
        try:
            data = json.loads(self._state_file.read_text())
            return int(data["wrong"]), float(data["locked_until"])
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, KeyError, TypeError):
            # A damaged file must not open the keypad: start locked.
            log.error("attendant lock file %s is damaged; locking", self._state_file)
            return 0, self._clock() + LOCK_SECONDS

    def _write(self) -> None:
        write_private_json(
            self._state_file, {"wrong": self._wrong, "locked_until": self._locked_until}
        )
