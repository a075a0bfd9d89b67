"""The shell's link to the fleet: the outbox, the sync worker, and (for the demo) a hub.

The worker runs on its own thread; what it reports reaches the shell through Qt signals,
queued onto the UI thread, so the screen never waits on the network.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from kiosk import __version__
from kiosk.demo_hub import DemoHub
from kiosk.enrollment import load_room
from kiosk.hub_client import connect
from kiosk.outbox import Outbox
from kiosk.settings import Settings
from kiosk.sync import SyncWorker
from protocol.wire import DeviceHealth, RoomSettings
from ui.shell import KioskShell

log = logging.getLogger(__name__)

SETTINGS_POLL_SECONDS = 60


def _device_health(shell: KioskShell) -> dict[str, DeviceHealth]:
    """The room's devices as the heartbeat reports them (read on the sync thread; the
    room link replaces its dictionary whole, so a read sees one moment's states)."""
    room = shell.room
    if room is None:
        return {}
    return {
        name: DeviceHealth(state=health.state, detail=health.detail[:200])
        for name, health in dict(room.health).items()
    }


class FleetLink(QObject):
    """Keeps the outbox and the sync worker for one shell."""

    status_changed = Signal(object)
    room_changed = Signal(object)

    def __init__(self, settings: Settings, shell: KioskShell) -> None:
        super().__init__(shell)
        self.settings = settings
        self.outbox = Outbox(settings.data_dir)
        self.worker = SyncWorker(
            self.outbox,
            settings.data_dir,
            client_for=lambda c: connect(c, settings),
            # The room's settings ride on the heartbeat: at least once a minute, so a
            # change on the hub reaches the kiosk within a minute.
            heartbeat_seconds=min(settings.heartbeat_seconds, SETTINGS_POLL_SECONDS),
            retry_cap_seconds=settings.sync_retry_cap_seconds,
            kiosk_version=__version__,
            device_health=lambda: _device_health(shell),
            on_status=self.status_changed.emit,
            on_room=self.room_changed.emit,
            also_send=(shell.staff.audit.send,),
            last_visit=lambda: shell.staff.last_visit_at,
        )
        self.status_changed.connect(shell.show_sync)
        self.room_changed.connect(shell.apply_room)
        self.demo_hub = DemoHub(settings.data_dir) if settings.demo else None
        shell.use_fleet(self.outbox, self.worker)
        self.shell = shell
        room = load_room(settings.data_dir)
        if room is not None:
            shell.apply_room(room)

    def start(self) -> None:
        """Start the sync (after the demo hub, which starts in the background)."""
        if self.demo_hub is None:
            self.worker.start()
            return
        try:
            self.demo_hub.launch()  # on the UI thread, which lives as long as the kiosk
        except OSError:
            log.exception("the demo hub did not start; the kiosk works offline")
            self.worker.start()
            return
        # Waiting for the demo hub and enrolling take seconds: off the UI thread.
        self.shell.background.run(self._start_demo, self._demo_ready, self._demo_failed)

    def stop(self) -> None:
        """Stop the worker, the demo hub, and close the outbox."""
        self.worker.stop()
        if self.demo_hub is not None:
            self.demo_hub.stop()
        self.outbox.close()

    def _start_demo(self) -> RoomSettings | None:
        assert self.demo_hub is not None
        self.demo_hub.wait_ready()
        credential = self.demo_hub.enroll_kiosk()
        log.info("demo kiosk enrolled as %s", credential.device_id)
        return load_room(self.settings.data_dir)

    def _demo_ready(self, room: RoomSettings | None) -> None:
        if room is not None:
            self.shell.apply_room(room)
        self.worker.start()

    def _demo_failed(self, error: BaseException) -> None:
        log.error("the demo hub did not start; the kiosk works offline", exc_info=error)
        self.worker.start()
