"""The shell's link to the room's devices: opened from the settings, their health read in
the background, presence, and the room's voice for the guide."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from devices.presence import PresenceSensor
from devices.receipt import Receipt
from devices.registry import RoomDevices, open_devices
from devices.state import Health
from kiosk.presence import CloserHint, PresenceEvent, PresenceWatch
from kiosk.room import device_config, receipt_words
from kiosk.settings import Settings
from kiosk.speech import RoomSpeech
from ui.background import Background

log = logging.getLogger(__name__)

HEALTH_EVERY_MS = 15_000


class RoomLink(QObject):
    """Owns the devices for the shell; `health_changed` fires on the UI thread."""

    health_changed = Signal()

    def __init__(
        self,
        devices: RoomDevices,
        parent: QObject | None = None,
        background: Background | None = None,
    ) -> None:
        super().__init__(parent)
        self.devices = devices
        self.speech = RoomSpeech(devices.prompts, devices.speaker)
        self.presence = PresenceSensor(devices.camera)
        self.closer = CloserHint()
        self.watch = PresenceWatch()
        self.health: dict[str, Health] = {}
        # The kiosk's one pool when it hands it in (a room alone, in a test, has its own).
        self._own_pool = background is None
        self.background = background or Background(self)
        self._timer = QTimer(self)
        self._timer.setInterval(HEALTH_EVERY_MS)
        self._timer.timeout.connect(self.refresh)

    @classmethod
    def open(cls, settings: Settings, background: Background | None = None) -> RoomLink:
        """The devices the settings ask for."""
        return cls(open_devices(device_config(settings)), background=background)

    def start(self) -> None:
        """Start the camera and presence, and watch every device's health."""
        self.devices.camera.start()
        self.presence.start()
        self.refresh()
        self._timer.start()

    def refresh(self) -> None:
        """Read every device's health off the UI thread (lpstat and PortAudio can be slow)."""
        self.background.run(self._read_health, self._got_health)

    def print_receipt(
        self, receipt: Receipt, done: Callable[[str], None], failed: Callable[[str], None]
    ) -> None:
        """Print off the UI thread; `done(job)` or `failed(reason)` runs on the UI thread."""

        def printed(job: object) -> None:
            done(str(job))

        def refused(error: BaseException) -> None:
            log.warning("receipt %s not printed: %s", receipt.number, error)
            self.refresh()
            failed(str(error))

        def print_and_wait() -> str:
            # Done only once the receipt is out: paper running out after CUPS took the
            # job must still show the QR code instead.
            job = self.devices.printer.print_receipt(receipt, receipt_words)
            self.devices.printer.wait_printed(job)
            return job

        self.background.run(print_and_wait, printed, refused)

    def presence_event(self, now: float) -> PresenceEvent | None:
        """An arrival or departure since the last call, if any (called on the shell's tick)."""
        return self.watch.update(self.presence.present, now)

    def closer_hint(self, now: float) -> bool:
        """During a call: True when the person should be asked to come closer (the call
        screen speaks `kiosk.presence.MOVE_CLOSER` then)."""
        return self.closer.update(self.presence.present, self.presence.near, now)

    def close(self) -> None:
        """Stop everything and release the devices."""
        self._timer.stop()
        if self._own_pool:
            self.background.shutdown()
        self.presence.stop()
        self.speech.close()
        self.devices.close()

    def _read_health(self) -> dict[str, Health]:
        health = self.devices.health()
        health.update(self.speech.health())
        return health

    def _got_health(self, health: dict[str, Health]) -> None:
        if health != self.health:
            for name, state in health.items():
                if not state.working and self.health.get(name) != state:
                    log.warning("%s %s: %s", name, state.state.value, state.detail)
            self.health = health
            self.health_changed.emit()
