"""Start-up and screen-switch speed of the kiosk, measured as a consumer meets them.

    python bench/startup.py [--json] [--runs N] [--switches N]

cold_start_s: from launching a fresh process to the first painted welcome screen (the
median over --runs processes), offscreen; cold_start_x11_s the same on an Xvfb X server
(Qt's xcb plugin, as on a kiosk PC), when Xvfb is installed. switch_median_ms and
switch_p95_ms: from a tap on a menu card or on "back" to the next screen painted, over
--switches switches, offscreen. bare_window_s: a bare PySide6 window showing one label,
launched and painted the same way, in the same run; cold_start_ratio: cold_start_s over it.
All on a 1920x1080 screen. Targets on a 2-core machine: cold start <= 1.0 s, ratio <= 3,
switch p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools import xserver  # noqa: E402 - found through the line above
from tools.figures import report  # noqa: E402 - found through the line above

SCREEN = {
    "synchronousWindowSystemEvents": False,
    "windowFrameMargins": False,
    "screens": [
        {
            "name": "kiosk",
            "x": 0,
            "y": 0,
            "width": 1920,
            "height": 1080,
            "logicalDpi": 96,
            "logicalBaseDpi": 96,
            "dpr": 1,
        }
    ],
}


def _environment(folder: Path) -> dict[str, str]:
    config = folder / "screen.json"
    config.write_text(json.dumps(SCREEN))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    # An enrolled kiosk, as in a room (one that is not starts in the setup screen); its
    # hub is away, which the start must not wait for.
    credential = {
        "hub_url": "http://127.0.0.1:9",
        "device_id": "R0001K1",
        "secret": "R0001K1.bench",
        "room_code": "R0001",
        "enrolled_at": "2026-11-28T09:00:00+08:00",
    }
    (folder / "data").mkdir(mode=0o700, exist_ok=True)
    (folder / "data" / "credential.json").write_text(json.dumps(credential))
    # The double-tap guard would swallow the benchmark's back-to-back taps; it costs
    # nothing on the way from a tap to the painted screen.
    env.update(
        QT_QPA_PLATFORM=f"offscreen:configfile={config}",
        KIOSK_DATA_DIR=str(folder / "data"),
        KIOSK_TAP_GUARD_MS="0",
        PYTHONPATH=str(ROOT),
    )
    return env


def _bare_window() -> None:
    """Runs in the measured process: the least a PySide6 program shows, one label painted
    (what the kiosk's own start is measured against)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    label = QLabel("消费纠纷调解")
    painted: list[bool] = []

    class PaintWatch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() is QEvent.Type.Paint:
                painted.append(True)
            return False

    watch = PaintWatch()
    label.installEventFilter(watch)
    label.resize(1920, 1080)
    label.show()
    deadline = time.monotonic() + 10
    while not painted:
        if time.monotonic() > deadline:
            raise SystemExit("the bare window was never painted")
        app.processEvents()
    print(time.monotonic(), flush=True)


def _child(mode: str, switches: int) -> None:
    """Runs in the measured process: the same start-up as `mediation-kiosk run`."""
    if mode == "bare":
        _bare_window()
        return
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtTest import QTest

    from kiosk.settings import load
    from ui.app import start

    # As `mediation-kiosk run` starts: the window, then the devices and the fleet link.
    app, shell, _fleet = start(load())
    painted: set[str] = set()

    from ui.screens.base import Screen

    class PaintWatch(QObject):
        # On the application: screens are made when first shown, so each is watched
        # from its first paint on.
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() is QEvent.Type.Paint and isinstance(watched, Screen):
                painted.add(watched.name)
            return False

    watch = PaintWatch()
    app.installEventFilter(watch)

    def until_painted(name: str) -> None:
        deadline = time.monotonic() + 10
        while name not in painted:
            if time.monotonic() > deadline:
                raise SystemExit(f"the {name} screen was never painted")
            app.processEvents()

    until_painted("attract")
    if mode == "cold":
        print(time.monotonic(), flush=True)
        return
    # Switches are measured once the room's devices are open (they open just after the
    # first paint; nobody taps within that fraction of a second of the kiosk starting).
    deadline = time.monotonic() + 10
    while shell.room is None and time.monotonic() < deadline:
        app.processEvents()
    shell.nav.begin()
    until_painted("home")
    card = shell.screens["home"].cards["file_complaint"]
    samples = []
    for index in range(switches):
        target, button = ("choice", card) if index % 2 == 0 else ("home", shell.bottom.back)
        painted.clear()
        started = time.perf_counter()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        until_painted(target)
        samples.append((time.perf_counter() - started) * 1000)
    print(json.dumps(samples), flush=True)


CHILD = [sys.executable, str(Path(__file__).resolve()), "--child"]


def _cold_starts(env: dict[str, str], runs: int, mode: str = "cold") -> list[float]:
    starts = []
    for _ in range(runs):
        launched = time.monotonic()
        done = subprocess.run([*CHILD, mode], env=env, capture_output=True, text=True, check=True)
        starts.append(float(done.stdout.split()[-1]) - launched)
    return starts


def _on_xvfb(env: dict[str, str], runs: int) -> list[float]:
    """Cold starts on a real X server, as on a kiosk PC (xcb), when Xvfb is installed."""
    if not xserver.available():
        return []
    with xserver.private_display(1920, 1080) as display:
        x11 = {k: v for k, v in env.items() if k != "QT_QPA_PLATFORM"}
        return _cold_starts({**x11, "DISPLAY": display}, runs)


def _compiled() -> None:
    """The kiosk's modules compiled to bytecode, as an installed kiosk has them (pip and the
    Debian package compile at install), even where PYTHONDONTWRITEBYTECODE keeps a
    checkout's starts from writing them: the figures are the room's, not a first run's."""
    packages = [str(ROOT / name) for name in ("kiosk", "ui", "devices")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True)


def measure(runs: int, switches: int) -> dict[str, float]:
    """Run the child processes and gather the figures."""
    figures: dict[str, float] = {}
    _compiled()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as name:
        env = _environment(Path(name))
        command = CHILD
        starts = _cold_starts(env, runs)
        figures["cold_start_s"] = round(statistics.median(starts), 3)
        figures["cold_start_max_s"] = round(max(starts), 3)
        bare = statistics.median(_cold_starts(env, runs, "bare"))
        figures["bare_window_s"] = round(bare, 3)
        figures["cold_start_ratio"] = round(statistics.median(starts) / bare, 2)
        x11 = _on_xvfb(env, runs)
        if x11:
            figures["cold_start_x11_s"] = round(statistics.median(x11), 3)
        done = subprocess.run(
            [*command, "switch", "--switches", str(switches)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        samples = sorted(json.loads(done.stdout.splitlines()[-1]))
        figures["switch_median_ms"] = round(statistics.median(samples), 2)
        figures["switch_p95_ms"] = round(samples[max(0, int(len(samples) * 0.95) - 1)], 2)
    return figures


UNITS = {
    "cold_start_s": "s",
    "cold_start_x11_s": "s",
    "cold_start_max_s": "s",
    "bare_window_s": "s",
    "cold_start_ratio": "x",
    "switch_median_ms": "ms",
    "switch_p95_ms": "ms",
}


def main() -> int:
    """Print the figures, one a line, or as one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--switches", type=int, default=50)
    parser.add_argument("--child", choices=("cold", "switch", "bare"))
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.switches)
        return 0
    figures = measure(args.runs, args.switches)
    report(figures, UNITS.__getitem__, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
