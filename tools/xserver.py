"""A private Xvfb X server, for the real-window test and the X11 start-up benchmark."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager


def available() -> bool:
    """True when Xvfb is installed (`make test` installs the Debian package xvfb)."""
    return shutil.which("Xvfb") is not None


@contextmanager
def private_display(width: int, height: int) -> Iterator[str]:
    """Start Xvfb on a free display number; yields its DISPLAY, stops it on exit."""
    read, write = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        # Xvfb writes the display number it chose once it accepts connections.
        with os.fdopen(read) as pipe:
            yield f":{pipe.readline().strip()}"
    finally:
        server.terminate()
        server.wait(timeout=10)
