"""A mediation call through the SFU (Janus) between the real kiosk (its shell and call
screen, aiortc) and the mediator console in headless Chromium, through a hub on loopback, in
a network namespace of its own (`unshare -n`); first two at the table, then four (the
merchant by the link and a colleague asked in, each a page in the same Chromium).

    python bench/call.py [--json] [--seconds S]

join_s: from the consumer's tap on "join" (the mediator takes the case as soon as it is in
the queue) to the mediator's first picture painted on the call screen. fps_to_kiosk: the
mediator's pictures painted on the kiosk a second; fps_to_browser: the room's pictures
decoded in the console a second, at 640x480 (the room sends 480p). latency_p95_ms: glass
to glass, both ways: each picture carries its capture time (wall clock, ms) stamped into its
pixels as 24 black or white blocks, read back where it is painted (the kiosk's call screen,
the browser's video element). kiosk_cpu_2p_pct, kiosk_cpu_4p_pct: the kiosk process's CPU
time over the window as a share of one core, with one remote party and with three (the call
screen shows the room's own picture and runs the presence sensor as in the room);
browser_cpu_pct: every Chromium process's, per page, with one remote party. The 4p figures
are measured likewise with four at the table.
Targets (2 cores): kiosk_cpu_4p <= 1.2 x kiosk_cpu_2p, kiosk CPU <= the browser's, latency
p95 <= 100 ms, join <= 1.5 s, 480p at 30 fps held.
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
from devices.camera import Camera  # noqa: E402 - found through the line above
from devices.state import Health, ready  # noqa: E402
from tests.calls import LAN_UP  # noqa: E402
from tools.figures import report  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
WIDTH, HEIGHT = 1280, 720
BITS, BLOCK = 24, 40
UNITS = {
    "join_s": "s",
    "fps_to_kiosk": "fps",
    "fps_to_browser": "fps",
    "fps_to_kiosk_4p": "fps",
    "latency_p95_ms": "ms",
    "latency_p95_4p_ms": "ms",
}

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


class StampedCamera(Camera):
    """A camera whose every picture carries its capture time."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        self.count = 0

    def start(self) -> None:
        """Nothing to open."""

    def stop(self) -> None:
        """Nothing to release."""

    def health(self) -> Health:
        """Always ready."""
        return ready("stamped pictures")

    def latest(self) -> Any:
        """A new picture, stamped now."""
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


