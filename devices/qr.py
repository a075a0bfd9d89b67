"""Reading a QR code held up to the camera (receipts, enrollment codes)."""

from __future__ import annotations

from devices.camera import Image


def read_qr(image: Image) -> str | None:
    """The text of the QR code in the frame, or None when there is none to read."""
    import cv2

    detector = cv2.QRCodeDetector()
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    text, points, _ = detector.detectAndDecode(gray)
    if text:
        return str(text)
    if points is not None and min(gray.shape[:2]) < 600:
        # A small code: a larger picture often decodes where the small one did not.
        bigger = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        text, _points, _ = detector.detectAndDecode(bigger)
        if text:
            return str(text)
    return None
