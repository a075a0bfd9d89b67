"""The room camera through OpenCV, on its own thread; the newest frame wins.

Sources: a device index ("0"), a V4L2 path ("/dev/video0"), a video file (played in a
loop at its own frame rate: the fake), or an RTSP/HTTP URL.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from devices.state import DeviceError, Health
from protocol.states import DeviceState

log = logging.getLogger(__name__)

Image = NDArray[np.uint8]  # height x width x 3, BGR as OpenCV gives it
REOPEN_S = 2.0
FIRST_FRAME_S = 5.0


@dataclass(frozen=True)
class Picture:
    """One camera frame; `number` grows by one per frame, so a viewer sees what is new."""

    image: Image
    number: int
    at: float


class Camera(ABC):
    """A camera that captures off the UI thread.

    `start()` and `stop()` are called from the UI thread; `latest()` and `health()` may be
    called from any thread and never block on the camera.
    """

    @abstractmethod
    def start(self) -> None:
        """Start capturing (idempotent)."""

    @abstractmethod
    def stop(self) -> None:
        """Stop capturing and release the device."""

    @abstractmethod
    def latest(self) -> Picture | None:
        """The newest frame, or None before the first."""

    @abstractmethod
    def health(self) -> Health:
        """Whether frames are arriving."""

    def wait_for_frame(self, timeout: float = FIRST_FRAME_S) -> Picture | None:
        """Block until a frame has arrived (for the self-test and tests, not the UI)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            picture = self.latest()
            if picture is not None:
                return picture
            time.sleep(0.02)
        return None


def save_jpeg(picture: Picture, path: Path, quality: int = 90) -> Path:
    """Write a frame as a JPEG file (the evidence photo is the picture the consumer saw)."""
    import cv2

    done, encoded = cv2.imencode(".jpg", picture.image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not done:
        raise OSError(f"cannot encode the picture for {path}")
    path.write_bytes(encoded.tobytes())
    return path


def brightness(image: Image) -> float:
    """The mean brightness of a frame, 0-255 (a black frame means a covered or dead camera)."""
    return float(image.mean())


def is_file_source(source: str) -> bool:
    """True when the source names a video file rather than a device or a stream."""
    return "://" not in source and not source.isdigit() and not source.startswith("/dev/")


class OpenCVCamera(Camera):
    """A camera read with `cv2.VideoCapture` on a thread of its own."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._file = is_file_source(source)
        self._lock = threading.Lock()
        self._latest: Picture | None = None
        self._health = Health(DeviceState.MISSING, "not started")
        self._running = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._count = 0
        self._exit_hook = False

    def start(self) -> None:
        """Start the capture thread (not a second one while an old one is still ending,
        as a network camera stuck in a read can be)."""
        if self._thread is not None and self._thread.is_alive():
            if self._running.is_set():
                return
            self._thread.join(timeout=5)
            if self._thread.is_alive():
                raise DeviceError(Health(DeviceState.BUSY, f"{self.source} is still stopping"))
        self._running.set()
        self._stopping.clear()
        with self._lock:
            self._health = Health(DeviceState.BUSY, f"starting {self.source}")
        self._thread = threading.Thread(target=self._capture, name="camera", daemon=True)
        self._thread.start()
        if not self._exit_hook:
            # Released before the interpreter goes, not under a capture thread still reading.
            atexit.register(self.stop)
            self._exit_hook = True

    def stop(self) -> None:
        """Stop the capture thread and release the camera."""
        self._running.clear()
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            if not self._thread.is_alive():
                self._thread = None  # else start() waits for it, never runs two
        with self._lock:
            self._latest = None
            self._health = Health(DeviceState.MISSING, "stopped")

    def latest(self) -> Picture | None:
        """The newest frame."""
        with self._lock:
            return self._latest

    def health(self) -> Health:
        """Frames arriving (ready), the camera absent (missing) or broken (failing)."""
        with self._lock:
            return self._health

    # -- the capture thread --------------------------------------------------------------

    def _open(self) -> Any:
        import cv2

        if self.source.isdigit():
            return cv2.VideoCapture(int(self.source))
        if self.source.startswith("/dev/"):
            return cv2.VideoCapture(self.source, cv2.CAP_V4L2)
        if self._file and not Path(self.source).is_file():
            return None
        return cv2.VideoCapture(self.source)

    def _frame(self, image: Image) -> Image:
        """What the camera hands on (a fake may spoil it)."""
        return image

    def _set_health(self, health: Health) -> None:
        with self._lock:
            changed = health != self._health
            self._health = health
            if health.state is not DeviceState.READY:
                # An old picture must not stand for what the camera sees now (presence
                # would greet, or ask to come closer, someone who left long ago).
                self._latest = None
        if changed and health.state is not DeviceState.READY:
            log.warning("camera %s: %s", self.source, health.detail)

    def _capture(self) -> None:
        while self._running.is_set():
            try:
                self._capture_once()
            except Exception as error:  # an OpenCV error must not end the camera for good
                log.exception("camera %s failed", self.source)
                self._set_health(Health(DeviceState.FAILING, f"{type(error).__name__}: {error}"))
            self._pause(REOPEN_S)

    def _capture_once(self) -> None:
        """Open the camera and read frames until it fails or the camera is stopped."""
        import cv2

        if not self._running.is_set():
            return
        capture = self._open()
        if capture is None or not capture.isOpened():
            self._set_health(Health(DeviceState.MISSING, f"no camera at {self.source}"))
            return
        fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
        period = 1.0 / fps if self._file and 1 <= fps <= 120 else 0.0
        next_at = time.monotonic()
        try:
            while self._running.is_set():
                ok, image = capture.read()
                if not ok:
                    if self._file and self._count:
                        capture.set(cv2.CAP_PROP_POS_FRAMES, 0)  # loop the file
                        ok, image = capture.read()
                    if not ok:
                        self._set_health(
                            Health(DeviceState.FAILING, f"no frame from {self.source}")
                        )
                        return
                self._count += 1
                picture = Picture(self._frame(image), self._count, time.monotonic())
                with self._lock:
                    self._latest = picture  # the newest wins; nothing queues
                    self._health = Health(DeviceState.READY, f"frames from {self.source}")
                if period:
                    # A file plays at its own rate, as a camera would deliver it.
                    next_at += period
                    delay = next_at - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    else:
                        next_at = time.monotonic()
        finally:
            capture.release()

    def _pause(self, seconds: float) -> None:
        """Wait before trying the camera again; stop() ends the wait at once."""
        self._stopping.wait(seconds)


class FakeCamera(OpenCVCamera):
    """The demo camera: a video file played through OpenCV; can be told to be absent or
    to see only black."""

    def __init__(self, video: Path, missing: bool = False, black: bool = False) -> None:
        super().__init__(str(video))
        self.missing = missing
        self.black = black

    def _open(self) -> Any:
        return None if self.missing else super()._open()

    def _frame(self, image: Image) -> Image:
        return np.zeros_like(image) if self.black else image
