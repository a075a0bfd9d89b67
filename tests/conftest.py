"""Shared fixtures: Qt offscreen, a private data folder per test, and shells that clean up."""

from __future__ import annotations

import os

# Offscreen, unless the real-window walk (tests/test_walk_on_x.py) runs its tests on an
# X server of its own.
os.environ["QT_QPA_PLATFORM"] = os.environ.get("KIOSK_TEST_PLATFORM", "offscreen")
os.environ.pop("KIOSK_DATA_DIR", None)

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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

# How long each group took (seconds, every worker busy), for a first run with no record of
# its own: the long groups go first, so that the workers end together rather than one
# finishing a long group alone at the end. Later runs go by what the last one measured.
GROUP_SECONDS = {
    "devices": 219,
    "test_accessibility": 100,
    "test_faults": 82,
    "test_walk_on_x": 60,
    "test_presence": 56,
    "test_fleet_health": 55,
    "test_hub": 51,
    "test_signaling": 44,
    "test_staff": 34,
    "test_packaging": 31,
    "test_cli": 27,
    "test_studio_pages": 27,
    "test_waiting_room": 27,
    "test_call_authority": 24,
    "test_staff_logins": 21,
    "test_join_with_receipt": 20,
    "test_hub_secrets": 19,
    "test_contract": 18,
}
GROUP_CACHE = "kiosk/group-seconds"


def group_of_module(module: str) -> str:
    """The group a test module's tests run in: their own, or the shared devices'."""
    return "devices" if module in SHARED_DEVICES else module


def group_of(nodeid: str) -> str:
    """The group of a test, by its id (`tests/test_room.py::test_x[a]`)."""
    path = nodeid.partition("::")[0]
    return group_of_module(path.rpartition("/")[2].removesuffix(".py"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest groups first (stable: each group keeps its tests' order, and xdist
    keeps the groups' order, as addopts turns its reordering by number of tests off)."""
    seconds = dict(GROUP_SECONDS)
    if getattr(config, "cache", None) is not None:
        seconds.update(config.cache.get(GROUP_CACHE, {}))
    items.sort(key=lambda item: -seconds.get(group_of(item.nodeid), 0))


# Before xdist's own (the first answer counts); optional: without xdist, no such hook.
@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup` by our groups. Not by xdist_group marks: pytest-xdist 3.8 groups
    by a suffix it writes into each test's id, which pytest 9.2 ignores (xdist issue
    #1386), and every test was sent alone to either worker, the sound and printer tests
    at once on both."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return ByGroup(config, log)


_group_took: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up each group's time (with xdist, the workers' reports reach the session's
    process too)."""
    group = group_of(report.nodeid)
    _group_took[group] = _group_took.get(group, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep what each group took, for the next run's order: of a run of the whole suite
    (a group run in part would look shorter than it is)."""
    config = session.config
    if hasattr(config, "workerinput") or getattr(config, "cache", None) is None:
        return  # a worker: the session's own process keeps the record
    whole = config.args_source is pytest.Config.ArgsSource.TESTPATHS
    if not whole or config.option.keyword or config.option.markexpr != "not install":
        return
    if not _group_took or session.testsfailed:
        return
    kept = dict(config.cache.get(GROUP_CACHE, {}))
    kept.update({group: round(took, 1) for group, took in _group_took.items()})
    config.cache.set(GROUP_CACHE, kept)
