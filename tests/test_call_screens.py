"""Joining the mediation on the kiosk's screens, against a real hub on loopback: the case
number, the waiting room as the queue moves, leaving with a confirmation, and the spoken
sentences (with a way forward) when joining cannot work. No media: nobody takes the call."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.guidance import Transcript
from tests.calls import add_mediator, enrolled_kiosk, file_case, login_cookie
from tests.hubs import HubProcess, start_hub
from tests.test_presence import console


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("queue-hub")
    process = start_hub(f"sqlite:///{folder / 'hub.sqlite3'}", folder / "hub.log")
    yield process
    process.stop()


def tap(qtbot: Any, widget: Any) -> None:
    from PySide6.QtCore import Qt

    assert widget.isVisible(), f"{widget!r} is not on screen"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


def wait_for(qtbot: Any, condition: Any, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        qtbot.wait(50)


@pytest.fixture
def kiosk(make_shell: Any, data_dir: Path) -> Iterator[tuple[Any, Transcript]]:
    """A shell with the demo devices (nothing opened), speaking into a transcript."""
    from ui.room import RoomLink

    speech = Transcript()
    shell = make_shell(speech=speech)
    room = RoomLink.open(shell.settings)
    shell.room = room
    yield shell, speech
    shell.mediation.end()
    room.close()


def choose_way(qtbot: Any, shell: Any, way: int) -> None:
    """Home, 'join my mediation', then one of the ways in (0 QR code, 1 receipt, 2 case)."""
    tap(qtbot, shell.screens["attract"].start)
    tap(qtbot, shell.screens["home"].cards["join_mediation"])
    tap(qtbot, shell.screens["choice"].cards[way])


def type_number(qtbot: Any, shell: Any, digits: str, mobile_last4: str = "") -> None:
    """The case number on the keypad, 'next', then the mobile's last four digits and 'join'."""
    choose_way(qtbot, shell, 2)
    entry = shell.screens["case_entry"]
    for digit in digits:
        tap(qtbot, entry.keypad.keys[digit])
    assert entry.number.text() == f"{digits[:4]}-{digits[4:]}"  # as on the receipt
    tap(qtbot, entry.join)
    if mobile_last4:
        assert entry.kind == "mobile"
        for digit in mobile_last4:
            tap(qtbot, entry.keypad.keys[digit])
        tap(qtbot, entry.join)


def test_a_short_number_is_said_with_the_way_forward(qtbot: Any, kiosk: Any) -> None:
    shell, speech = kiosk
    type_number(qtbot, shell, "20261")
    assert shell.current.name == "case_entry"
    sentence = "这个号码不完整。案件号有十位数字，比如 2026 000123。请看看您的回执，或者呼叫帮助。"
    assert shell.screens["case_entry"].error.text() == sentence
    assert speech.said[-1].text == sentence


def test_an_unknown_case_and_a_kiosk_not_enrolled_are_said(
    qtbot: Any, kiosk: Any, hub: HubProcess, data_dir: Path
) -> None:
    shell, speech = kiosk
    type_number(qtbot, shell, "2026999999", "1234")  # not enrolled yet
    entry = shell.screens["case_entry"]
    wait_for(qtbot, lambda: "现在连不上调解服务" in entry.error.text())
    assert speech.said[-1].text.startswith("现在连不上调解服务。请过几分钟再试")
    assert shell.current is entry and entry.kind == "mobile"  # where it was, digits kept
    enrolled_kiosk(hub, data_dir)
    tap(qtbot, entry.join)
    # No such case: back to the case number, to check it.
    wait_for(qtbot, lambda: "找不到这个案件" in entry.error.text())
    assert shell.current is entry and entry.kind == "case"
    assert speech.said[-1].text == "找不到这个案件。请核对回执上的号码，或者呼叫帮助。"
    assert not shell.idle.held


