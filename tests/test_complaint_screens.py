"""The consumer's whole complaint, tapped through on the real screens with the room's fake
camera, microphone and printer, in both languages; then the complaint as the real hub
holds it, and the printed receipt whose QR code opens the case."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from kiosk.enrollment import enroll, load_credential
from kiosk.hub_client import HubClient
from tests.hubs import HubProcess, enroll_code, running_hub


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("complaint-hub")
    with running_hub(f"sqlite:///{folder / 'hub.sqlite3'}", folder) as running:
        yield running


@pytest.fixture
def kiosk(make_shell, qtbot, settings, hub: HubProcess) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """An enrolled kiosk with the room's demo devices and its sync to the hub running."""
    from ui.fleet import FleetLink
    from ui.room import RoomLink

    enroll(settings.data_dir, HubClient(hub.url), enroll_code(hub))
    shell = make_shell()
    room = RoomLink.open(dataclasses.replace(settings, recording_limit_seconds=30))
    room.setParent(shell)
    shell.attach_room(room)
    room.start()
    # The sync as the kiosk runs it (not demo mode: the test's hub is the hub).
    link = FleetLink(dataclasses.replace(settings, devices="real"), shell)
    link.start()
    try:
        yield shell
    finally:
        link.stop()
        room.close()


def labels(shell: Any) -> str:
    """Every word on screen."""
    words = [w.text() for w in shell.current.findChildren(QLabel) if w.isVisibleTo(shell)]
    return " | ".join(w for w in words if w)


def tap(qtbot: Any, shell: Any, words: str) -> None:
    """Touch the visible button whose name holds these words."""
    for button in shell.current.findChildren(QAbstractButton):
        if button.isVisibleTo(shell) and words in button.accessibleName():
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            return
    names = [b.accessibleName() for b in shell.current.findChildren(QAbstractButton)]
    raise AssertionError(f"no button {words!r} on {shell.current.name}: {names}")


def type_in(qtbot: Any, shell: Any, keys: str, pick: str = "") -> None:
    """Type by tapping the on-screen keyboard's keys; with `pick`, tap that Pinyin word."""
    from tests.taps import tap_candidate, type_keys

    screen = shell.current
    assert screen.name == "text_entry"
    # A finger reaches the keys after the screen is up: the box has the keys' focus.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.field)
    before = screen.typed()
    type_keys(shell, keys, switch=("数字符号", "拼音", "Numbers", "Letters"))
    if pick:
        tap_candidate(shell, pick, qtbot)
        qtbot.waitUntil(lambda: screen.typed() == before + pick)


WORDS = {
    "zh_CN": {
        "food": "食品安全",
        "mini": "小程序",
        "next": "下一步",
        "photo": "拍照",
        "keep": "保留",
        "record": "开始录音",
        "stop": "停止",
        "listen": "听一听",
        "refund": "退款",
        "apology": "道歉",
        "agree": "我同意",
        "video": "同意视频调解",
        "send": "提交投诉",
        "next_page": "下一页",
        "saved": "您的投诉已保存",
        "take": "请从打印机取走回执",
    },
    "en": {
        "food": "Food safety",
        "mini": "Mini-program",
        "next": "Next",
        "photo": "Take a photo",
        "keep": "Keep it",
        "record": "Start recording",
        "stop": "Stop",
        "listen": "Listen",
        "refund": "Money back",
        "apology": "apology",
        "agree": "I agree",
        "video": "Yes, by video",
        "send": "Send the complaint",
        "next_page": "Next page",
        "saved": "Your complaint is saved",
        "take": "take your receipt",
    },
}


