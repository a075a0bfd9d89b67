"""The self-test on the screen: the live camera picture, a microphone meter, a test tone,
a printer test page, and the full self-test with each check's verdict."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout

from kiosk.audit import Role
from kiosk.i18n import N_
from kiosk.room import DEVICE_LABELS
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.level_meter import LevelMeter

if TYPE_CHECKING:
    from devices.audio import Take
    from devices.state import CheckResult
    from ui.host import ScreenKit
    from ui.widgets.camera_view import CameraView

log = logging.getLogger(__name__)

#: What the verdicts call each check.
CHECK_LABELS = DEVICE_LABELS | {"storage": N_("Storage"), "hub": N_("Hub")}
#: How long the microphone meter listens each time it is opened.
LISTEN_SECONDS = 60.0
TONE_SECONDS = 1.5


class StaffSelfTestScreen(Screen):
    """Try each device by hand, or all of them; the verdicts in words."""

    name = "staff_selftest"
    description = "Self-test: live camera, microphone meter, test tone, test page, all checks"
    header = False
    bar = Nav.NONE
    consumer = False

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.camera_view: CameraView | None = None
        self.take: Take | None = None
        self.results: list[CheckResult] = []
        self.running = False
        self.verdict_id = ""
        self.heading = text("heading")
        self.verdict = text()
        self.meter = LevelMeter()
        self.tone = IconButton("volume_up", "quiet")
        self.tone.clicked.connect(self.play_tone)
        self.page = IconButton("check", "quiet")
        self.page.clicked.connect(self.print_page)
        self.run_all = IconButton("search", "primary")
        self.run_all.clicked.connect(self.run_checks)
        self.back = IconButton("back", "quiet")
        self.back.clicked.connect(self.leave)
        self.picture_row = QHBoxLayout()
        self.left = QVBoxLayout()
        self.left.addWidget(self.meter)
        self.left.addWidget(self.verdict, 1)
        self.picture_row.addLayout(self.left, 1)
        self.grid = QGridLayout()
        for index, button in enumerate((self.tone, self.page, self.run_all, self.back)):
            self.grid.addWidget(button, index // 2, index % 2)
        self.column.addWidget(self.heading)
        self.column.addLayout(self.picture_row, 1)
        self.column.addLayout(self.grid)

    # -- showing ------------------------------------------------------------------------

    def show_result(self, result: object) -> None:
        """Shown: start the live picture and the microphone meter."""
        super().show_result(None)
        self.start_live()

    def start_live(self) -> None:
        """The camera's picture and the microphone's level, live."""
        room = self.kit.room()
        if room is None or not hasattr(room, "devices"):
            return
        if self.camera_view is None:
            from ui.widgets.camera_view import CameraView

            self.camera_view = CameraView(room.devices.camera)
            self.camera_view.setMinimumSize(320, 240)
            self.picture_row.insertWidget(0, self.camera_view, 1)
        self.camera_view.start()
        if self.take is None:
            try:
                self.take = room.devices.microphone.record(LISTEN_SECONDS)
            except Exception as error:  # the verdict says so; the screen carries on
                log.warning("the microphone meter cannot listen: %s", error)
                self.verdict_id = N_("The microphone cannot be opened.")
                self.retranslate()
                return
            self.meter.follow(self.take, LISTEN_SECONDS)

    def leave(self) -> None:
        """Back to the panel the staff came from."""
        self.stop_live()
        technician = self.kit.staff.role is Role.TECHNICIAN
        self.nav.show("technician_panel" if technician else "attendant_panel")

    def stop_live(self) -> None:
        """Stop the picture and the meter (the camera itself keeps running for presence)."""
        if self.camera_view is not None:
            self.camera_view.stop()
        room = self.kit.room()
        if self.take is not None and room is not None:
            room.devices.microphone.stop()
        self.take = None
        self.meter.stop()

    def clear(self) -> None:
        """The panel closed with the visit's wipe: stop listening."""
        self.stop_live()
        super().clear()

    # -- the checks ---------------------------------------------------------------------

    def play_tone(self) -> None:
        """A one-and-a-half-second tone through the speaker at the room's volume."""
        room = self.kit.room()
        if room is None:
            return
        from devices.selftest import _tone

        self.kit.staff.record("test_tone")
        room.devices.speaker.play(_tone(TONE_SECONDS), self.host.settings.volume)
        self.verdict_id = N_("A test tone is playing. You should hear it now.")
        self.retranslate()

    def print_page(self) -> None:
        """A test page on the receipt printer."""
        room = self.kit.room()
        if room is None:
            return
        from devices.receipt import self_test_receipt

        self.kit.staff.record("test_page")
        room.print_receipt(
            self_test_receipt(self.host.settings.room_name),
            lambda _job: self._say(N_("The test page is printed.")),
            lambda _reason: self._say(N_("The test page did not print. Check the printer.")),
        )

    def run_checks(self) -> None:
        """Every check of the self-test, off the UI thread; the verdicts listed."""
        room = self.kit.room()
        if room is None or self.running:
            return
        from devices.selftest import SelfTest
        from kiosk.room import device_config, extra_checks, receipt_words

        self.stop_live()  # the microphone check needs the microphone for itself
        settings = self.host.settings
        test = SelfTest(
            room.devices,
            device_config(settings),
            receipt_words,
            extra_checks(settings),
            room=settings.room_name,
            volume=settings.volume,
        )
        self.running = True
        self.kit.staff.record("self_test")
        self.verdict_id = N_("The self-test is running. This takes about half a minute.")
        self.retranslate()
        self.kit.staff.run(test.run, self._checked, self._check_failed)

    def _camera_back(self) -> None:
        # The self-test's camera check stops the camera when it is done; the room's
        # presence sensor and this screen's picture need it running again.
        room = self.kit.room()
        if room is not None:
            try:
                room.devices.camera.start()
            except Exception as error:  # the panel's device list shows the camera's state
                log.warning("the camera did not start again after the self-test: %s", error)

    def _checked(self, results: list[CheckResult]) -> None:
        self.running = False
        self._camera_back()
        self.results = results
        failed = [r for r in results if r.required and not r.ok]
        self.kit.staff.record(
            "self_test_result",
            "passed" if not failed else "failed: " + ",".join(r.name for r in failed),
        )
        self.verdict_id = ""
        self.retranslate()
        if self.host.showing(self):
            self.start_live()

    def _check_failed(self, error: BaseException) -> None:
        self.running = False
        self._camera_back()
        log.error("the self-test could not run: %s", error)
        self._say(N_("The self-test could not run. Read the log."))

    def _say(self, message_id: str) -> None:
        self.verdict_id = message_id
        self.retranslate()
        if self.host.showing(self):
            self.host.say(self.verdict.text())

    # -- words --------------------------------------------------------------------------

    def retranslate(self) -> None:
        """The verdicts in the visit's language."""
        self.heading.setText(self.t(N_("Self-test")))
        self.meter.retranslate(self.host.translator)
        if self.verdict_id:
            self.verdict.setText(self.t(self.verdict_id))
        elif self.results:
            passed, failed = self.t(N_("passed")), self.t(N_("failed"))
            self.verdict.setText(
                "\n".join(
                    self.t(N_("{device}: {state}")).format(
                        device=self.t(CHECK_LABELS.get(r.name, r.name)),
                        # What failed, in the driver's words, short: for the technician.
                        state=passed if r.ok else f"{failed} ({r.detail[:60]})",
                    )
                    for r in self.results
                )
            )
        else:
            self.verdict.setText(self.t(N_("Speak: the meter shows what the microphone hears.")))
        self.tone.set_text(self.t(N_("Test tone")))
        self.page.set_text(self.t(N_("Test page")))
        self.run_all.set_text(self.t(N_("Run all checks")))
        self.back.set_text(self.t(N_("Back")))

    def apply_theme(self, theme: Theme) -> None:
        """Meter and spacing for the text size."""
        super().apply_theme(theme)
        self.meter.apply_theme(theme)
        self.grid.setSpacing(theme.gap_px)
        self.picture_row.setSpacing(theme.gap_px)