def test_the_waiting_room_follows_the_queue_and_leaving_asks_first(
    qtbot: Any, kiosk: Any, hub: HubProcess, data_dir: Path, tmp_path: Path
) -> None:
    shell, speech = kiosk
    other, other_device = enrolled_kiosk(hub, tmp_path / "other-kiosk")
    other_case, _ = file_case(other, other_device, 7)
    ahead = other.join_mediation(other_case, "0007")  # filed with 13900000007
    client, device = enrolled_kiosk(hub, data_dir)
    case, _ = file_case(client, device, 8)
    # A mediator is at the console: the wait is estimated from them (one free mediator
    # takes the first; the second waits for that call, about ten minutes).
    add_mediator(hub)
    mediator = contextlib.ExitStack()
    mediator.enter_context(console(hub, login_cookie(hub.url)))

    type_number(qtbot, shell, case.replace("-", ""), "0008")  # filed with 13900000008
    waiting = shell.screens["waiting_room"]
    wait_for(qtbot, lambda: shell.current is waiting)  # the hub checked the four digits
    wait_for(qtbot, lambda: "您排在第 2 位。" in waiting.place.text())
    assert speech.said[-1].text == "您排在第 2 位。大约 10 分钟后调解员和您通话。"
    assert shell.idle.held  # no idle reset while the consumer waits in the queue

    other.leave_mediation(ahead.mediation_id)  # the one ahead leaves: we move up, and hear it
    wait_for(qtbot, lambda: "下一位就是您。" in waiting.place.text())
    assert speech.said[-1].text.startswith("下一位就是您。")

    tap(qtbot, waiting.leave)
    assert waiting.place.text() == "您要离开排队吗？离开后排位就没有了。"
    assert speech.said[-1].text == waiting.place.text()
    tap(qtbot, waiting.stay)
    assert "下一位就是您。" in waiting.place.text() and shell.current is waiting
    tap(qtbot, waiting.leave)
    tap(qtbot, waiting.confirm)
    wait_for(qtbot, lambda: shell.current.name == "home")
    assert not shell.idle.held
    mediation_id = shell.screens["waiting_room"].ticket.mediation_id
    assert client.mediation(mediation_id).state == "left"
    mediator.close()


def test_a_receipts_qr_code_held_up_joins_the_queue(
    qtbot: Any, make_shell: Any, hub: HubProcess, data_dir: Path, tmp_path: Path
) -> None:
    import dataclasses

    from devices.camera import FakeCamera
    from devices.registry import open_devices
    from kiosk.receipts import status_url
    from kiosk.room import device_config
    from tools.demo_media import qr_frames, write_video
    from ui.room import RoomLink

    client, device = enrolled_kiosk(hub, data_dir)
    case, receipt = file_case(client, device, 9)
    video = tmp_path / "receipt-qr.mp4"
    write_video(video, qr_frames(status_url(hub.url, receipt)) * 10)
    shell = make_shell(speech=Transcript())
    devices = open_devices(device_config(shell.settings))
    room = RoomLink(dataclasses.replace(devices, camera=FakeCamera(video)))
    room.devices.camera.start()
    shell.room = room
    try:
        choose_way(qtbot, shell, 0)
        waiting = shell.screens["waiting_room"]
        wait_for(qtbot, lambda: shell.current is waiting and waiting.ticket is not None, 15)
        assert waiting.ticket.case_number == case  # the receipt's number found its case
        assert shell.screens["receipt_scan"].scanner is None  # no scanning off screen
    finally:
        shell.mediation.end()
        room.close()


def test_in_the_call_leaving_the_picture_is_said_and_the_attendant_comes(
    qtbot: Any, kiosk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.screens.in_call
    from kiosk.call_journey import OUT_OF_PICTURE
    from protocol.states import CallState
    from ui.screens.in_call import ATTENDANT_CALLED

    shell, speech = kiosk
    monkeypatch.setattr(ui.screens.in_call, "AWAY_S", 0.5)
    t = shell.translator.gettext
    shell.nav.begin()
    shell.nav.show("in_call")
    screen = shell.screens["in_call"]
    screen.show_state(CallState.IN_CALL)
    shell.room.presence.present = False  # the consumer stepped out of the camera's view
    wait_for(qtbot, lambda: screen.status.text() == t(OUT_OF_PICTURE))
    assert t(OUT_OF_PICTURE) in [u.text for u in speech.said]
    shell.room.presence.present = True
    wait_for(qtbot, lambda: screen.status.text() == t("You are in the call."))

    assert shell.staff.audit.waiting() == 0
    tap(qtbot, screen.attendant)
    assert shell.current is screen  # the call goes on
    assert speech.said[-1].text == t(ATTENDANT_CALLED)
    assert shell.staff.audit.waiting() == 1  # for the attendant's panel and the hub
    tap(qtbot, screen.attendant)
    assert shell.staff.audit.waiting() == 1  # asked once a visit
