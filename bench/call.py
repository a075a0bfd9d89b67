"""A mediation call between the kiosk (aiortc) and the mediator console in headless Chromium,
through a hub on loopback, in a network namespace of its own (`unshare -n`).

    python bench/call.py [--json] [--seconds S]

join_s: from joining the queue (the mediator takes the case at once) to the first remote
frame painted on the kiosk. fps_720p: frames a second received at 1280x720, the lower of the
two directions, sustained over the measured window. latency_p95_ms: glass to glass, both
ways: each picture carries its capture time (wall clock, ms) stamped into its pixels as 24
black or white blocks, read back where it is decoded (the kiosk's UI thread, the browser's
video element). kiosk_cpu_pct, browser_cpu_pct: CPU time over the window as a share of one
core (the kiosk's process, which also shows the room's own picture and runs the presence
sensor, as the call screen does; every Chromium process of the run).
Targets: join <= 1.5 s, 30 fps held, latency p95 <= 100 ms, kiosk CPU <= browser's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.figures import report  # noqa: E402 - found through the line above

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
WIDTH, HEIGHT = 1280, 720
BITS, BLOCK = 24, 40
UNITS = {"join_s": "s", "fps_720p": "fps", "latency_p95_ms": "ms"}

# In the console: the camera is a canvas with its capture time stamped in; every decoded
# remote frame's stamp is read back off a canvas.
BROWSER_STAMPS = """
(() => {
  const BITS = __BITS__, BLOCK = __BLOCK__, W = __WIDTH__, H = __HEIGHT__;
  window.latencies = [];
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async () => {
    const audio = await original({ audio: true });
    const canvas = Object.assign(document.createElement("canvas"), { width: W, height: H });
    const g = canvas.getContext("2d");
    let n = 0;
    setInterval(() => {
      n += 1;
      g.fillStyle = `hsl(${n % 360}, 40%, 40%)`;
      g.fillRect(0, 0, W, H);
      const stamp = Date.now() % (1 << BITS);
      for (let i = 0; i < BITS; i++) {
        g.fillStyle = (stamp >> i) & 1 ? "#fff" : "#000";
        g.fillRect(i * BLOCK, 0, BLOCK, BLOCK);
      }
    }, 1000 / 30);
    const stream = canvas.captureStream(30);
    stream.addTrack(audio.getAudioTracks()[0]);
    return stream;
  };
  const reader = Object.assign(document.createElement("canvas"), { width: W, height: BLOCK });
  const r = reader.getContext("2d", { willReadFrequently: true });
  const watch = (video) => {
    const frame = () => {
      if (video.videoWidth) {
        r.drawImage(video, 0, 0, video.videoWidth, video.videoHeight, 0, 0, W, H);
        const row = r.getImageData(0, BLOCK / 2, W, 1).data;
        let stamp = 0;
        for (let i = 0; i < BITS; i++) {
          if (row[(i * BLOCK + BLOCK / 2) * 4 + 1] > 128) stamp |= 1 << i;
        }
        const late = (Date.now() % (1 << BITS)) - stamp;
        if (late >= 0 && late < 5000) window.latencies.push(late);
      }
      video.requestVideoFrameCallback(frame);
    };
    video.requestVideoFrameCallback(frame);
  };
  const watched = new WeakSet();
  setInterval(() => {
    for (const video of document.querySelectorAll("figure[data-role=room] video")) {
      if (!watched.has(video)) { watched.add(video); watch(video); }
    }
  }, 200);
})();
"""
for _name, _value in {"BITS": BITS, "BLOCK": BLOCK, "WIDTH": WIDTH, "HEIGHT": HEIGHT}.items():
    BROWSER_STAMPS = BROWSER_STAMPS.replace(f"__{_name}__", str(_value))


def stamp_of(image: Any) -> int:
    """The capture time stamped into a picture's top row of blocks (BGRA or BGR)."""
    height, width = image.shape[:2]
    row = image[BLOCK // 2 * height // HEIGHT]
    stamp = 0
    for bit in range(BITS):
        if row[(bit * BLOCK + BLOCK // 2) * width // WIDTH][1] > 128:
            stamp |= 1 << bit
    return stamp


def now_stamp() -> int:
    """The wall clock in ms, as the stamp carries it."""
    return int(time.time() * 1000) % (1 << BITS)


class StampedCamera:
    """A camera whose every picture carries its capture time."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        self.count = 0

    def latest(self) -> Any:
        from devices.camera import Picture

        np = self.np
        self.count += 1
        # A new array each picture, as a real camera gives; the tint changes every picture.
        # (Filled row by row: numpy broadcasts a 3-value colour a pixel at a time, 30x slower.)
        row = np.empty((WIDTH, 3), np.uint8)
        row[:] = (60 + self.count % 120, 90, 120)
        image = np.empty((HEIGHT, WIDTH, 3), np.uint8)
        image[:] = row
        stamp = now_stamp()
        for bit in range(BITS):
            image[:BLOCK, bit * BLOCK : (bit + 1) * BLOCK] = 255 if (stamp >> bit) & 1 else 0
        return Picture(image, self.count, time.monotonic())


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes, in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def chromium_pids() -> list[int]:
    """Every Chromium process under this one (Playwright's driver starts them)."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
        names[int(entry.name)] = name
    found, todo = [], [os.getpid()]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            if "chrom" in names.get(child, ""):
                found.append(child)
    return found


def percentile(values: list[float], share: float) -> float:
    """The value below which this share of the values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def run(seconds: float) -> dict[str, float]:  # noqa: PLR0915 - one scenario, start to end
    """One call; the figures."""
    from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
    from PySide6.QtWidgets import QApplication

    from devices.call_media import FileCallAudio, camera_track
    from devices.presence import PresenceSensor
    from kiosk.call import MediationCall
    from protocol.states import CallState
    from tests.calls import (
        CHROMIUM_FLAGS,
        MEDIATOR,
        add_mediator,
        allow_loopback_candidates,
        chromium_path,
        enrolled_kiosk,
        file_case,
    )
    from tests.hubs import start_hub
    from ui.screens.in_call import OWN_PICTURE_MS
    from ui.widgets.video_view import VideoView

    allow_loopback_candidates()
    _app = QApplication.instance() or QApplication([])  # held for the whole run

    def run_qt(seconds: float, until: Callable[[], bool] | None = None) -> bool:
        """Run Qt's event loop, as the kiosk does (no polling), for this long or until
        `until` holds (checked every 2 ms, for the join's timing); True if it came to hold."""
        loop = QEventLoop()
        QTimer.singleShot(round(seconds * 1000), loop.quit)
        if until is not None:
            check = QTimer()
            check.setInterval(2)
            check.timeout.connect(lambda: until() and loop.quit())
            check.start()
        loop.exec()
        return until is not None and until()

    view = VideoView()
    view.resize(WIDTH, HEIGHT)
    view.show()
    latencies: list[float] = []
    received: list[float] = []

    class Bridge(QObject):
        frame = Signal(object)

        def shown(self, image: Any) -> None:
            late = now_stamp() - stamp_of(image)
            if 0 <= late < 5000:
                latencies.append(late)
            received.append(time.monotonic())
            view.show_frame(image)

    bridge = Bridge()
    bridge.frame.connect(bridge.shown)

    class Listener:
        def call_state(self, state: CallState, _problem: Any) -> None:
            self.state = state

        def queue_moved(self, ticket: Any) -> None:
            self.ticket = ticket

        def video_frame(self, _party: str, _role: str, image: Any) -> None:
            bridge.frame.emit(image)

        def parties_changed(self, _parties: Any) -> None:
            pass

        def outcome(self, _outcome: Any) -> None:
            pass

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-call-") as folder:
        hub = start_hub(f"sqlite:///{folder}/hub.sqlite3", Path(folder) / "hub.log")
        try:
            client, device = enrolled_kiosk(hub, Path(folder) / "kiosk")
            _case, receipt = file_case(client, device)
            add_mediator(hub)
            camera = StampedCamera()
            # What the call screen does beside the call: the room's own picture, small, ten
            # times a second, and the presence sensor looking for the consumer's face.
            own = VideoView()
            own.resize(WIDTH // 4, HEIGHT // 4)
            own.show()
            own_timer = QTimer()
            own_timer.setInterval(OWN_PICTURE_MS)
            own_timer.timeout.connect(lambda: own.show_picture(camera.latest().image))
            own_timer.start()
            presence = PresenceSensor(camera)
            presence.start()
            audio = FileCallAudio(ROOT / "assets" / "media" / "demo-voice.ogg")
            listener = Listener()
            call = MediationCall(
                client,
                lambda: camera_track(camera, (WIDTH, HEIGHT)),
                audio,
                listener,  # type: ignore[arg-type]
            )
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium_path(), args=CHROMIUM_FLAGS
                )
                page = browser.new_page()
                page.add_init_script(BROWSER_STAMPS)
                page.goto(hub.url + "/console/login")
                page.fill("input[name=username]", MEDIATOR[0])
                page.fill("input[name=password]", MEDIATOR[1])
                page.click("#login")
                page.wait_for_url("**/console/")
                joined = time.monotonic()
                call.join(receipt)  # what the consumer holds: the receipt's number
                if not run_qt(60, lambda: call.state is CallState.WAITING):
                    raise RuntimeError(f"the kiosk did not join the queue: {call.state}")
                page.evaluate("takeNext()")
                if not run_qt(60, lambda: view.painted > 0):
                    raise RuntimeError("no picture from the mediator")
                join_s = time.monotonic() - joined
                run_qt(3)
                latencies.clear()
                page.evaluate("window.latencies = []")
                before = page.evaluate("window.mediationRoom.stats()")
                browsers = chromium_pids()
                kiosk_cpu, browser_cpu = cpu_seconds([os.getpid()]), cpu_seconds(browsers)
                start = time.monotonic()
                run_qt(seconds)
                window = time.monotonic() - start
                kiosk_cpu = cpu_seconds([os.getpid()]) - kiosk_cpu
                browser_cpu = cpu_seconds(browsers) - browser_cpu
                after = page.evaluate("window.mediationRoom.stats()")
                page_latencies = page.evaluate("window.latencies")
                to_kiosk = sum(1 for at in received if at >= start) / window
                peer = next(iter(after))
                decoded = after[peer]["framesDecoded"] - before.get(peer, {}).get(
                    "framesDecoded", 0
                )
                to_browser = decoded / window if after[peer]["frameWidth"] == WIDTH else 0.0
                browser.close()
            call.leave()
            call.close()
            presence.stop()
            own_timer.stop()
        finally:
            hub.stop()
    both = latencies + [float(x) for x in page_latencies]
    return {
        "join_s": round(join_s, 2),
        "fps_720p": round(min(to_kiosk, to_browser), 1),
        "latency_p95_ms": round(percentile(both, 0.95), 1),
        "kiosk_cpu_pct": round(100 * kiosk_cpu / window, 1),
        "browser_cpu_pct": round(100 * browser_cpu / window, 1),
    }


def main() -> int:
    """Run the call in its own network namespace, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    if os.environ.get("KIOSK_CALL_NETNS") != "1":
        env = dict(os.environ, KIOSK_CALL_NETNS="1")
        command = [sys.executable, __file__, "--json", "--seconds", str(args.seconds)]
        done = subprocess.run(
            ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            print(done.stdout + done.stderr, file=sys.stderr)
            return done.returncode
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    else:
        figures = run(args.seconds)
    report(figures, lambda name: UNITS.get(name, "%"), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
