"""Check my case: hold the receipt's QR code up to the camera, or type the case number on
the keypad (a receipt number with letters on the keyboard)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout

from kiosk.call_journey import shown_digits
from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.keypad import Keypad

if TYPE_CHECKING:
    from devices.qr import QrScanner
    from ui.host import ScreenKit
    from ui.widgets.camera_view import CameraView

MOST_DIGITS = 12


class CaseLookupScreen(Screen):
    """The camera looking for the receipt's code beside the keypad for the case number."""

    name = "case_lookup"
    description = "Check my case: the receipt's QR code to the camera, or the number typed"
    bar = Nav.BACK
    _read = Signal(str)

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.digits = ""
        self.heading = text("heading")
        self.error = text()
        self.error.setObjectName("Warning")
        self.hint = text()
        self.number = text("count")
        self.view: CameraView | None = None
        self.scanner: QrScanner | None = None
        self.keypad = Keypad()
        self.keypad.digit.connect(self.add_digit)
        self.keypad.erase.connect(self.erase)
        self.look = IconButton("search", "primary")
        self.look.clicked.connect(self._look_up)
        self.letters = IconButton("keyboard", "quiet")
        self.letters.clicked.connect(self._letters)
        # The camera, the number and the buttons on the left; the keypad alone on the
        # right, so its keys keep their full size at every text size.
        self.left = QVBoxLayout()
        # A warning shows beside the keypad, never above it: the keys stay under the finger.
        self.left.addWidget(self.error)
        self.left.addWidget(self.hint)
        self.left.addStretch(1)
        self.left.addWidget(self.number)
        # One above the other: side by side they do not fit beside the keypad at the
        # largest text size.
        buttons = QVBoxLayout()
        buttons.addWidget(self.look)
        buttons.addWidget(self.letters)
        self.left.addLayout(buttons)
        self.buttons = buttons
        self.body = QHBoxLayout()
        self.body.addLayout(self.left, 1)
        self.body.addWidget(self.keypad)
        self.column.addWidget(self.heading)
        self.column.addLayout(self.body, 1)
        self._read.connect(self._scanned)

    def show_result(self, result: Any) -> None:
        """Show the number typed before, if any."""
        super().show_result(result)
        self.digits = str(self.fields.get("digits", ""))
        self._ensure_camera()
        self.retranslate()

    def _ensure_camera(self) -> None:
        room = self.kit.room()
        if self.view is not None or room is None:
            return
        from devices.qr import QrScanner
        from ui.widgets.camera_view import CameraView

        self.view = CameraView(room.devices.camera)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.left.insertWidget(0, self.view, 3)
        self.scanner = QrScanner(room.devices.camera)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Look for a code only while the screen shows."""
        super().showEvent(event)
        self._ensure_camera()
        if self.view is not None and self.scanner is not None:
            self.view.start()
            self.scanner.start(self._read.emit)  # read on the scanner's thread: queue it

    def hideEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Stop looking behind another screen."""
        if self.scanner is not None:
            self.scanner.stop()
        if self.view is not None:
            self.view.stop()
        super().hideEvent(event)

    def _scanned(self, code: str) -> None:
        if self.isVisible() and self.host.showing(self):
            self.host.answer({"scanned": code, "digits": self.digits})

    def add_digit(self, digit: str) -> None:
        """One more digit of the case number."""
        if len(self.digits) < MOST_DIGITS:
            self.digits += digit
        self.retranslate()

    def erase(self) -> None:
        """Delete the last digit."""
        self.digits = self.digits[:-1]
        self.retranslate()

    def _look_up(self) -> None:
        self.host.answer({"digits": self.digits})

    def _letters(self) -> None:
        self.host.answer({"digits": self.digits, "letters": True})

    def draft(self) -> dict[str, Any] | None:
        """The digits typed so far."""
        return {"digits": self.digits}

    def retranslate(self) -> None:
        """Set the words and the number."""
        self.heading.setText(self.t(N_("Check my case")))
        error = str(self.errors.get("digits", ""))
        self.error.setText(self.t(error) if error else "")
        self.error.setVisible(bool(error))
        # The warning takes the hint's place: what to do is in the warning's words.
        self.hint.setVisible(not error)
        self.hint.setText(
            self.t(N_("Hold the square code on your receipt up to the camera."))
            if self.view is not None
            else self.t(N_("The camera does not work just now. Type the case number."))
        )
        self.number.setText(shown_digits(self.digits) or " ")
        self.number.setAccessibleName(" ".join(self.digits))
        self.look.set_text(self.t(N_("Look it up")))
        self.letters.set_text(self.t(N_("The number has letters")))
        self.keypad.retranslate(self.host.translator)

    def clear(self) -> None:
        """Forget the number."""
        self.digits = ""
        if self.view is not None:
            self.view.clear()
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """Keypad and gaps for the text size."""
        super().apply_theme(theme)
        self.keypad.apply_theme(theme)
        self.body.setSpacing(theme.gap_px * 2)
        self.buttons.setSpacing(theme.gap_px)
