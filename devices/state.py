"""A device's health report: its one state (`protocol.states.DeviceState`, the state the
heartbeat carries too) and a sentence for the technician."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from protocol.states import DeviceState


@dataclass(frozen=True)
class Health:
    """A device's state with a sentence for the technician (English, for the log)."""

    state: DeviceState
    detail: str = ""

    @property
    def working(self) -> bool:
        """True when the device can be used (ready now, or busy and then ready)."""
        return self.state in (DeviceState.READY, DeviceState.BUSY)


def ready(detail: str = "") -> Health:
    """A ready device's health."""
    return Health(DeviceState.READY, detail)


class DeviceError(Exception):
    """A device could not do what was asked; carries the health it is in now."""

    def __init__(self, health: Health) -> None:
        super().__init__(health.detail)
        self.health = health


# The self-test's verdicts.
PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass(frozen=True)
class CheckResult:
    """One self-test check: its name, pass / fail / skip, a sentence for the technician,
    the time taken, and whether the kiosk needs it to pass."""

    name: str
    state: str
    detail: str
    seconds: float
    required: bool = True

    @property
    def ok(self) -> bool:
        """True unless a required check failed."""
        return self.state != FAIL or not self.required

    def as_json(self) -> dict[str, Any]:
        """The check as a JSON object."""
        return asdict(self)


# A further self-test check: (name, required, run), where run returns (state, detail).
ExtraCheck = tuple[str, bool, Callable[[], tuple[str, str]]]
