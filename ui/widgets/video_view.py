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

BACKGROUND = QColor("#101418")


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

    def show_picture(self, image: Any) -> None:
        """Show a camera picture (height x width x 3, BGR), first scaled down to the view
        with OpenCV: smoother than Qt's fast scaling, and a small image paints quickly."""
        import cv2

        height, width = image.shape[:2]
        scale = min(self.width() / width, self.height() / height, 1.0)
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        self.show_frame(cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))

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
        if self._image is None:
            painter.fillRect(self.rect(), BACKGROUND)
        else:
            size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            # Only the bars beside the picture are filled: 30 times a second, filling the
            # whole view first would paint every pixel twice.
            width, height = self.width(), self.height()
            for bar in (
                QRect(0, 0, width, target.top()),
                QRect(0, target.bottom() + 1, width, height - target.bottom() - 1),
                QRect(0, target.top(), target.left(), target.height()),
                QRect(
                    target.right() + 1, target.top(), width - target.right() - 1, target.height()
                ),
            ):
                if bar.isValid():
                    painter.fillRect(bar, BACKGROUND)
            painter.drawImage(target, self._image)
            self.painted += 1
        painter.end()
