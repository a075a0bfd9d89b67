"""Join my mediation with the receipt's QR code: the live camera picture, a picture of where
the code is on the receipt, and the code read while the screen shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from devices.receipt_layout import qr_matrix
from kiosk.call_journey import RECEIPT_EXAMPLE, SCAN_PROMPT, WAYS
from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.theme import INK, PRIMARY, Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from devices.qr import QrScanner
    from ui.host import ScreenKit
    from ui.widgets.camera_view import CameraView

HOLD_IT = N_("Hold the receipt flat, with the square code towards the camera, a hand's width away.")
NO_CAMERA = N_("The camera does not work just now. Please type the receipt number instead.")


def receipt_picture(height: int) -> QPixmap:
    """A drawing of a receipt with its QR code framed: what to hold up, and which side."""
    width = round(height * 0.62)
    picture = QPixmap(width, height)
    picture.fill(Qt.GlobalColor.transparent)
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    line = max(2, height // 90)
    painter.setPen(QPen(QColor(INK), line))
    painter.setBrush(QColor("white"))
    painter.drawRect(QRectF(line, line, width - 2 * line, height - 2 * line))
    # The printed lines above the code.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#8A8A8A"))
    margin = width * 0.14
    for row in range(5):
        long = row % 2 == 0
        y = height * (0.08 + row * 0.075)
        painter.drawRect(QRectF(margin, y, (width - 2 * margin) * (1 if long else 0.6), line * 2))
    # The QR code, as the receipt prints it, framed in the kiosk's colour.
    matrix = qr_matrix(RECEIPT_EXAMPLE)
    side = width * 0.62
    left, top = (width - side) / 2, height * 0.5
    module = side / len(matrix)
    painter.setBrush(QColor("black"))
    for y, cells in enumerate(matrix):
        for x, dark in enumerate(cells):
            if dark:
                painter.drawRect(QRectF(left + x * module, top + y * module, module, module))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor(PRIMARY), line * 3))
    pad = line * 3
    painter.drawRect(QRectF(left - pad, top - pad, side + 2 * pad, side + 2 * pad))
    painter.end()
    return picture


class ReceiptScanScreen(Screen):
    """The camera's picture beside a drawing of the receipt and what to do; a code read
    answers the step, and after a refusal 'Try again' reads it once more."""

    name = "receipt_scan"
    description = "Join my mediation: hold the receipt's QR code up to the camera"
    prompt = SCAN_PROMPT
    bar = Nav.BACK
    # A code read on the scanner's thread, handed to the UI thread (a queued signal).
    _read = Signal(str)

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.heading = text("heading")
        self.error = text()
        self.error.setObjectName("Warning")
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = text()
        self.again = IconButton("repeat", "primary")
        self.again.clicked.connect(self.try_again)
        self.type_instead = IconButton("keyboard", "quiet")
        self.type_instead.clicked.connect(self._type_instead)
        self.view: CameraView | None = None
        self.scanner: QrScanner | None = None
        self._refused = ""  # the code the hub (or the journey) just said no to
        side = QVBoxLayout()
        side.addWidget(self.picture)
        side.addWidget(self.hint)
        side.addStretch(1)
        side.addWidget(self.again)
        side.addWidget(self.type_instead)
        self.side = side
        self.body = QHBoxLayout()
        self.body.addLayout(side, 1)
        self.column.addWidget(self.heading)
        self.column.addWidget(self.error)
        self.column.addLayout(self.body, 1)
        self._read.connect(self._scanned)
        self._picture_px = 300

    @property
    def camera_works(self) -> bool:
        """True while the room's camera can be used (not known yet counts as working)."""
        room = self.kit.room()
        if room is None:
            return False
        health = room.health.get("camera")
        return health is None or health.working

    def show_result(self, result: Any) -> None:
        """A code refused just now is not read again until 'Try again'."""
        super().show_result(result)
        self._refused = str(self.fields.get("refused", ""))
        self.retranslate()

    def _ensure_camera(self) -> None:
        room = self.kit.room()
        if self.view is not None or room is None:
            return
        from ui.widgets.camera_view import CameraView

        self.view = CameraView(room.devices.camera)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.body.insertWidget(0, self.view, 1)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Show the camera and look for a code only while the screen shows."""
        super().showEvent(event)
        self._ensure_camera()
        self.retranslate()
        if self.view is not None and self.camera_works:
            self.view.start()
            self._look()

    def hideEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Stop looking behind another screen."""
        self._stop_looking()
        if self.view is not None:
            self.view.stop()
        super().hideEvent(event)

    def _look(self) -> None:
        room = self.kit.room()
        if room is None:
            return
        from devices.qr import QrScanner  # OpenCV loads when the camera is first used

        self._stop_looking()
        self.scanner = QrScanner(room.devices.camera)
        self.scanner.start(self._read.emit)  # read on the scanner's thread: queued

    def _stop_looking(self) -> None:
        scanner, self.scanner = self.scanner, None
        if scanner is not None:
            scanner.stop()

    def _scanned(self, code: str) -> None:
        if not self.isVisible() or not self.host.showing(self) or code == self._refused:
            return
        self.host.answer({"scanned": code})

    def try_again(self) -> None:
        """Read the code once more (the same one too), from a fresh start."""
        self._refused = ""
        self.again.setVisible(False)
        self.error.setVisible(False)
        self.picture.setVisible(True)
        self.hint.setVisible(True)
        self.host.say(self.t(SCAN_PROMPT))
        if self.isVisible() and self.camera_works:
            self._look()

    def _type_instead(self) -> None:
        self.host.answer({"type_instead": True})

    def retranslate(self) -> None:
        """Set the words; without a camera, say so and offer typing."""
        self.heading.setText(self.t(WAYS[0].label))
        error = str(self.errors.get("code", ""))
        self.error.setText(self.t(error) if error else "")
        self.error.setVisible(bool(error))
        works = self.camera_works
        if self.view is not None:
            self.view.setVisible(works)
        self.hint.setText(self.t(HOLD_IT if works else NO_CAMERA))
        # After a refusal the warning says what to do; the drawing makes room for it.
        self.picture.setVisible(works and not error)
        self.hint.setVisible(not error)
        self.again.set_text(self.t(N_("Try again")))
        self.again.setVisible(bool(error) and works)
        self.type_instead.set_text(self.t(N_("Type the receipt number instead")))

    def clear(self) -> None:
        """Forget the picture and the refused code (the visit ended)."""
        self._refused = ""
        if self.view is not None:
            self.view.clear()
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """The receipt's drawing and the gaps for the text size."""
        super().apply_theme(theme)
        # A picture, not text: it keeps one size, so the words beside it have the room.
        self._picture_px = round(180 * theme.scale)
        self.picture.setPixmap(receipt_picture(self._picture_px))
        self.picture.setFixedHeight(self._picture_px)
        self.body.setSpacing(theme.gap_px * 2)
        self.side.setSpacing(theme.gap_px)
