"""First start: enroll the kiosk with a hub. The technician types the hub's address, then
the one-time code on a large keyboard, or holds the code's QR up to the room camera."""

from __future__ import annotations

import enum
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget

from kiosk.i18n import N_
from kiosk.scanned import ScannedKind, understand
from kiosk.staff import enroll_trouble, hub_address
from protocol.wire import normalise_enroll_code
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.code_keyboard import CodeKeyboard

if TYPE_CHECKING:
    from devices.qr import QrScanner
    from kiosk.enrollment import Credential
    from ui.host import ScreenKit
    from ui.widgets.camera_view import CameraView

log = logging.getLogger(__name__)


class Step(enum.Enum):
    """What the technician is typing now."""

    ADDRESS = "address"
    CODE = "code"


class SetupScreen(Screen):
    """The hub's address, then the enrollment code (typed or from a QR); then enroll."""

    name = "setup"
    description = "First start: enroll with the hub (address and code, or QR from the camera)"
    header = False
    bar = Nav.NONE
    consumer = False
    prompt = N_("This kiosk is not set up yet. A technician enrolls it with the hub.")

    _scanned = Signal(str)

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.step = Step.ADDRESS
        self.address = ""
        self.code = ""
        self.message_id = ""
        self.busy = False
        self.scanner: QrScanner | None = None
        self.camera_view: CameraView | None = None
        self.heading = text("heading")
        self.field = text("heading")
        self.message = text()
        self.keyboard = CodeKeyboard()
        self.keyboard.typed.connect(self.type_key)
        self.pictures = QStackedWidget()
        self.pictures.addWidget(self.keyboard)
        self.delete = IconButton("back", "quiet")
        self.delete.clicked.connect(self.erase)
        self.scan = IconButton("search", "quiet")
        self.scan.clicked.connect(self.toggle_scan)
        self.back = IconButton("back", "quiet")
        self.back.clicked.connect(self.go_back)
        self.next = IconButton("check", "primary")
        self.next.clicked.connect(self.go_on)
        # Enrolling again from the technician's panel: the old enrollment stands until the
        # new one succeeds, so the technician may also give up.
        self.cancel = IconButton("exit", "quiet")
        self.cancel.clicked.connect(self.give_up)
        self.action_row = QHBoxLayout()
        for button in (self.delete, self.scan, self.back, self.cancel, self.next):
            self.action_row.addWidget(button, 1)
        self.column.addWidget(self.heading)
        self.column.addWidget(self.field)
        self.column.addWidget(self.message)
        self.column.addWidget(self.pictures, 1)
        self.column.addLayout(self.action_row)
        self._scanned.connect(self._read_code)

    # -- typing -------------------------------------------------------------------------

    def type_key(self, key: str) -> None:
        """One key of the keyboard into the field being typed."""
        if self.step is Step.ADDRESS:
            self.address = (self.address + key.lower())[:120]
        else:
            self.code = (self.code + key)[:20]
        self.message_id = ""
        self.retranslate()

    def erase(self) -> None:
        """Take back the last character."""
        if self.step is Step.ADDRESS:
            self.address = self.address[:-1]
        else:
            self.code = self.code[:-1]
        self.retranslate()

    def go_back(self) -> None:
        """From the code back to the address."""
        self.stop_scan()
        self.step = Step.ADDRESS
        self.message_id = ""
        self.retranslate()

    def give_up(self) -> None:
        """Leave the setup screen of a kiosk that is enrolled already."""
        self.stop_scan()
        if self.kit.staff.enrolled:
            self.nav.back()

    def go_on(self) -> None:
        """Next: from the address to the code; from the code, enroll."""
        if self.busy:
            return
        if self.step is Step.ADDRESS:
            if not self.address.strip():
                self._tell(N_("Type the hub's address first, for example hub.example.org."))
                return
            self.step = Step.CODE
            self.message_id = ""
            self.retranslate()
            return
        self.enroll()

    # -- the QR code --------------------------------------------------------------------

    def toggle_scan(self) -> None:
        """Look for a QR code with the room camera (shown live), or stop looking."""
        if self.scanner is not None:
            self.stop_scan()
            self.retranslate()
            return
        room = self.kit.room()
        if room is None:
            self._tell(N_("The camera is not ready. Type the code on the keyboard instead."))
            return
        from devices.qr import QrScanner
        from ui.widgets.camera_view import CameraView

        if self.camera_view is None:
            self.camera_view = CameraView(room.devices.camera)
            self.pictures.addWidget(self.camera_view)
        self.pictures.setCurrentWidget(self.camera_view)
        self.camera_view.start()
        self.scanner = QrScanner(room.devices.camera)
        self.scanner.start(self._scanned.emit)
        self.message_id = N_("Hold the code's QR up to the camera.")
        self.retranslate()

    def stop_scan(self) -> None:
        """Stop looking for a QR code; the keyboard comes back."""
        if self.scanner is not None:
            self.scanner.stop()
            self.scanner = None
        if self.camera_view is not None:
            self.camera_view.stop()
        self.pictures.setCurrentWidget(self.keyboard)

    def _read_code(self, text_read: str) -> None:
        scanned = understand(text_read)
        if scanned is None or scanned.kind is not ScannedKind.ENROLL_CODE:
            self._tell(N_("This QR code is not an enrollment code. Show the hub's code."))
            return
        self.stop_scan()
        self.code = scanned.value
        self.retranslate()
        self.enroll()

    # -- enrolling ----------------------------------------------------------------------

    def enroll(self) -> None:
        """Spend the code with the hub, off the UI thread; success rests the kiosk."""
        code = normalise_enroll_code(self.code)
        if len(code) != 14:
            self._tell(
                N_("An enrollment code has 12 letters and digits. Check it, then try again.")
            )
            return
        from kiosk import __version__
        from kiosk.enrollment import enroll
        from kiosk.hub_client import connect

        settings = self.host.settings
        url = hub_address(self.address)
        client = connect(url, settings)
        self.busy = True
        self._tell(N_("Enrolling with the hub. This takes a few seconds."))
        self.kit.staff.run(
            lambda: enroll(settings.data_dir, client, code, __version__),
            self._enrolled,
            self._failed,
        )

    def _enrolled(self, credential: Credential) -> None:
        self.busy = False
        log.info("enrolled on the screen as %s", credential.device_id)
        self.code = ""
        self.message_id = ""
        self.step = Step.ADDRESS  # enrolling again starts from the hub's address, kept
        self.kit.staff.enrolled_now(credential)

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        log.warning("enrollment failed: %s", error)
        self._tell(enroll_trouble(error))

    def _tell(self, message_id: str) -> None:
        self.message_id = message_id
        self.retranslate()
        if self.host.showing(self):
            self.host.say(self.message.text())

    # -- words --------------------------------------------------------------------------

    def clear(self) -> None:
        """Keep what was typed (this is no visitor's); stop the camera view."""
        self.stop_scan()
        self.retranslate()

    def retranslate(self) -> None:
        """Set the words for the step."""
        address_step = self.step is Step.ADDRESS
        self.heading.setText(
            self.t(
                N_("Set up this kiosk: the hub's address")
                if address_step
                else N_("Set up this kiosk: the enrollment code")
            )
        )
        shown = self.address if address_step else self.code
        self.field.setText((shown or " ") + "▏")
        hint = (
            N_("Type the hub's address, then press Next.")
            if address_step
            else N_("Type the code from the hub, or scan its QR code.")
        )
        self.message.setText(self.t(self.message_id or hint))
        self.delete.set_text(self.t(N_("Delete")))
        self.scan.set_text(self.t(N_("Stop scanning") if self.scanner else N_("Scan QR")))
        self.scan.setVisible(not address_step)
        self.back.set_text(self.t(N_("Back")))
        self.back.setVisible(not address_step)
        self.cancel.set_text(self.t(N_("Cancel")))
        self.cancel.setVisible(address_step and self.kit.staff.enrolled)
        self.next.set_text(self.t(N_("Next") if address_step else N_("Enroll")))

    def apply_theme(self, theme: Theme) -> None:
        """Keys and spacing for the text size."""
        super().apply_theme(theme)
        self.keyboard.apply_theme(theme)
        self.action_row.setSpacing(theme.gap_px)
