"""The UI's layers as a consumer and the room meet them: the kiosk starts with the welcome
screen alone (each other screen, and the network and call stacks, load when first needed),
and work that finishes after its visit ended reaches nobody."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from kiosk.guidance import Transcript
from tests.conftest import TEST_PIN
from tests.taps import seen_words, tap_widget, wait_for
from tests.test_help import look_up_by_taps, silent_hub
from tests.test_shell import corner_taps
from tests.test_staff import type_pin

ROOT = Path(__file__).resolve().parent.parent

FIRST_SCREEN = """
import json, sys
from PySide6.QtCore import QEvent, QObject
from kiosk.settings import load
from ui.app import start
from ui.screens.base import Screen

app, shell, fleet = start(load())
painted = []

class Watch(QObject):
    def eventFilter(self, watched, event):
        if event.type() is QEvent.Type.Paint and isinstance(watched, Screen):
            painted.append(watched.name)
        return False

watch = Watch()
app.installEventFilter(watch)
while not painted:
    app.processEvents()
print(json.dumps({
    "painted": painted[0],
    "made": sorted(shell.screens),
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] in {
        "pydantic", "requests", "aiortc", "av", "cv2", "numpy", "sqlalchemy"
    } or m.startswith(
        ("ui.screens.", "kiosk.call", "protocol.wire", "protocol.signaling", "kiosk.outbox")
    )),
}))
shell.locked = False
"""


def write_credential(data: Path, hub_url: str) -> None:
    """An enrolled kiosk's credential, for a hub at `hub_url`."""
    credential = {
        "hub_url": hub_url,
        "device_id": "R0001K1",
        "secret": "R0001K1.test",
        "room_code": "R0001",
        "enrolled_at": "2026-11-28T09:00:00+08:00",
    }
    (data / "credential.json").write_text(json.dumps(credential))


def test_the_kiosk_starts_with_the_welcome_screen_alone(tmp_path: Path) -> None:
    """The first paint waits on nothing but the welcome screen: no other screen is made,
    and none of the wire schema, the network, the call or the camera's libraries load."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    write_credential(data, "http://127.0.0.1:9")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(QT_QPA_PLATFORM="offscreen", KIOSK_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", FIRST_SCREEN],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    first = json.loads(done.stdout.splitlines()[-1])
    assert first["painted"] == "attract"
    assert first["made"] == ["attract"]
    assert first["loaded"] == ["ui.screens.attract", "ui.screens.base"]


def test_a_lookup_that_ends_after_its_visit_reaches_nobody(
    qtbot: Any, make_shell: Any, data_dir: Path
) -> None:
    """A consumer looks up a case while the hub hangs; the attendant resets the visit and
    the next person begins: when the lookup gives up, its words never reach them."""
    shell = make_shell(speech=Transcript())
    with silent_hub() as (address, gave_up):
        write_credential(data_dir, address)
        look_up_by_taps(shell)
        corner_taps(qtbot, shell)
        type_pin(qtbot, shell, TEST_PIN)
        tap_widget(shell.screens["attendant_panel"].reset, "Reset this visit")
        assert shell.current.name == "attract"
        tap_widget(shell.screens["attract"].start, "the welcome screen")
        assert shell.current.name == "home"
        assert wait_for(gave_up.is_set, 20)
        # The test looks at the pool only to know when the lookup's end arrived.
        assert wait_for(lambda: shell.background.dropped == 1)
    assert shell.current.name == "home"
    words = " ".join(seen_words(shell))
    assert "连不上" not in words and "2026-000123" not in words
