"""The shell with the room's (demo) devices: it speaks through them, greets whoever walks
up, shows a calm notice when a device is out and carries on, and shows the camera."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import pytest
from PySide6.QtCore import Qt

from devices.camera import FakeCamera
from devices.config import DeviceConfig
from devices.registry import media_dir, open_devices
from kiosk.room import GREETING
from kiosk.settings import Settings
from ui.room import RoomLink
from ui.shell import KioskShell
from ui.widgets.camera_view import CameraView


@pytest.fixture
def open_shell(qtbot, settings: Settings):  # type: ignore[no-untyped-def]
    """A shell over demo devices (with faults if asked); closed after the test."""
    made: list[KioskShell] = []

    def make(faults: frozenset[str] = frozenset()) -> KioskShell:
        devices = open_devices(DeviceConfig(settings.data_dir, demo=True, faults=faults))
        room = RoomLink(devices)
        shell = KioskShell(settings, room=room)
        room.setParent(shell)
        qtbot.addWidget(shell)
        shell.resize(1920, 1080)
        shell.show()
        qtbot.waitExposed(shell)
        made.append(shell)
        return shell

    yield make
    for shell in made:
        shell.room.close()
        shell.locked = False
        shell.close()


def test_every_screen_speaks_through_the_room_and_a_new_screen_cuts_the_old_prompt(
    qtbot, open_shell
) -> None:
    shell = open_shell()
    speech, speaker = shell.room.speech, shell.room.devices.speaker
    qtbot.waitUntil(lambda: len(speaker.played) == 1, timeout=5000)  # the welcome, once made
    assert speech.transcript.said[-1].text == "欢迎使用。请点一下屏幕开始。"
    qtbot.mouseClick(shell.screens["attract"].start, Qt.MouseButton.LeftButton)
    assert shell.current.name == "home"
    assert not speaker.playing or len(speaker.played) == 2  # the welcome was cut off
    qtbot.waitUntil(lambda: len(speaker.played) == 2, timeout=5000)
    qtbot.mouseClick(shell.header.repeat, Qt.MouseButton.LeftButton)
    assert len(speaker.played) == 3  # cached now: it starts at once
    qtbot.mouseClick(shell.header.louder, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(shell.header.language, Qt.MouseButton.LeftButton)
    assert speech.transcript.said[-1].language == "en"
    assert speech.transcript.said[-1].volume == 80
    shell.nav.finish()
    assert shell.visit.presentation.volume == 70  # back to the room's default


def test_with_no_sound_the_kiosk_shows_a_calm_notice_and_carries_on(qtbot, open_shell) -> None:
    shell = open_shell(frozenset({"no-speaker", "paper-out"}))
    shell.room.refresh()
    qtbot.waitUntil(lambda: bool(shell.room.health), timeout=5000)
    assert shell.notice.isVisible()  # on the welcome screen too
    shell.nav.begin()
    assert shell.notice.isVisible()
    words = shell.notice.words.text()
    assert "声音暂时不能播放。请看屏幕上的文字。" in words
    assert "打印机暂时不能用" in words
    shell.set_language("en")
    assert "Please read the words on the screen." in shell.notice.words.text()
    assert shell.room.speech.transcript.said[-1].text.startswith("What would you like")
    shell.nav.open_attendant()
    shell.nav.show("attendant_panel")
    states = shell.screens["attendant_panel"].device_states.text()
    assert "Speaker: not connected" in states and "Printer: out of paper" in states
    assert "Camera: not connected" in states  # this shell never started its camera


def test_someone_walking_up_is_greeted_once_until_they_leave(qtbot, open_shell) -> None:
    shell = open_shell()
    shell.room.watch.leave_after_s = 0.0
    said = shell.room.speech.transcript.said
    greeting = shell.translator.gettext(GREETING)
    shell.room.presence.present = True
    shell._tick()
    assert said[-1].text == greeting
    count = len(said)
    shell._tick()
    shell._tick()
    assert len(said) == count  # not again while they stay
    shell.room.presence.present = False
    shell._tick()
    shell.room.presence.present = True
    shell._tick()
    assert len(said) == count + 1 and said[-1].text == greeting
    shell.nav.begin()
    shell.room.presence.present = False
    shell._tick()
    shell.room.presence.present = True
    shell._tick()
    assert said[-1].text != greeting  # only the welcome screen greets


def test_the_demo_camera_finds_the_face_through_the_whole_chain(qtbot, open_shell) -> None:
    shell = open_shell()
    shell.room.presence.every_s = 0.05
    shell.room.start()
    qtbot.waitUntil(lambda: shell.room.presence.present, timeout=5000)


def test_the_camera_view_shows_the_live_picture_and_keeps_the_one_shown(
    qtbot, settings: Settings, tmp_path: Path
) -> None:
    camera = FakeCamera(media_dir() / "demo-face.mp4")
    view = CameraView(camera)
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.show()
    camera.start()
    view.start()
    try:
        qtbot.waitUntil(lambda: view.painted >= 3, timeout=5000)
        shown = view.shown
        assert shown is not None
        photo = view.capture(tmp_path / "photo.jpg")
        assert cv2.imread(str(photo)).shape == shown.image.shape
        started = time.monotonic()
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton)  # touches are not held up
        assert time.monotonic() - started < 0.2
        view.clear()
        assert view.shown is None
    finally:
        view.stop()
        camera.stop()


def test_when_the_printer_cannot_print_the_receipt_is_offered_as_a_code(qtbot, open_shell) -> None:
    from datetime import datetime

    import numpy as np
    from PySide6.QtGui import QImage

    from devices.qr import read_qr
    from kiosk.room import make_receipt

    receipt = make_receipt(
        "KS-20261128-0042", "幸福社区", datetime(2026, 11, 28, 10, 32), "张三", "https://x/s/42"
    )
    working = open_shell()
    working.nav.begin()
    working.offer_receipt(receipt)
    qtbot.waitUntil(lambda: bool(working.room.devices.printer.printed), timeout=10000)
    qtbot.waitUntil(
        lambda: working.room.speech.transcript.said[-1].text == "回执正在打印，请从打印机取走。",
        timeout=5000,
    )
    broken = open_shell(frozenset({"paper-out"}))
    broken.nav.begin()
    broken.offer_receipt(receipt)
    qtbot.waitUntil(lambda: broken.current.name == "receipt_code", timeout=10000)
    screen = broken.screens["receipt_code"]
    assert "回执号：KS-20261128-0042" in screen.number.text()
    image = screen.code.pixmap().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    width, height = image.width(), image.height()
    pixels = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    pixels = pixels.reshape(height, image.bytesPerLine())[:, :width].copy()
    assert read_qr(pixels) == "https://x/s/42"


def test_a_receipt_answered_after_the_visit_ended_is_not_shown_to_the_next_person(
    qtbot, open_shell
) -> None:
    from datetime import datetime

    from kiosk.room import make_receipt

    receipt = make_receipt(
        "KS-20261128-0043", "幸福社区", datetime(2026, 11, 28, 10, 40), "李四", "https://x/s/43"
    )
    shell = open_shell(frozenset({"paper-out"}))
    printer = shell.room.devices.printer
    refuse = printer.print_receipt

    def slow(*args: object) -> str:
        time.sleep(0.5)  # a CUPS printer can take many seconds to say no
        return refuse(*args)  # type: ignore[no-any-return]

    printer.print_receipt = slow
    shell.nav.begin()
    shell.offer_receipt(receipt)
    assert shell.idle.held  # no idle countdown while the consumer waits on the printer
    shell.wipe_visit()  # the attendant resets before the printer answers
    shell.nav.begin()  # and the next person starts
    qtbot.wait(1500)  # the printer's refusal arrives meanwhile
    assert shell.current.name == "home"
    assert "KS-20261128-0043" not in shell.screens["receipt_code"].number.text()
    assert not shell.idle.held


def test_heartbeats_carry_the_rooms_device_states_to_the_hub(
    qtbot, open_shell, settings: Settings, tmp_path: Path
) -> None:
    import dataclasses
    import json

    from kiosk.enrollment import enroll
    from kiosk.hub_client import HubClient
    from tests.hubs import enroll_code, running_hub
    from ui.fleet import FleetLink

    with running_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path) as hub:
        credential = enroll(settings.data_dir, HubClient(hub.url), enroll_code(hub))
        shell = open_shell(frozenset({"paper-out"}))
        shell.room.refresh()
        qtbot.waitUntil(lambda: "printer" in shell.room.health, timeout=5000)
        # Devices "real" for the link only: with "demo" it would start its own demo hub.
        link = FleetLink(dataclasses.replace(settings, devices="real"), shell)
        link.start()
        try:
            qtbot.waitUntil(lambda: link.worker.status.state.value == "up_to_date", timeout=10_000)
        finally:
            link.stop()
        listed = {row["device"]: row for row in json.loads(hub.cli("devices", "--json").stdout)}
    health = listed[credential.device_id]["health"]
    assert health["printer"]["state"] == "failing"
    assert "paper" in health["printer"]["detail"]
    assert {"camera", "microphone", "speaker", "voice", "printer"} <= set(health)
    assert health["speaker"]["state"] in ("ready", "busy")  # busy: saying the welcome
