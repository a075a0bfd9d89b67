"""A live sound-level meter for a recording: lit bars for how loud, and the time so far
against the limit in words, so the level is never told by colour alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk.i18n import N_, Translator
from ui.theme import HEADER, PRIMARY, Theme

if TYPE_CHECKING:
    from devices.audio import Take

SEGMENTS = 10
REFRESH_MS = 50  # 20 readings a second: smooth to the eye, light on the CPU


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class _Bars(QWidget):
    """The bars themselves."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lit = 0
        self._bar = QSize(24, 48)

    def set_bar(self, size: QSize) -> None:
        self._bar = size
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Room for every bar with a gap between them."""
        gap = self._bar.width() // 2
        return QSize(SEGMENTS * self._bar.width() + (SEGMENTS - 1) * gap, self._bar.height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """Lit bars in the primary colour, the rest pale; each a little taller than the last."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        width, height = self._bar.width(), self._bar.height()
        gap = width // 2
        for index in range(SEGMENTS):
            tall = height * (0.4 + 0.6 * (index + 1) / SEGMENTS)
            painter.setBrush(QColor(PRIMARY if index < self.lit else HEADER))
            rect = QRectF(index * (width + gap), height - tall, width, tall)
            painter.drawRoundedRect(rect, width / 4, width / 4)
        painter.end()


class LevelMeter(QWidget):
    """Shows how loud the consumer is heard, and how long the recording is, while it runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars = _Bars()
        self.time = QLabel()
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self.bars, 0, Qt.AlignmentFlag.AlignVCenter)
        self._row.addWidget(self.time, 0, Qt.AlignmentFlag.AlignVCenter)
        self._row.addStretch(1)
        self._take: Take | None = None
        self._limit_s = 0.0
        self._words = N_("{elapsed} of {limit}")
        self._translator: Translator | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def follow(self, take: Take, limit_s: float) -> None:
        """Show this recording's level until `stop()`."""
        self._take, self._limit_s = take, limit_s
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        """The recording ended: the bars go dark, the length stays."""
        self._timer.stop()
        self.bars.lit = 0
        self.bars.update()

    def refresh(self) -> None:
        """Read the take's level and length now."""
        if self._take is None:
            return
        self.bars.lit = round(self._take.level * SEGMENTS)
        self.bars.update()
        text = self._translator.gettext(self._words) if self._translator else self._words
        self.time.setText(
            text.format(elapsed=_clock(self._take.seconds), limit=_clock(self._limit_s))
        )
        self.setAccessibleName(self.time.text())

    def retranslate(self, t: Translator) -> None:
        """Words in the visit's language."""
        self._translator = t
        self.refresh()

    def apply_theme(self, theme: Theme) -> None:
        """Bars sized with the text."""
        self.bars.set_bar(QSize(max(12, theme.body_px // 2), theme.target_px))
        self._row.setSpacing(theme.gap_px)
