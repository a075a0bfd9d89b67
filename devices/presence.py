"""Presence: OpenCV's Haar face cascade tells whether someone stands at the kiosk."""

from __future__ import annotations

import time
from typing import Any

from devices.camera import Camera, Image
from devices.periodic import Periodic

# Faces narrower than this share of the picture are too far away to talk to comfortably.
NEAR_SHARE = 0.12
SCAN_WIDTH = 480  # smaller scans miss faces at arm's length
#: A picture older than this says nothing about who is there now.
STALE_S = 2.0


class FaceFinder:
    """Finds frontal faces in a frame (the cascade loads on first use)."""

    def __init__(self) -> None:
        self._cascade: Any = None

    def faces(self, image: Image) -> list[tuple[float, float, float, float]]:
        """Faces as (x, y, width, height), each a share of the picture's width or height."""
        import cv2

        if self._cascade is None:
            folder = cv2.data.haarcascades  # type: ignore[attr-defined]  # not in the stubs
            path = folder + "haarcascade_frontalface_default.xml"
            self._cascade = cv2.CascadeClassifier(path)
            if self._cascade.empty():
                raise OSError(f"cannot load the face cascade {path}")
        width = image.shape[1]
        scale = min(1.0, SCAN_WIDTH / width)
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        if scale < 1.0:
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        gray = cv2.equalizeHist(gray)
        found = self._cascade.detectMultiScale(
            gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24)
        )
        scan_h, scan_w = gray.shape[:2]
        return [(x / scan_w, y / scan_h, w / scan_w, h / scan_h) for (x, y, w, h) in found]


class PresenceSensor:
    """Looks for a face in the camera's newest frame a few times a second, on its own thread.

    `present` and `near` may be read from any thread.
    """

    def __init__(self, camera: Camera, finder: FaceFinder | None = None, every_s: float = 0.5):
        self.camera = camera
        self.finder = finder or FaceFinder()
        self.present = False
        self.near = False
        self._seen = 0
        self._looking = Periodic("presence", every_s, self._look_once, self._failed)

    @property
    def every_s(self) -> float:
        """Seconds between looks."""
        return self._looking.every_s

    @every_s.setter
    def every_s(self, seconds: float) -> None:
        self._looking.every_s = seconds

    def start(self) -> None:
        """Start looking."""
        self._looking.start()

    def stop(self) -> None:
        """Stop looking."""
        self._looking.stop()

    def look(self) -> bool:
        """Look at the newest frame once; True when a face is there."""
        picture = self.camera.latest()
        if picture is None or time.monotonic() - picture.at > STALE_S:
            # No picture, or an old one (a stalled camera): nobody is known to be there.
            self.present = self.near = False
            return False
        if picture.number == self._seen:
            return self.present
        self._seen = picture.number
        faces = self.finder.faces(picture.image)
        self.present = bool(faces)
        self.near = any(w >= NEAR_SHARE for (_x, _y, w, _h) in faces)
        return self.present

    def _look_once(self) -> None:
        self.look()

    def _failed(self, _error: Exception) -> None:
        self.present = self.near = False
