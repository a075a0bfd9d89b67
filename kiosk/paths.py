"""Where the kiosk finds its shipped assets (catalogs, icons, demo media)."""

from __future__ import annotations

import os
from pathlib import Path


def assets_dir() -> Path:
    """The assets folder: `KIOSK_ASSETS_DIR`, or `assets/` beside the packages."""
    override = os.environ.get("KIOSK_ASSETS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "assets"


def private_dir(path: Path) -> Path:
    """Make a folder (and any missing parents) readable by the kiosk's user alone (0700)."""
    missing = []
    here = path
    while not here.exists():
        missing.append(here)
        here = here.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode is cut by the umask
    return path