def qr_text(pdf: Path, folder: Path) -> str:
    """The text of the QR code printed on a receipt (the PDF rendered, then read)."""
    import cv2

    stem = folder / "receipt"
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-singlefile", str(pdf), str(stem)], check=True
    )
    image = cv2.imread(f"{stem}.png")
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return str(text)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_complaint_tapped_through_reaches_the_hub_and_prints_its_receipt(
    kiosk: Any, qtbot: Any, hub: HubProcess, settings: Any, tmp_path: Path, language: str
) -> None:
    shell, w = kiosk, WORDS[language]
    shell.nav.begin()
    shell.set_language(language)
    shell.nav.open("file_complaint")
    qtbot.waitUntil(lambda: shell.room_settings is not None, timeout=10_000)
    # The room's community address, as the hub would set it for the room.
    shell.apply_room(shell.room_settings.model_copy(update={"address": "幸福社区 3 号楼"}))
    shell.nav.open("file_complaint")

    tap(qtbot, shell, w["food"])
    tap(qtbot, shell, w["mini"])
    if language == "zh_CN":
        type_in(qtbot, shell, "hongcha", pick="红茶")
        assert shell.current.typed() == "红茶"
    else:
        type_in(qtbot, shell, "iced tea")
    tap(qtbot, shell, w["next"])
    # The seller: typed name, then the sign photographed instead of typing the address.
    type_in(
        qtbot,
        shell,
        "haoyunlai" if language == "zh_CN" else "Haoyunlai",
        pick="好运来" if language == "zh_CN" else "",
    )
    tap(qtbot, shell, w["next"])
    assert shell.journeys.current_step() == "merchant_address"
    tap(qtbot, shell, w["photo"])
    assert shell.current.name == "photos"
    qtbot.waitUntil(lambda: shell.current.view.shown is not None, timeout=10_000)
    tap(qtbot, shell, w["photo"])
    tap(qtbot, shell, w["keep"])
    tap(qtbot, shell, w["next"])
    # The photo answers the question: on to the next one.
    assert shell.journeys.current_step() == "when"
    tap(qtbot, shell, "今天" if language == "zh_CN" else "Today")

    # What happened, spoken into the room microphone, then heard back.
    assert shell.current.name == "recording"
    tap(qtbot, shell, w["record"])
    qtbot.waitUntil(
        lambda: shell.current.take is not None and shell.current.take.seconds > 2.5, timeout=10_000
    )
    tap(qtbot, shell, w["stop"])
    qtbot.waitUntil(lambda: shell.current.state == "recorded", timeout=10_000)
    speaker = shell.room.devices.speaker
    tap(qtbot, shell, w["listen"])
    # The recording itself came out of the speaker: as long as what was recorded.
    from devices.audio import read_wav

    assert speaker.playing
    heard = read_wav(speaker.played[-1])
    assert abs(heard.seconds - shell.current.seconds) < 0.3
    tap(qtbot, shell, w["next"])

    # Evidence: two photos of the product.
    assert shell.journeys.current_step() == "evidence"
    for _ in range(2):
        tap(qtbot, shell, w["photo"])
        tap(qtbot, shell, w["keep"])
        qtbot.wait(120)  # the next frame of the video
    assert len(shell.current.kept) == 2
    tap(qtbot, shell, w["next"])

    tap(qtbot, shell, w["refund"])
    tap(qtbot, shell, w["apology"])
    tap(qtbot, shell, w["next"])
    if language == "zh_CN":
        type_in(qtbot, shell, "zhang", pick="张")
        type_in(qtbot, shell, "xiu", pick="秀")
        type_in(qtbot, shell, "ying", pick="英")
        assert shell.current.typed() == "张秀英"
    else:
        type_in(qtbot, shell, "Zhang Xiuying")
    tap(qtbot, shell, w["next"])
    assert shell.current.name == "number_entry"
    for digit in "13912345678":
        qtbot.mouseClick(shell.current.keypad.keys[digit], Qt.MouseButton.LeftButton)
    tap(qtbot, shell, w["next"])
    # The address: the room's community address is filled in, to be changed.
    assert shell.current.typed() == "幸福社区 3 号楼"
    type_in(qtbot, shell, " 2")
    tap(qtbot, shell, w["next"])
    assert shell.current.name == "privacy"
    tap(qtbot, shell, w["agree"])
    assert shell.journeys.current_step() == "video_consent"
    tap(qtbot, shell, w["video"])
    assert shell.current.name == "review"
    assert shell.current.missing == []

    # What the consumer made at the kiosk, to find on the hub byte for byte.
    answers = shell.visit.answers["file_complaint"]
    made = {
        hashlib.sha256(Path(path).read_bytes()).hexdigest()
        for path in [
            *answers["merchant_photo"]["photos"],
            *answers["evidence"]["photos"],
            answers["facts"]["recording"],
        ]
    }
    # 'Send' shows once every page of the review has been on screen.
    while not shell.current.send.isVisibleTo(shell):
        tap(qtbot, shell, w["next_page"])
    tap(qtbot, shell, w["send"])
    if shell.current.name == "review":
        tap(qtbot, shell, w["send"])  # a double tap
    qtbot.waitUntil(lambda: shell.current.name == "complaint_filed", timeout=10_000)
    assert w["saved"] in labels(shell)
    qtbot.waitUntil(lambda: shell.current.printing == "printed", timeout=15_000)
    assert w["take"] in labels(shell)
    number = shell.current.fields["receipt_number"]
    assert number in labels(shell)

    # The printed receipt: its QR code opens the case's status page.
    printed = sorted((settings.data_dir / "printed").glob("receipt-*.pdf"))
    assert printed, "nothing was printed"
    assert qr_text(printed[-1], tmp_path) == f"{hub.url}/status/{number}"

    # The hub holds the complaint, its photos and its recording, exactly once.
    credential = load_credential(settings.data_dir)
    assert credential is not None
    client = HubClient(hub.url, credential.secret)
    qtbot.waitUntil(lambda: shell.outbox.case_number(number) is not None, timeout=30_000)
    db = sqlite3.connect(hub.db.removeprefix("sqlite:///"))
    rows = db.execute(
        "SELECT uuid, body, case_number FROM complaints WHERE receipt_number = ?", (number,)
    ).fetchall()
    assert len(rows) == 1
    uuid, body_text, case_number = rows[0]
    body = json.loads(body_text)
    assert body["category"] == "food_safety"
    assert body["purchase"]["channel"] == "mini_program"
    assert body["purchase"]["item"] == ("红茶" if language == "zh_CN" else "iced tea")
    assert body["merchant"]["name"] == ("好运来" if language == "zh_CN" else "Haoyunlai")
    assert body["merchant"]["photographed"] is True
    assert body["remedies"] == ["refund", "apology"]
    assert body["complainant"]["mobile"] == "13912345678"
    assert body["complainant"]["address"] == "幸福社区 3 号楼 2"
    assert body["consent"] == {"processing": True, "video_mediation": True}
    assert body["language"] == language
    files = db.execute(
        "SELECT content_type, data FROM attachments WHERE complaint_uuid = ?", (uuid,)
    ).fetchall()
    assert {hashlib.sha256(data).hexdigest() for _type, data in files} == made
    for content_type, data in files:
        assert data.startswith(b"OggS" if content_type == "audio/ogg" else b"\xff\xd8\xff")
    voice = next(data for content_type, data in files if content_type == "audio/ogg")
    voice_file = tmp_path / "voice.ogg"
    voice_file.write_bytes(voice)
    from devices.audio import load_recording

    assert load_recording(voice_file).seconds > 2.0
    assert client.case(number).case_number == case_number

    # Check my case: the case number typed on the keypad; the hub's status, shown and said.
    shell.nav.home()
    shell.nav.open("check_case")
    assert shell.current.name == "case_lookup"
    for digit in case_number.replace("-", ""):
        qtbot.mouseClick(shell.current.keypad.keys[digit], Qt.MouseButton.LeftButton)
    tap(qtbot, shell, "查询" if language == "zh_CN" else "Look it up")
    qtbot.waitUntil(lambda: shell.current.name == "case_status", timeout=10_000)
    shown = labels(shell)
    assert case_number in shown
    received = "正在等待受理" if language == "zh_CN" else "waiting to be accepted"
    assert received in shown
    assert received in shell.room.speech.transcript.said[-1].text

    # The visit ends: nothing of it is left for the next person.
    folder = shell.visit.folder
    shell.nav.finish()
    assert not folder.exists()
    shell.nav.begin()
    shell.nav.open("file_complaint")
    assert shell.current.name == "choice" and shell.current.fields["selected"] == []


