"""At run time, the core loads no Qt at all and the devices no Qt widgets."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> list[str]:
    return [package] + [
        f"{package}.{info.name}" for info in pkgutil.iter_modules([str(ROOT / package)])
    ]


def _loaded_after_importing(modules: list[str]) -> set[str]:
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_the_core_loads_no_qt() -> None:
    loaded = _loaded_after_importing(_modules("kiosk"))
    assert "kiosk.journeys" in loaded
    assert not {name for name in loaded if name.startswith(("PySide6", "shiboken6", "ui"))}


def test_the_devices_load_no_qt_widgets() -> None:
    loaded = _loaded_after_importing(_modules("devices"))
    assert "devices" in loaded
    assert not {name for name in loaded if name.startswith(("PySide6.QtWidgets", "ui"))}
