"""Whether the kiosk is in service: the attendant's choice, kept across a restart, so a
kiosk put out of service for a fault does not come back by itself after a reboot."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kiosk.paths import write_private_json

log = logging.getLogger(__name__)


class ServiceSwitch:
    """In service or out of service, remembered in the data directory."""

    def __init__(self, state_file: Path) -> None:
        self._state_file = state_file
        self._in_service = self._read()

    @property
    def in_service(self) -> bool:
        """True while consumers may use the kiosk."""
        return self._in_service

    def set(self, in_service: bool) -> None:
        """Put the kiosk in or out of service, and remember it."""
        self._in_service = in_service
        write_private_json(self._state_file, {"in_service": in_service})
        log.info("kiosk %s service", "back in" if in_service else "out of")

    def _read(self) -> bool:
        try:
            return bool(json.loads(self._state_file.read_text())["in_service"])
        except FileNotFoundError:
            return True
        except (OSError, ValueError, KeyError, TypeError):
            # Unsure: keep consumers away until the attendant looks.
            log.error("service state file %s is damaged; staying out of service", self._state_file)
            return False


class CrashedSwitch(ServiceSwitch):
    """Out of service while the kiosk keeps failing to start (the `crash_screen` setting);
    not remembered, so the next good start is in service again as the attendant left it."""

    def __init__(self, state_file: Path) -> None:
        super().__init__(state_file)
        self._in_service = False

    def set(self, in_service: bool) -> None:
        """Refuse: a kiosk that cannot start stays out of service until a technician fixes it."""
        log.warning("the kiosk runs its out-of-service screen only; it cannot be put in service")