def run(seconds: float) -> dict[str, float]:
    """One call through the SFU, with one remote party and then three; the figures."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from tests.calls import allow_loopback_candidates, running_sfu
    from tests.hubs import start_hub

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

    def tap(widget: Any) -> None:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())
        run_qt(0.05)

    with tempfile.TemporaryDirectory(prefix="bench-call-") as folder:
        base = Path(folder)
        with running_sfu(base / "sfu") as sfu:
            os.environ.update(sfu)
            hub = start_hub(f"sqlite:///{folder}/hub.sqlite3", base / "hub.log")
            try:
                return _measure(hub, base, run_qt, tap, seconds)
            finally:
                hub.stop()


def _measure(  # noqa: PLR0915 - one call, start to end
    hub: Any,
    base: Path,
    run_qt: Callable[..., bool],
    tap: Callable[[Any], None],
    seconds: float,
) -> dict[str, float]:
    import dataclasses

    from devices.registry import open_devices
    from kiosk.guidance import Transcript
    from kiosk.room import device_config
    from kiosk.settings import Settings
    from protocol.states import CallState
    from tests.calls import (
        CHROMIUM_FLAGS,
        MEDIATOR,
        add_mediator,
        ask_in,
        chromium_path,
        enrolled_kiosk,
        file_case,
        log_in,
    )
    from ui.room import RoomLink
    from ui.shell import KioskShell

    colleague_login = ("colleague1", "colleague-password-1")
    data_dir = base / "kiosk"
    client, device = enrolled_kiosk(hub, data_dir)
    case_number, _receipt = file_case(client, device)
    add_mediator(hub)
    add_mediator(hub, colleague_login)

    # The real kiosk: its shell and call screen, the demo's devices but a camera whose
    # pictures carry their capture time, the microphone playing the demo's voice.
    settings = Settings(
        data_dir=data_dir,
        tap_guard_ms=0,  # the bench taps faster than a person
        windowed=True,
        devices="demo",
        demo_aloud=False,
        call_video="480p",
        printer="pdf",
    )
    devices = dataclasses.replace(open_devices(device_config(settings)), camera=StampedCamera())
    shell = KioskShell(settings, Transcript())
    shell.resize(1920, 1080)
    shell.show()
    shell.room = RoomLink(devices)
    latencies: list[float] = []
    received: list[float] = []
    in_call = shell.screens["in_call"]
    painting = in_call.mediator.show_frame

    def shown(frame: Any) -> None:  # where the kiosk paints the mediator's picture
        late = now_stamp() - stamp_of(frame)
        if 0 <= late < 5000:
            latencies.append(late)
        received.append(time.monotonic())
        painting(frame)

    in_call.mediator.show_frame = shown  # type: ignore[method-assign]

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        mediator = browser.new_context().new_page()
        mediator.add_init_script(BROWSER_STAMPS)
        log_in(mediator, hub.url, MEDIATOR)

        # The consumer taps their way to the queue, as in the room.
        tap(shell.screens["attract"].start)
        tap(shell.screens["home"].cards["join_mediation"])
        tap(shell.screens["choice"].cards[2])
        entry = shell.screens["case_entry"]
        for digit in case_number.replace("-", ""):
            tap(entry.keypad.keys[digit])
        tap(entry.join)
        for digit in "0001":
            tap(entry.keypad.keys[digit])
        joined = time.monotonic()
        tap(entry.join)
        call = lambda: shell.mediation.link.call  # noqa: E731
        if not run_qt(60, lambda: call() is not None and call().state is CallState.WAITING):
            raise RuntimeError("the kiosk did not join the queue")
        mediator.evaluate("takeNext()")
        if not run_qt(60, lambda: in_call.mediator.painted > 0):
            raise RuntimeError("no picture from the mediator")
        join_s = time.monotonic() - joined
        run_qt(min(3.0, seconds))  # settled (the test runs a second a phase)

        def window(pages: list[Any]) -> dict[str, float]:
            latencies.clear()
            mediator.evaluate("window.latencies = []")
            before = mediator.evaluate("window.mediationRoom.stats()")
            browsers = chromium_pids()
            kiosk_cpu, browser_cpu = cpu_seconds([os.getpid()]), cpu_seconds(browsers)
            start = time.monotonic()
            run_qt(seconds)
            span = time.monotonic() - start
            after = mediator.evaluate("window.mediationRoom.stats()")
            room = next(p for p, row in after.items() if row["role"] == "room")
            decoded = after[room]["framesDecoded"] - before.get(room, {}).get("framesDecoded", 0)
            both = latencies + [float(x) for x in mediator.evaluate("window.latencies")]
            return {
                "kiosk": 100 * (cpu_seconds([os.getpid()]) - kiosk_cpu) / span,
                "browser": 100 * (cpu_seconds(browsers) - browser_cpu) / span / len(pages),
                "to_kiosk": sum(1 for at in received if at >= start) / span,
                "to_browser": decoded / span if after[room]["frameWidth"] == 640 else 0.0,
                "latency": percentile(both, 0.95),
            }

        two = window([mediator])

        # Two more at the table: the merchant by the link, a colleague asked in by name.
        mediator.click("#invite")
        mediator.wait_for_selector("#invite-link", state="visible")
        merchant = browser.new_context().new_page()
        merchant.goto(mediator.input_value("#invite-url"))
        colleague = browser.new_context().new_page()
        log_in(colleague, hub.url, colleague_login)
        ask_in(mediator, colleague, colleague_login[0], case_number)
        if not run_qt(
            60, lambda: len(in_call.seats) == 2 and all(v.painted > 30 for v in in_call.others[:2])
        ):
            raise RuntimeError("the merchant and the colleague did not reach the kiosk")
        run_qt(min(3.0, seconds))  # settled (the test runs a second a phase)
        four = window([mediator, merchant, colleague])
        browser.close()
    shell.mediation.link.leave()
    shell.mediation.link.close()
    shell.room.close()
    return {
        "join_s": round(join_s, 2),
        "fps_to_kiosk": round(two["to_kiosk"], 1),
        "fps_to_browser": round(two["to_browser"], 1),
        "latency_p95_ms": round(two["latency"], 1),
        "kiosk_cpu_2p_pct": round(two["kiosk"], 1),
        "kiosk_cpu_4p_pct": round(four["kiosk"], 1),
        "browser_cpu_pct": round(two["browser"], 1),
        "fps_to_kiosk_4p": round(four["to_kiosk"], 1),
        "latency_p95_4p_ms": round(four["latency"], 1),
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
            [
                "unshare",
                "-n",
                "sh",
                "-c",
                f'ip link set lo up && {LAN_UP} && exec "$@"',
                "sh",
                *command,
            ],
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
