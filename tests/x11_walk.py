"""The whole consumer's path walked by taps alone on a real X server (run by
tests/test_walk_on_x.py, which starts the X server and runs this module on it).

Every tap goes through the X server (xdotool), as a touch screen's does: the welcome
screen, the largest text size, every question of the complaint (typing on the on-screen
keyboard: Pinyin and its words in Mandarin, letters in English), the review page by page,
send, the printed receipt (its QR code read back), check my case with the receipt
number, and joining the mediation with it.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.enrollment import enroll
from kiosk.hub_client import HubClient
from kiosk.i18n import Translator
from tests import taps
from tests.hubs import HubProcess, enroll_code, running_hub

#: What is typed at each question: (Pinyin keys, the word taken from the bar) in
#: Mandarin; the letters in English.
TYPED = {
    "zh_CN": {
        "item": [("hongcha", "红茶")],
        "merchant_name": [("haoyunlai", "好运来")],
        "merchant_address": [("xingfu", "幸福"), ("lu", "路")],
        "facts_text": [("pingzi", "瓶子"), ("li", "里"), ("you", "有"), ("cangying", "苍蝇")],
        "name": [("zhang", "张"), ("xiu", "秀"), ("ying", "英")],
        "address": [("xingfu", "幸福"), ("xiaoqu", "小区")],
    },
    "en": {
        "item": [("Iced tea", "")],
        "merchant_name": [("Haoyunlai", "")],
        "merchant_address": [("Xingfu Road", "")],
        "facts_text": [("A fly in the bottle", "")],
        "name": [("Zhang Xiuying", "")],
        "address": [("Xingfu Garden", "")],
    },
}
#: The words a person looks for to see the other keys, in either language.
SWITCH = ("Numbers", "Letters", "数字符号", "拼音")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("walk-hub")
    with running_hub(f"sqlite:///{folder / 'hub.sqlite3'}", folder) as running:
        yield running


@pytest.fixture
def kiosk(make_shell: Callable[..., Any], settings: Any, hub: HubProcess) -> Iterator[Any]:
    """An enrolled kiosk, fullscreen at the top left of the X screen, with the room's demo
    devices and its sync to the hub."""
    from ui.fleet import FleetLink
    from ui.room import RoomLink

    enroll(settings.data_dir, HubClient(hub.url), enroll_code(hub))
    shell = make_shell(1920, 1080)
    shell.move(0, 0)
    room = RoomLink.open(dataclasses.replace(settings, recording_limit_seconds=30))
    room.setParent(shell)
    shell.attach_room(room)
    room.start()
    link = FleetLink(dataclasses.replace(settings, devices="real"), shell)
    link.start()
    # Through the X server when the walk runs on one (tests/test_walk_on_x.py); offscreen
    # the same walk taps through Qt's window (to read what went wrong, faster).
    if QApplication.platformName() == "xcb":
        taps.use_finger(taps.x_finger)
    try:
        yield shell
    finally:
        taps.use_finger(taps.qt_finger)
        link.stop()
        room.close()


def answer_by_typing(shell: Any, qtbot: Any, language: str, step: str) -> None:
    """Type the answer to a question on the keys, as the visitor would, and check the box."""
    screen = shell.current
    assert taps.wait_for(lambda: QApplication.focusWidget() is screen.field)
    wanted = ""
    for keys, word in TYPED[language][step]:
        taps.type_keys(shell, keys, switch=SWITCH)
        if word:
            taps.tap_candidate(shell, word, qtbot)
            wanted += word
        else:
            wanted += keys
        qtbot.waitUntil(lambda w=wanted: screen.typed().endswith(w))


def read_qr(pdf: Path, folder: Path) -> str:
    """The text of the QR code printed on a receipt (the PDF rendered, then read)."""
    import cv2

    stem = folder / "receipt"
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-singlefile", str(pdf), str(stem)], check=True
    )
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(f"{stem}.png"))
    return str(text)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_whole_path_by_taps_on_a_real_screen_at_the_largest_text(
    kiosk: Any, qtbot: Any, hub: HubProcess, settings: Any, tmp_path: Path, language: str
) -> None:
    shell = kiosk
    t = Translator(language).gettext

    def step_is(step: str) -> bool:
        return taps.wait_for(lambda: shell.journeys.current_step() == step, 10.0)

    # The welcome screen; the visit's language; the largest text, by the header's button.
    taps.tap_widget(shell.screens["attract"], "the welcome screen")
    if language == "en":
        taps.tap(shell, "English")
    while shell.theme.text_size != 3:
        taps.tap_widget(shell.header.text_size, "the text size button")
    assert shell.theme.body_px == 48

    taps.tap(shell, t("File a complaint"))
    assert step_is("category")
    taps.tap(shell, t("Food safety"))
    assert step_is("channel")
    taps.tap(shell, t("Mini-program or app"))
    for step in ("item", "merchant_name", "merchant_address"):
        assert step_is(step), shell.journeys.current_step()
        answer_by_typing(shell, qtbot, language, step)
        taps.tap(shell, t("Next"))
    assert step_is("when")
    taps.tap(shell, t("Today"))
    assert step_is("facts")
    taps.tap(shell, t("Type instead"))
    assert step_is("facts_text")
    answer_by_typing(shell, qtbot, language, "facts_text")
    taps.tap(shell, t("Next"))
    assert step_is("evidence")
    qtbot.waitUntil(lambda: shell.current.view.shown is not None, timeout=10_000)
    taps.tap(shell, t("Take a photo"))
    taps.tap(shell, t("Keep it"))
    taps.tap(shell, t("Next"))
    assert step_is("remedies")
    taps.tap(shell, t("Money back"))
    taps.tap(shell, t("Next"))
    assert step_is("name")
    answer_by_typing(shell, qtbot, language, "name")
    taps.tap(shell, t("Next"))
    assert step_is("mobile")
    for digit in "13912345678":
        taps.tap(shell, digit)
    taps.tap(shell, t("Next"))
    assert step_is("address")
    answer_by_typing(shell, qtbot, language, "address")
    taps.tap(shell, t("Next"))
    assert step_is("privacy")
    taps.tap(shell, t("I agree"))
    assert step_is("video_consent")
    taps.tap(shell, t("Yes, by video"))
    assert step_is("review")

    # The review, page by page, shows what was typed; then send.
    seen = taps.seen_words(shell)
    while not any(
        t("Send the complaint") in taps.button_words(b) for b in taps.shown_buttons(shell)
    ):
        taps.tap(shell, t("Next page"))
        seen += taps.seen_words(shell)
    for step in ("item", "merchant_name", "name"):
        typed = "".join(word or keys for keys, word in TYPED[language][step])
        assert typed in seen, (typed, seen)
    taps.tap(shell, t("Send the complaint"))
    qtbot.waitUntil(lambda: shell.current.name == "complaint_filed", timeout=15_000)
    number = shell.current.fields["receipt_number"]
    assert number in taps.seen_words(shell)

    # The receipt comes out of the printer, and its QR code opens the case's page.
    qtbot.waitUntil(lambda: shell.current.printing == "printed", timeout=20_000)
    printed = sorted((settings.data_dir / "printed").glob("receipt-*.pdf"))
    assert printed, "nothing was printed"
    assert read_qr(printed[-1], tmp_path) == f"{hub.url}/status/{number}"
    qtbot.waitUntil(lambda: shell.outbox.case_number(number) is not None, timeout=30_000)

    # Check my case, with the receipt number typed on the capitals and digits.
    taps.tap(shell, t("Back to the menu"))
    taps.tap(shell, t("Check my case"))
    taps.tap(shell, t("The number has letters"))
    assert taps.wait_for(lambda: shell.current.name == "text_entry")
    taps.type_keys(shell, number, switch=SWITCH)
    qtbot.waitUntil(lambda: shell.current.typed() == number)
    taps.tap(shell, t("Next"))
    qtbot.waitUntil(lambda: shell.current.name == "case_status", timeout=15_000)
    assert shell.outbox.case_number(number) in taps.seen_words(shell)

    # Join the mediation with what the receipt says: the kiosk waits in the queue.
    taps.tap(shell, t("Back to the menu"))
    taps.tap(shell, t("Join my mediation"))
    taps.tap(shell, t("Type the receipt number"))
    assert taps.wait_for(lambda: shell.current.name == "text_entry")
    taps.type_keys(shell, number, switch=SWITCH)
    qtbot.waitUntil(lambda: shell.current.typed() == number)
    taps.tap(shell, t("Next"))
    qtbot.waitUntil(lambda: shell.current.name == "waiting_room", timeout=15_000)
    # Nobody is logged in at the hub's console: the kiosk says so, and what can be done.
    qtbot.waitUntil(
        lambda: t("No mediator is online just now") in taps.seen_words(shell), timeout=15_000
    )
