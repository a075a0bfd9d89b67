"""Reading a QR code held up to the camera (receipts, enrollment codes)."""

from __future__ import annotations

from collections.abc import Callable

from devices.camera import Camera, Image
from devices.periodic import Periodic


def read_qr(image: Image) -> str | None:
    """The text of the QR code in the frame, or None when there is none to read."""
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    # The ArUco-based detector finds codes whose modules a camera (or a scaled print)
    # drew unevenly, where the classic one misses about one in a hundred receipts; it is
    # quicker on frames with no code too. The classic one is the second try.
    for detector in (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector()):
        text, points, _ = detector.detectAndDecode(gray)
        if text:
            return str(text)
    if points is not None and min(gray.shape[:2]) < 600:
        # A small code: a larger picture often decodes where the small one did not.
        bigger = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        text, _points, _ = cv2.QRCodeDetector().detectAndDecode(bigger)
        if text:
            return str(text)
    return None


class QrScanner:
    """Reads QR codes from the camera's newest frame a few times a second, on its own
    thread, until stopped; each new text is handed to `on_read` (on that thread)."""

    def __init__(self, camera: Camera, every_s: float = 0.25) -> None:
        self.camera = camera
        self.every_s = every_s
        self._scanning: Periodic | None = None

    def start(self, on_read: Callable[[str], None]) -> None:
        """Start looking; `on_read` gets each code read (the same code once in a row)."""
        self.stop()
        seen = {"frame": 0, "text": ""}

        def scan() -> None:
            picture = self.camera.latest()
            if picture is None or picture.number == seen["frame"]:
                return
            seen["frame"] = picture.number
            text = read_qr(picture.image)
            if text is not None and text != seen["text"]:
                seen["text"] = text
                on_read(text)

        self._scanning = Periodic("qr", self.every_s, scan)
        self._scanning.start()

    def stop(self) -> None:
        """Stop looking."""
        if self._scanning is not None:
            self._scanning.stop()
            self._scanning = None
