"""The receipt as a QR code on screen, when the printer cannot print it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from devices.receipt_layout import qr_matrix
from kiosk.i18n import N_
from kiosk.room import help_words, next_step_words
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit


def qr_pixmap(data: str, side_px: int) -> QPixmap:
    """A QR code as a crisp black-on-white picture about `side_px` square."""
    matrix = qr_matrix(data)
    count = len(matrix)
    image = QImage(count, count, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    black = QColor("black").rgb()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.setPixel(x, y, black)
    scale = max(1, side_px // count)
    return QPixmap.fromImage(image.scaled(count * scale, count * scale))


class ReceiptCodeScreen(Screen):
    """Shows the receipt's number and its QR code, to photograph or show the attendant."""

    name = "receipt_code"
    description = "The receipt as a QR code on screen, when the printer cannot print"
    prompt = N_(
        "The printer cannot print your receipt now. Take a photo of the code on the screen "
        "with your phone, or show it to the attendant."
    )
    bar = Nav.BACK

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.heading = text("heading")
        self.explain = text()
        self.number = text("heading")
        self.code = QLabel()
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_step = text()
        self.menu = IconButton("home", "primary")
        self.menu.clicked.connect(kit.nav.home)
        # The words on the left, the code on the right: all of it in view at every size.
        words = QVBoxLayout()
        words.addStretch(1)
        for widget in (self.heading, self.explain, self.number, self.next_step):
            words.addWidget(widget)
        words.addStretch(1)
        self.body = QHBoxLayout()
        self.body.addLayout(words, 1)
        self.body.addWidget(self.code)
        self.column.addLayout(self.body, 1)
        self.column.addWidget(self.menu)
        self._side = 320

    def retranslate(self) -> None:
        """Set the words and draw the code."""
        self.heading.setText(self.t(N_("Your receipt")))
        self.explain.setText(self.t(self.prompt))
        number = self.fields.get("number", "")
        self.number.setText(
            self.t(N_("Receipt number: {number}")).format(number=number) if number else ""
        )
        url = self.fields.get("status_url", "")
        if url:
            self.code.setPixmap(qr_pixmap(str(url), self._side))
        else:
            self.code.clear()
        # What the printed receipt would say to do next, and the help phone.
        t = self.host.translator
        space = " " if t.language == "en" else ""  # Mandarin runs sentences together
        self.next_step.setText(
            space.join(
                (next_step_words(t, on_screen=True), help_words(t, self.host.settings.help_phone))
            )
        )
        self.menu.set_text(self.t(N_("Back to the menu")))

    def apply_theme(self, theme: Theme) -> None:
        """The code grows with the text size so it stays easy to photograph."""
        super().apply_theme(theme)
        self._side = theme.body_px * 7
        self.code.setFixedWidth(self._side + theme.gap_px)
        self.body.setSpacing(theme.gap_px)
        self.retranslate()
