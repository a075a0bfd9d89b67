"""The kiosk on a real X server (Xvfb): it covers the whole screen with no window manager
to help it, as on a bare kiosk PC, and draws its welcome screen there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from tools import xserver
from ui.theme import HELP, PAPER

KIOSK = str(Path(sys.executable).parent / "mediation-kiosk")
GRAB = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication\n"
    "app = QApplication([])\n"
    "app.primaryScreen().grabWindow(0).save(sys.argv[1])\n"
)


@pytest.fixture
def x_display() -> Iterator[str]:
    """A private Xvfb server of 1280x800; yields its DISPLAY."""
    if not xserver.available():
        pytest.fail("Xvfb is missing: `make test` installs it (Debian package xvfb)")
    with xserver.private_display(1280, 800) as display:
        yield display


def test_the_kiosk_fills_a_bare_x11_screen(tmp_path: Path, x_display: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "QT_QPA"))}
    # The demo speaks aloud only where a test listens: the recording tests share the sink.
    env.update(
        DISPLAY=x_display,
        KIOSK_DATA_DIR=str(tmp_path / "data"),
        KIOSK_DEMO_ALOUD="false",
        KIOSK_DEMO_CASES="100",
    )
    kiosk = subprocess.Popen(
        [KIOSK, "run", "--demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    log = tmp_path / "data" / "logs" / "kiosk.log"
    picture = tmp_path / "screen.png"
    try:
        deadline = time.monotonic() + 30
        while not (log.is_file() and "kiosk started" in log.read_text()):
            assert kiosk.poll() is None, "the kiosk did not start on X11"
            assert time.monotonic() < deadline, "the kiosk did not start within 30 s"
            time.sleep(0.1)
        time.sleep(1.0)  # let it paint
        subprocess.run([sys.executable, "-c", GRAB, str(picture)], env=env, check=True, timeout=30)
    finally:
        kiosk.send_signal(signal.SIGTERM)
        kiosk.wait(timeout=10)
    image = QImage(str(picture))
    assert (image.width(), image.height()) == (1280, 800)
    # The welcome screen's paper reaches the bottom corners: nothing of the bare root
    # window shows around the kiosk.
    for x, y in ((2, 797), (1277, 797), (640, 797)):
        assert image.pixelColor(x, y) == QColor(PAPER), (x, y)
    # And the red "call for help" sits at the top right.
    reds = sum(
        image.pixelColor(x, y) == QColor(HELP)
        for x in range(900, 1280, 4)
        for y in range(0, 160, 4)
    )
    assert reds > 100
