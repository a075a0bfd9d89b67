"""The done-when of the consumer's path (issue 14): tests/x11_walk.py walks the whole path
by taps through a real X server (Xvfb, 1920x1080), in Mandarin and English at the
largest text size. It runs in a process of its own, whose Qt draws on that X server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tools import xserver

ROOT = Path(__file__).resolve().parent.parent


def test_the_whole_path_walked_by_taps_on_a_real_x_server(tmp_path: Path) -> None:
    assert xserver.available(), "Xvfb is missing: `make test` installs it (Debian package xvfb)"
    with xserver.private_display(1920, 1080) as display:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "QT_QPA"))}
        env.update(DISPLAY=display, KIOSK_TEST_PLATFORM="xcb")
        walked = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-x",
                "-p",
                "no:cacheprovider",
                "--basetemp",
                str(tmp_path / "walk"),
                "tests/x11_walk.py",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    assert walked.returncode == 0, walked.stdout[-6000:] + walked.stderr[-3000:]
    assert " passed" in walked.stdout and "2 passed" in walked.stdout, walked.stdout[-2000:]
