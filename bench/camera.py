"""Camera preview: a 30 fps video file played through OpenCV into the kiosk's camera view.

    python bench/camera.py [--json] [--seconds S]

preview_fps_480p, preview_fps_720p: distinct frames painted per second by the camera view
(offscreen), from a 30 fps 640x480 and 1280x720 video; preview_cpu_720p_pct: the process's
CPU time over the 720p run as a share of one core (capture, decoding and painting).
Targets: 30 fps held; <= 25 % of a core at 720p.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.figures import report  # noqa: E402 - found through the line above

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
FPS = 30


def make_video(path: Path, width: int, height: int, seconds: float = 2.0) -> None:
    """A 30 fps test video: the demo portrait drifting across a changing background."""
    import cv2
    import numpy as np

    capture = cv2.VideoCapture(str(ROOT / "assets" / "media" / "demo-face.mp4"))
    ok, face = capture.read()
    capture.release()
    face = cv2.resize(face, (height * 4 // 3 // 2, height // 2)) if ok else None
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (width, height))
    for i in range(int(seconds * FPS)):
        frame = np.full((height, width, 3), (40 + i % 60, 120, 160), np.uint8)
        if face is not None:
            x = (i * 7) % (width - face.shape[1])
            frame[height // 4 : height // 4 + face.shape[0], x : x + face.shape[1]] = face
        writer.write(frame)
    writer.release()


def preview(video: Path, seconds: float) -> tuple[float, float]:
    """(frames painted a second, CPU share of one core in percent) while previewing."""
    from devices.camera import OpenCVCamera
    from ui.app import application
    from ui.widgets.camera_view import CameraView

    app = application()
    camera = OpenCVCamera(str(video))
    view = CameraView(camera)
    view.resize(960, 540)
    view.show()
    camera.start()
    view.start()
    try:
        camera.wait_for_frame()
        end = time.monotonic() + 0.5  # settle
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.002)
        first = view.painted
        cpu, wall = time.process_time(), time.monotonic()
        end = wall + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.002)
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        last = view.painted
    finally:
        view.stop()
        camera.stop()
        view.close()
        view.deleteLater()
    return (last - first) / wall, cpu / wall * 100


def main() -> int:
    """Measure and print."""
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--json", action="store_true")
    arguments.add_argument("--seconds", type=float, default=5.0)
    options = arguments.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-camera-") as folder:
        for name, (width, height) in (("480p", (640, 480)), ("720p", (1280, 720))):
            video = Path(folder) / f"{name}.mp4"
            make_video(video, width, height)
            fps, cpu = preview(video, options.seconds)
            figures[f"preview_fps_{name}"] = round(fps, 1)
            if name == "720p":
                figures["preview_cpu_720p_pct"] = round(cpu, 1)
    report(figures, lambda name: "%" if name.endswith("_pct") else "fps", options.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
