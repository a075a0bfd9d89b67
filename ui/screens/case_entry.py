"""Join my mediation: the case number, typed on a big keypad."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.call_journey import ENTER_NUMBER, WRONG_NUMBER, case_number_from_digits, shown_digits
from kiosk.i18n import N_
from kiosk.scanned import ScannedKind, understand
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.keypad import Keypad

if TYPE_CHECKING:
    from devices.qr import QrScanner
    from ui.shell import KioskShell

MAX_DIGITS = 12


class CaseEntryScreen(Screen):
    """Ten digits on a large keypad, then 'join the mediation'; or a receipt's QR code held
    up to the camera, read while the screen shows."""

    # A code read on the scanner's thread, handed to the UI thread (a queued signal).
    code_read = Signal(str)

    name = "case_entry"
    description = "Join my mediation: type the case number (or show the receipt's QR code)"
    prompt = ENTER_NUMBER
    nav = Nav.BACK

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.digits = ""
        self.error = ""
        self.heading = text("heading")
        self.number = text("count")
        self.message = text()
        self.keypad = Keypad()
        self.keypad.digit.connect(self.add_digit)
        self.keypad.erase.connect(self.erase_digit)
        self.join = IconButton("video")
        self.join.clicked.connect(self.submit)
        words = QVBoxLayout()
        words.addStretch(1)
        words.addWidget(self.heading)
        words.addWidget(self.number)
        words.addWidget(self.message)
        words.addStretch(1)
        words.addWidget(self.join)
        self.words = words
        row = QHBoxLayout()
        row.addLayout(words, 1)
        row.addWidget(self.keypad)
        self.column.addLayout(row, 1)
        self.scanner: QrScanner | None = None
        self.code_read.connect(self.take_code)

    def add_digit(self, digit: str) -> None:
        """One more digit of the case number."""
        if len(self.digits) < MAX_DIGITS:
            self.digits += digit
        self.error = ""
        self.retranslate()

    def erase_digit(self) -> None:
        """Take back the last digit."""
        self.digits = self.digits[:-1]
        self.retranslate()

    def submit(self) -> None:
        """Join the queue with the number typed, or say what is wrong with it."""
        number = case_number_from_digits(self.digits)
        if number is None:
            self.show_error(WRONG_NUMBER)
            return
        self.shell.join_mediation(number)

    def take_code(self, text: str) -> None:
        """A QR code was read: a receipt or case number joins the queue at once."""
        found = understand(text)
        if self.shell.current is not self or found is None:
            return
        if found.kind in (ScannedKind.RECEIPT, ScannedKind.CASE):
            self.shell.join_mediation(found.value)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Look for a receipt's QR code while the screen shows."""
        super().showEvent(event)
        room = self.shell.room
        if room is not None and self.scanner is None:
            from devices.qr import QrScanner  # OpenCV loads when the camera is first used

            self.scanner = QrScanner(room.devices.camera)
            self.scanner.start(self.code_read.emit)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        """Stop looking."""
        super().hideEvent(event)
        scanner, self.scanner = self.scanner, None
        if scanner is not None:
            scanner.stop()

    def show_error(self, message: str) -> None:
        """Show and say why the number did not work, with what to do."""
        self.error = message
        self.retranslate()
        self.shell.say(self.t(message))

    def clear(self) -> None:
        """Forget the digits."""
        self.digits = ""
        self.error = ""
        super().clear()

    def retranslate(self) -> None:
        """Set the words and the digits typed."""
        self.heading.setText(self.t(N_("Your case number")))
        self.number.setText(shown_digits(self.digits) or "____-______")
        self.message.setText(self.t(self.error or N_("It is on your receipt.")))
        self.keypad.retranslate(self.shell.translator)
        self.join.set_text(self.t(N_("Join the mediation")))

    def apply_theme(self, theme: Theme) -> None:
        """The keypad sized for the text size."""
        super().apply_theme(theme)
        self.keypad.apply_theme(theme)
        self.words.setSpacing(theme.gap_px * 2)
