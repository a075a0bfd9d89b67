"""A name with a rare character (生僻字) the keyboard lacks: 王𡒄, typed by taps alone (王 in
Pinyin, 𡒄 found by its reading in the character finder), through the whole complaint to
the review, where it draws, and to a real hub, which holds it exactly."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel

from devices.fonts import FONT_FAMILIES
from kiosk.enrollment import enroll
from kiosk.hub_client import HubClient
from kiosk.i18n import Translator
from kiosk.services import FILE_COMPLAINT
from tests.hubs import HubProcess, enroll_code, running_hub
from tests.taps import (
    find_button,
    seen_words,
    tap,
    tap_candidate,
    tap_widget,
    type_keys,
    wait_for,
)
from ui import glyphs
from ui.screens.text_entry import CANT_FIND

NAME = "王𡒄"
zh = Translator("zh_CN").gettext


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("rare-name-hub")
    with running_hub(f"sqlite:///{folder / 'hub.sqlite3'}", folder) as running:
        yield running


@pytest.fixture
def kiosk(make_shell, qtbot, settings, hub: HubProcess) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """An enrolled kiosk with the room's demo devices, syncing with the hub."""
    from ui.fleet import FleetLink
    from ui.room import RoomLink

    enroll(settings.data_dir, HubClient(hub.url), enroll_code(hub))
    shell = make_shell()
    room = RoomLink.open(settings)
    room.setParent(shell)
    shell.attach_room(room)
    room.start()
    link = FleetLink(dataclasses.replace(settings, devices="real"), shell)
    link.start()
    try:
        yield shell
    finally:
        link.stop()
        room.close()


def typed(shell: Any) -> str:
    """What the text box on screen holds."""
    return str(shell.current.typed())


def type_word(shell: Any, qtbot: Any, keys: str, word: str) -> None:
    """Type Pinyin on the on-screen keyboard and tap the word among the candidates."""
    before = typed(shell)
    type_keys(shell, keys)
    settled_candidates(shell, word)
    tap_candidate(shell, word, qtbot)
    if not wait_for(lambda: typed(shell) == before + word):
        raise AssertionError(
            f"typed {typed(shell)!r}, not {before + word!r}; offered {_offered_words(shell)}"
        )


def settled_candidates(shell: Any, word: str) -> None:
    """Wait until `word` is offered and the candidates have stood still for a moment: the
    list lays its words out over a few frames, and a finger aims at where they stay."""
    seen: list[tuple[float, object]] = []

    def still() -> bool:
        places = [(w, item.x(), item.width()) for w, item in _offered(shell)]
        now = time.monotonic()
        if not seen or seen[-1][1] != places:
            seen.append((now, places))
        return word in [w for w, *_ in places] and now - seen[-1][0] > 0.2

    if not wait_for(still):
        raise AssertionError(f"{word!r} is not offered; the keyboard offers {seen[-1:]}")


def _offered_words(shell: Any) -> list[str]:
    return [w for w, _ in _offered(shell)]


def next_step(shell: Any, qtbot: Any) -> None:
    """Tap 'Next' and wait for the next question."""
    step = shell.current_step()
    tap(shell, zh("Next"))
    qtbot.waitUntil(lambda: shell.current_step() != step, timeout=5000)


def label_showing(shell: Any, words: str) -> QLabel:
    """The visible label whose text holds `words`."""
    for label in shell.findChildren(QLabel):
        if label.isVisible() and words in label.text():
            return label
    raise AssertionError(f"{words!r} is not on screen: {seen_words(shell)}")


def drawn_with_kiosk_fonts(text: str, label: QLabel) -> list[str]:
    """What of `text` the label would draw as an empty box, or with a font that is not
    one of the kiosk's own (a font the appliance may not have)."""
    wrong = glyphs.missing(text, label.font())
    for character in text:
        for family, _glyphs in glyphs.glyph_fonts(character, label.font()):
            if family not in FONT_FAMILIES:
                wrong.append(f"{character} in {family}")
    return wrong


