"""A name with a rare character (生僻字) the keyboard lacks: 王𡒄, typed by taps alone (王 in
Pinyin, 𡒄 found by its reading in the character finder), through the whole complaint to
the review, where it draws, and to a real hub, which holds it exactly."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from kiosk.enrollment import enroll
from kiosk.hub_client import HubClient
from tests.hubs import HubProcess, enroll_code, running_hub
from tests.rare_taps import (
    buttons_now,
    drawn_with_kiosk_fonts,
    label_showing,
    next_step,
    no_old_keyboard,
    offered_words,
    rub_out,
    settled_candidates,
    tap_cell,
    type_word,
    typed,
    walk_to_name,
    zh,
)
from tests.taps import find_button, seen_words, tap, tap_widget, type_keys
from ui.screens.text_entry import CANT_FIND, UNSHOWN

NAME = "王𡒄"


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
    no_old_keyboard()
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


def test_a_rare_name_is_entered_by_taps_and_reaches_the_hub_exactly(
    kiosk: Any, qtbot: Any, hub: HubProcess
) -> None:
    shell = kiosk
    # The visit starts as a consumer starts it: a tap on the welcome screen, then the menu.
    walk_to_name(shell, qtbot)

    # The name: 王 from the keyboard's Pinyin; 𡒄 is not among its candidates.
    assert shell.journeys.current_step() == "name"
    type_word(shell, qtbot, "wang", "王")
    type_keys(shell, "lan")
    settled_candidates(shell, "览")
    assert "𡒄" not in offered_words(shell)
    rub_out(shell, 3)
    assert typed(shell) == "王"
    # So the consumer asks for the finder, and types the reading there.
    tap(shell, zh(CANT_FIND))
    assert shell.current.name == "character_finder"
    assert shell.journeys.current_step() == "name"  # the step counter stays on the name
    type_keys(shell, "lan")
    qtbot.waitUntil(lambda: shell.current.reading.text() == "lan", timeout=5000)
    tap(shell, zh("Show the characters"))
    qtbot.waitUntil(lambda: zh("Part") in buttons_now(shell), timeout=10_000)
    # Narrowed by its part: the earth radical 土; then 𡒄 is on the first page.
    tap(shell, zh("Part"))
    tap_cell(shell, "土")
    qtbot.waitUntil(lambda: zh("Part: {part}").format(part="土") in buttons_now(shell))
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
    assert zh(UNSHOWN) not in seen_words(shell)  # no "may not show clearly" note
    next_step(shell, qtbot)

    assert shell.current.name == "number_entry"
    for digit in "13912345678":
        tap(shell, digit)
    next_step(shell, qtbot)
    assert shell.journeys.current_step() == "address"
    if not typed(shell):
        type_word(shell, qtbot, "xingfu", "幸福")
    next_step(shell, qtbot)
    tap(shell, zh("I agree"))
    qtbot.waitUntil(lambda: shell.journeys.current_step() == "video_consent", timeout=5000)
    tap(shell, "同意视频调解")
    qtbot.waitUntil(lambda: shell.current.name == "review", timeout=5000)

    # The review shows the name as typed, drawn in the kiosk's fonts.
    for _page in range(6):
        if NAME in seen_words(shell):
            break
        tap(shell, "下一页")
    assert NAME in seen_words(shell)
    assert drawn_with_kiosk_fonts(NAME, label_showing(shell, NAME)) == []
    for _page in range(6):
        if "提交投诉" in buttons_now(shell):
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
