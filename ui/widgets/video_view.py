"""A party's picture in the call: the newest decoded frame, scaled to fit, with its name.

Frames arrive from the call's thread as BGRA arrays through a queued signal; the QImage
borrows the array's memory (no copy), and the newest frame replaces the one before, so a
slow paint skips frames and never queues them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


class VideoView(QWidget):
    """Shows one party's video, or a calm dark panel with its name until it arrives."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.painted = 0  # frames painted so far (tests and the benchmark count them)
        self.received = 0
        self.name = ""
        self._frame: Any = None  # keeps the array alive while the QImage borrows it
        self._image: QImage | None = None

    def show_frame(self, frame: Any) -> None:
        """Take the newest frame (height x width x 4, BGRA) and repaint."""
        height, width = frame.shape[:2]
        self._frame = frame
        self._image = QImage(
            frame.data, width, height, frame.strides[0], QImage.Format.Format_RGB32
        )
        self.received += 1
        self.update()

    def clear(self) -> None:
        """Forget the picture (the party left, or the visit ended)."""
        self._frame = None
        self._image = None
        self.update()

    @property
    def showing(self) -> bool:
        """True while a picture is on show."""
        return self._image is not None

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """The frame, scaled to fit with its proportions kept, on black."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#101418"))
        if self._image is not None:
            size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            painter.drawImage(target, self._image)
            self.painted += 1
        painter.end()
