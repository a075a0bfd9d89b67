"""Shared fixtures: Qt offscreen, a private data folder per test, and shells that clean up."""

from __future__ import annotations

import os

# Offscreen, unless the real-window walk (tests/test_walk_on_x.py) runs its tests on an
# X server of its own.
os.environ["QT_QPA_PLATFORM"] = os.environ.get("KIOSK_TEST_PLATFORM", "offscreen")
os.environ.pop("KIOSK_DATA_DIR", None)

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.guidance import Transcript
from kiosk.settings import Settings
from protocol.pins import hash_pin
from ui.app import use_on_screen_keyboard

# The kiosk's on-screen keyboard, as ui.app.application() sets it up (pytest-qt makes
# the QApplication itself, after this).
use_on_screen_keyboard()

TEST_PIN = "246810"
# Few rounds keep the tests quick; the rounds are part of the stored hash.
TEST_PIN_HASH = hash_pin(TEST_PIN, rounds=1000)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private kiosk data folder for one test."""
    folder = tmp_path / "kiosk-data"
    folder.mkdir(mode=0o700)
    return folder


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    """Settings for a test kiosk: its own data folder and a known attendant PIN."""
    # Tests tap faster than any person; the double-tap guard has a test of its own.
    return Settings(
        data_dir=data_dir,
        tap_guard_ms=0,
        attendant_pin_hash=TEST_PIN_HASH,
        windowed=True,
        room_name="幸福社区调解室",
        help_phone="12315",
        devices="demo",
        # The demo speaker plays aloud only where a test listens for it.
        demo_aloud=False,
    )


@pytest.fixture
def make_shell(qtbot, settings: Settings) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    """Build a shown kiosk shell of a given size; it is closed after the test."""
    from ui.shell import KioskShell

    made: list[KioskShell] = []

    def make(
        width: int = 1920, height: int = 1080, speech: Transcript | None = None, **changes: object
    ) -> KioskShell:
        import dataclasses

        shell = KioskShell(dataclasses.replace(settings, **changes), speech or Transcript())
        qtbot.addWidget(shell)
        shell.resize(width, height)
        shell.show()
        qtbot.waitExposed(shell)
        made.append(shell)
        return shell

    yield make
    for shell in made:
        shell.locked = False
        shell.close()


@pytest.fixture(autouse=True)
def no_stray_windows(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves a top-level widget behind (a widget with no parent shows
    as a window of its own, or not at all, instead of on the kiosk's screen)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    before = {id(w) for w in QApplication.topLevelWidgets()} if app is not None else set()
    yield
    app = QApplication.instance()
    if app is None:
        return
    from PySide6.QtCore import QEvent

    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    left = [w for w in QApplication.topLevelWidgets() if id(w) not in before and w.isVisible()]
    stray = [
        w
        for w in QApplication.topLevelWidgets()
        if id(w) not in before
        and not w.isVisible()
        and w.parent() is None
        and type(w).__name__ != "KioskShell"
    ]
    assert not left, f"windows left open: {left}"
    assert not stray, f"widgets with no parent: {stray}"


# The room's one sound server and one printer queue (PulseAudio's null sink, CUPS-PDF), and
# the benchmarks that time them: the tests that use them run one after another in one
# worker of `make test`'s two (pytest-xdist); every other module is a group of its own, so
# its module-wide kiosk or hub is made once.
SHARED_DEVICES = frozenset(
    {
        "test_audio",
        "test_bench",
        "test_call",
        "test_consumer_polish",
        "test_printer",
        "test_rare_glyphs",
        "test_room",
        "test_selftest",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests for the two workers: by module, the shared devices' users together."""
    for item in items:
        module = item.path.stem
        item.add_marker(pytest.mark.xdist_group("devices" if module in SHARED_DEVICES else module))
