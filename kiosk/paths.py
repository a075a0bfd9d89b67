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
