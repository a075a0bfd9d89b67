"""Where the kiosk finds its shipped assets (catalogs, icons, demo media)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def assets_dir() -> Path:
    """The assets folder: `KIOSK_ASSETS_DIR`, `assets/` beside the packages (a checkout),
    or `<prefix>/share/mediation-kiosk/assets` (an installed package)."""
    override = os.environ.get("KIOSK_ASSETS_DIR")
    if override:
        return Path(override)
    beside = Path(__file__).resolve().parent.parent / "assets"
    if beside.is_dir():
        return beside
    return Path(sys.prefix) / "share" / "mediation-kiosk" / "assets"


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


def write_private_json(path: Path, data: Any) -> None:
    """Write a small JSON file readable by the kiosk's user alone (0600), all or nothing."""
    private_dir(path.parent)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(data, file)
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(path)
