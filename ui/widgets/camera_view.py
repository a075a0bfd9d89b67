"""The live camera picture. It polls the camera's newest frame on the UI thread's timer, so
capture never blocks a touch and a slow paint only skips frames, never queues them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from devices.camera import Camera, Picture, save_jpeg

POLL_MS = 15  # twice a 30 fps camera's rate: a new frame shows within half a frame


class CameraView(QWidget):
    """Shows the camera's picture, scaled to fit and centred; `capture()` keeps the shown one."""

    def __init__(self, camera: Camera, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.camera = camera
        self.shown: Picture | None = None
        self.painted = 0  # frames painted so far (the camera benchmark counts them)
        self._image: QImage | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def start(self) -> None:
        """Start showing the camera (the camera itself is started by its owner), with its
        newest picture at once."""
        self._timer.start()
        self._poll()

    def stop(self) -> None:
        """Stop showing; the last picture stays until cleared."""
        self._timer.stop()

    def clear(self) -> None:
        """Forget the picture shown (the visit ended)."""
        self.shown = None
        self._image = None
        self.update()

    def capture(self, path: Path) -> Path:
        """Save the picture the consumer sees now as a JPEG file."""
        if self.shown is None:
            raise RuntimeError("no picture is showing yet")
        return save_jpeg(self.shown, path)

    def _poll(self) -> None:
        picture = self.camera.latest()
        if picture is None or (self.shown is not None and picture.number == self.shown.number):
            return
        self.shown = picture
        image = picture.image
        height, width = image.shape[:2]
        # The QImage borrows the frame's memory; `shown` keeps the frame alive while it is used.
        self._image = QImage(
            image.data, width, height, image.strides[0], QImage.Format.Format_BGR888
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """The picture, as large as fits, on black."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self._image is not None:
            size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(
                (self.width() - size.width()) // 2,
                (self.height() - size.height()) // 2,
                size.width(),
                size.height(),
            )
            painter.drawImage(target, self._image)
            self.painted += 1
        painter.end()