def test_when_the_printer_cannot_print_the_receipt_shows_as_its_qr_code(
    make_shell, qtbot, settings
) -> None:  # type: ignore[no-untyped-def]
    import cv2
    import numpy as np

    from kiosk.complaint_journey import FileComplaint
    from kiosk.desk import KioskDesk
    from kiosk.outbox import LocalReceipt
    from protocol.wire import MediationHours, RoomSettings
    from ui.room import RoomLink

    class ClosedDesk(KioskDesk):
        """The kiosk's desk, its hub at hub.test, in a room with no mediators today."""

        def status_url(self, receipt_number: str) -> str:
            return f"http://hub.test/status/{receipt_number}"

        def room(self) -> RoomSettings:
            tomorrow = datetime.now().isoweekday() % 7 + 1
            hours = MediationHours(weekday=tomorrow, opens=time(9), closes=time(17))
            return RoomSettings(room_code="R0001", room_name="幸福社区", mediation_hours=[hours])

    shell = make_shell()
    room = RoomLink.open(dataclasses.replace(settings, device_faults="printer-offline"))
    room.setParent(shell)
    shell.attach_room(room)
    try:
        shell.nav.begin()
        number = "R0001K1-261128-001-7"
        url = f"http://hub.test/status/{number}"
        # The complaint journey just as its complaint is kept: its receipt's step.
        journey = FileComplaint(
            shell.visit,
            ClosedDesk(settings.data_dir, lambda: None, lambda: None, settings=lambda: settings),
        )
        journey.kept(LocalReceipt("0" * 32, number, datetime.now().astimezone()), "张秀英")
        journey.first_step = "receipt"
        shell.journeys.start(journey)
        screen = shell.current
        qtbot.waitUntil(lambda: screen.printing == "failed", timeout=10_000)
        assert "打印机暂时不能打印" in labels(shell)
        assert "现在参加调解" not in labels(shell)  # no mediators now: not offered
        # The code on the screen opens the case's page.
        image = screen.code.pixmap().toImage().convertToFormat(QImage.Format.Format_RGB32)
        pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)
        gray = cv2.cvtColor(
            np.ascontiguousarray(pixels[:, : image.width(), :3]), cv2.COLOR_BGR2GRAY
        )
        framed = cv2.copyMakeBorder(gray, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
        assert cv2.QRCodeDetector().detectAndDecode(framed)[0] == url
    finally:
        room.close()