def test_a_rare_name_is_entered_by_taps_and_reaches_the_hub_exactly(
    kiosk: Any, qtbot: Any, hub: HubProcess
) -> None:
    shell = kiosk
    # The visit starts as a consumer starts it: a tap on the welcome screen, then the menu.
    assert shell.current.name == "attract"
    tap(shell, zh("Touch here to start"))
    tap(shell, zh(FILE_COMPLAINT))
    qtbot.waitUntil(lambda: shell.current_step() == "category", timeout=5000)
    tap(shell, "食品安全")
    tap(shell, "小程序")
    qtbot.waitUntil(lambda: shell.current_step() == "item", timeout=5000)
    type_word(shell, qtbot, "hongcha", "红茶")
    next_step(shell, qtbot)
    type_word(shell, qtbot, "haoyunlai", "好运来")
    next_step(shell, qtbot)
    type_word(shell, qtbot, "xingfulu", "幸福路")
    next_step(shell, qtbot)
    tap(shell, "今天")
    qtbot.waitUntil(lambda: shell.current_step() == "facts", timeout=5000)
    tap(shell, zh("Type instead"))
    qtbot.waitUntil(lambda: shell.current_step() == "facts_text", timeout=5000)
    type_word(shell, qtbot, "pingzi", "瓶子")
    next_step(shell, qtbot)
    assert shell.current_step() == "evidence"
    next_step(shell, qtbot)
    tap(shell, "退款")
    next_step(shell, qtbot)

    # The name: 王 from the keyboard's Pinyin; 𡒄 is not among its candidates.
    assert shell.current_step() == "name"
    type_word(shell, qtbot, "wang", "王")
    type_keys(shell, "lan")
    settled_candidates(shell, "览")
    assert "𡒄" not in _offered_words(shell)
    tap_key_named(shell, zh("Backspace"), "lan")
    # So the consumer asks for the finder, and types the reading there.
    tap(shell, zh(CANT_FIND))
    assert shell.current.name == "character_finder"
    assert shell.current_step() == "name"  # the step counter stays on the name
    type_keys(shell, "lan")
    qtbot.waitUntil(lambda: shell.current.reading.text() == "lan", timeout=5000)
    tap(shell, zh("Show the characters"))
    qtbot.waitUntil(lambda: zh("Part") in _button_words(shell), timeout=10_000)
    # Narrowed by its part: the earth radical 土; then 𡒄 is on the first page.
    tap(shell, zh("Part"))
    tap_cell(shell, "土")
    qtbot.waitUntil(lambda: zh("Part: {part}").format(part="土") in _button_words(shell))
    cell = find_button(shell, "𡒄")
    assert cell.height() >= 88 and cell.width() >= 88
    big = next(label for label in cell.findChildren(QLabel) if label.text() == "𡒄")
    assert big.font().pixelSize() >= 2 * shell.theme.body_px  # large enough to recognise
    assert drawn_with_kiosk_fonts("𡒄", big) == []
    tap_widget(cell, "the character 𡒄")

    # Back on the name, with 王 kept and 𡒄 where the cursor was.
    qtbot.waitUntil(lambda: shell.current.name == "text_entry", timeout=5000)
    assert typed(shell) == NAME
    assert drawn_with_kiosk_fonts(NAME, shell.current.field) == []
    assert zh("Some characters may not show clearly") not in seen_words(shell)
    next_step(shell, qtbot)

    assert shell.current.name == "number_entry"
    for digit in "13912345678":
        tap(shell, digit)
    next_step(shell, qtbot)
    assert shell.current_step() == "address"
    if not typed(shell):
        type_word(shell, qtbot, "xingfu", "幸福")
    next_step(shell, qtbot)
    tap(shell, zh("I agree"))
    qtbot.waitUntil(lambda: shell.current_step() == "video_consent", timeout=5000)
    tap(shell, "同意视频调解")
    qtbot.waitUntil(lambda: shell.current.name == "review", timeout=5000)

    # The review shows the name as typed, drawn in the kiosk's fonts.
    for _page in range(6):
        if NAME in seen_words(shell):
            break
        tap(shell, "下一页")
    assert f"{zh('Your name')}：{NAME}" in seen_words(shell) or NAME in seen_words(shell)
    assert drawn_with_kiosk_fonts(NAME, label_showing(shell, NAME)) == []
    for _page in range(6):
        if "提交投诉" in _button_words(shell):
            break
        tap(shell, "下一页")
    tap(shell, "提交投诉")
    qtbot.waitUntil(lambda: shell.current.name == "complaint_filed", timeout=10_000)
    number = shell.current.fields["receipt_number"]

    # The hub holds the name exactly as the consumer entered it.
    qtbot.waitUntil(lambda: shell.outbox.case_number(number) is not None, timeout=30_000)
    db = sqlite3.connect(hub.db.removeprefix("sqlite:///"))
    (body,) = db.execute(
        "SELECT body FROM complaints WHERE receipt_number = ?", (number,)
    ).fetchone()
    assert json.loads(body)["complainant"]["name"] == NAME


def _button_words(shell: Any) -> str:
    from tests.taps import button_words, shown_buttons

    return " | ".join(button_words(b) for b in shown_buttons(shell))


def _offered(shell: Any) -> list[tuple[str, Any]]:
    from tests.taps import candidates

    return candidates(shell)


def tap_cell(shell: Any, shape: str) -> None:
    """Tap the cell of the finder's grid that shows `shape` big (a radical, a character)."""
    for button in shell.findChildren(QAbstractButton):
        labels = [label.text() for label in button.findChildren(QLabel) if label.isVisible()]
        if button.isVisible() and labels[:1] == [shape]:
            tap_widget(button, f"the cell {shape!r}")
            return
    raise AssertionError(f"no cell {shape!r}: {_button_words(shell)}")


def tap_key_named(shell: Any, _name: str, letters: str) -> None:
    """Rub out what was typed for `letters` with the keyboard's backspace key."""
    from PySide6.QtCore import Qt

    from tests.taps import find_key_by_code, item_centre, keyboard_on_screen, tap_point, window_of

    keyboard = keyboard_on_screen(shell)
    for _letter in letters:
        key = find_key_by_code(keyboard, Qt.Key.Key_Backspace)
        tap_point(window_of(keyboard), item_centre(keyboard, key), keyboard, "backspace")
    wait_for(lambda: not _offered(shell))
