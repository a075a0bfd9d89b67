"""The smaller defects an elderly visitor met on the way through a complaint (issue 14,
section 7), each found again by taps at what is drawn: the welcome screen first, then the
steps, as a finger goes (tests/taps.py)."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel

from kiosk.guidance import Transcript
from tests.taps import find_button, seen_words, tap, tap_candidate, tap_widget, type_keys, wait_for

#: The buttons' words in each language, as the consumer reads them.
WORDS = {
    "zh_CN": {
        "complain": "我要投诉",
        "food": "食品安全",
        "mini": "小程序",
        "next": "下一步",
        "today": "今天",
        "another_day": "其他日子",
        "type_instead": "改为打字",
        "photo": "拍照",
        "keep": "保留",
        "camera": "回到摄像头",
        "refund": "退款",
        "agree": "我同意",
        "video_yes": "同意视频调解",
        "next_page": "下一页",
        "send": "提交投诉",
    },
    "en": {
        "complain": "File a complaint",
        "food": "Food safety",
        "mini": "Mini-program",
        "next": "Next",
        "today": "Today",
        "another_day": "Another day",
        "type_instead": "Type instead",
        "photo": "Take a photo",
        "keep": "Keep it",
        "camera": "Back to the camera",
        "refund": "Money back",
        "agree": "I agree",
        "video_yes": "Yes, by video",
        "next_page": "Next page",
        "send": "Send the complaint",
    },
}


@pytest.fixture
def speech() -> Transcript:
    """What the kiosk says, kept to read back."""
    return Transcript()


@pytest.fixture
def shell(make_shell: Callable[..., Any], speech: Transcript) -> Any:
    """A kiosk on its welcome screen, without the room's devices."""
    return make_shell(speech=speech)


@pytest.fixture
def room_shell(make_shell: Callable[..., Any], settings: Any) -> Iterator[Any]:
    """A kiosk with the room's demo devices: camera, microphone, speaker."""
    from ui.room import RoomLink

    shell = make_shell()
    room = RoomLink.open(dataclasses.replace(settings, recording_limit_seconds=30))
    room.setParent(shell)
    shell.attach_room(room)
    room.start()
    try:
        yield shell
    finally:
        room.close()


def begin(shell: Any, language: str = "zh_CN") -> dict[str, str]:
    """Touch the welcome screen, switch language if asked, and start a complaint."""
    tap_widget(shell.screens["attract"], "the welcome screen")
    if language == "en":
        tap(shell, "English")
    w = WORDS[language]
    tap(shell, w["complain"])
    return w


def type_and_go_on(shell: Any, qtbot: Any, language: str, letters: str, word: str = "") -> None:
    """Type an answer on the on-screen keyboard (Pinyin, then the word offered) and touch
    'Next'."""
    type_keys(shell, letters)
    if word:
        tap_candidate(shell, word, qtbot)
    tap(shell, WORDS[language]["next"])


def walk_to(
    shell: Any, qtbot: Any, step: str, language: str = "en", day: str = ""
) -> dict[str, str]:
    """Answer every question by taps, up to the step named (its screen on show); with
    `day` (8 digits), 'when' is answered 'another day', that day."""
    w = begin(shell, language)
    zh = language == "zh_CN"
    another_day = bool(day) or step == "date"
    moves: list[tuple[str, Callable[[], None]]] = [
        ("category", lambda: tap(shell, w["food"])),
        ("channel", lambda: tap(shell, w["mini"])),
        (
            "item",
            lambda: type_and_go_on(shell, qtbot, language, *(("cha", "茶") if zh else ("tea",))),
        ),
        (
            "merchant_name",
            lambda: type_and_go_on(shell, qtbot, language, *(("wang", "王") if zh else ("wang",))),
        ),
        (
            "merchant_address",
            lambda: type_and_go_on(shell, qtbot, language, *(("lu", "路") if zh else ("road",))),
        ),
        ("when", lambda: tap(shell, w["another_day"] if another_day else w["today"])),
        ("date", lambda: (type_digits(shell, day), tap(shell, w["next"]))),
        ("facts", lambda: tap(shell, w["type_instead"])),
        (
            "facts_text",
            lambda: type_and_go_on(shell, qtbot, language, *(("huai", "坏") if zh else ("bad",))),
        ),
        ("evidence", lambda: tap(shell, w["next"])),
        ("remedies", lambda: (tap(shell, w["refund"]), tap(shell, w["next"]))),
        (
            "name",
            lambda: type_and_go_on(shell, qtbot, language, *(("li", "李") if zh else ("li",))),
        ),
        ("mobile", lambda: (type_digits(shell, "13912345678"), tap(shell, w["next"]))),
        (
            "address",
            lambda: type_and_go_on(shell, qtbot, language, *(("lu", "路") if zh else ("road",))),
        ),
        ("privacy", lambda: tap(shell, w["agree"])),
        ("video_consent", lambda: tap(shell, w["video_yes"])),
    ]
    for at, move in moves:
        if at == "date" and not another_day:
            continue
        assert wait_for(lambda at=at: shell.journeys.current_step() == at), (
            at,
            shell.journeys.current_step(),
        )
        if at == step:
            return w
        move()
    assert wait_for(lambda: shell.journeys.current_step() == step), (
        step,
        shell.journeys.current_step(),
    )
    return w


def type_digits(shell: Any, digits: str) -> None:
    """Touch the keys of the large keypad, one digit after another."""
    for digit in digits:
        tap_widget(shell.current.keypad.keys[digit], f"the key {digit}")


def button_at(shell: Any, words: str) -> tuple[int, int]:
    """Where the button that says `words` is drawn in the window (its top left)."""
    button = find_button(shell, words)
    point = button.mapTo(shell, button.rect().topLeft())
    return point.x(), point.y()


def shown_buttons_at(shell: Any) -> dict[str, tuple[int, int, int, int]]:
    """Every button on the screen below the header, by its name: where it is drawn."""
    found = {}
    for button in shell.current.findChildren(QAbstractButton):
        if button.isVisible():
            top_left = button.mapTo(shell, button.rect().topLeft())
            found[button.accessibleName()] = (
                top_left.x(),
                top_left.y(),
                button.width(),
                button.height(),
            )
    return found


# -- the photo step ----------------------------------------------------------------------


def test_back_to_the_camera_stays_on_the_photo_step(room_shell: Any, qtbot: Any) -> None:
    """Looking at a kept photo, 'Back to the camera' shows the live picture again; the
    step is not left (it used to be 'Next' in other words, and answered the step)."""
    shell = room_shell
    w = walk_to(shell, qtbot, "evidence")
    assert wait_for(lambda: shell.current.view is not None and shell.current.view.shown is not None)
    tap(shell, w["photo"])
    tap(shell, w["keep"])
    thumb = next(
        b for b in shell.current.findChildren(QAbstractButton) if b.accessibleName() == "Photo 1"
    )
    tap_widget(thumb, "the kept photo")
    assert "This photo is kept" in seen_words(shell)
    tap(shell, w["camera"])
    assert shell.journeys.current_step() == "evidence"
    assert "Hold it up to the camera" in seen_words(shell)
    assert "1 of 8 photos kept" in seen_words(shell)
    assert find_button(shell, w["photo"]).isVisible()  # the live picture, ready for another


def primary_buttons(shell: Any) -> list[str]:
    """The dark buttons on the screen below the header (the screen's main action)."""
    return [
        b.accessibleName()
        for b in shell.current.findChildren(QAbstractButton)
        if b.isVisible() and b.property("role") == "primary"
    ]


def test_the_photo_step_has_one_dark_button_whatever_it_shows(room_shell: Any, qtbot: Any) -> None:
    """Live picture, a photo just taken, a kept photo looked at: one primary action each."""
    shell = room_shell
    w = walk_to(shell, qtbot, "evidence")
    assert wait_for(lambda: shell.current.view is not None and shell.current.view.shown is not None)
    assert primary_buttons(shell) == [w["photo"]]
    tap(shell, w["photo"])
    assert primary_buttons(shell) == [w["keep"]]  # not 'Keep it' and 'Next' side by side
    tap(shell, w["keep"])
    assert primary_buttons(shell) == [w["next"]]  # a photo kept: going on is the main thing
    thumb = next(
        b for b in shell.current.findChildren(QAbstractButton) if b.accessibleName() == "Photo 1"
    )
    tap_widget(thumb, "the kept photo")
    assert primary_buttons(shell) == [w["camera"]]


# -- what happened, spoken -------------------------------------------------------------


def test_listening_back_shows_that_it_plays_and_can_be_stopped(room_shell: Any, qtbot: Any) -> None:
    """'Listen to it' turns into 'Stop listening' while the recording plays, the screen says
    it is playing, and both go back when it has played; one dark button all along."""
    shell = room_shell
    walk_to(shell, qtbot, "facts")
    assert primary_buttons(shell) == ["Start recording"]  # not 'Start recording' and 'Next'
    tap(shell, "Start recording")
    assert wait_for(lambda: shell.current.take is not None and shell.current.take.seconds > 1.5)
    tap(shell, "Stop")
    assert wait_for(lambda: "Your recording is kept" in seen_words(shell))
    assert primary_buttons(shell) == ["Next"]
    tap(shell, "Listen to it")
    assert "Playing your recording" in seen_words(shell)
    assert find_button(shell, "Stop listening").isVisible()
    assert shell.room.devices.speaker.playing
    # It plays to its end, then the screen says so.
    assert wait_for(lambda: "Your recording is kept" in seen_words(shell), timeout_s=10)
    assert find_button(shell, "Listen to it").isVisible()
    tap(shell, "Listen to it")
    tap(shell, "Stop listening")  # stopped half way
    assert not shell.room.devices.speaker.playing
    assert "Playing your recording" not in seen_words(shell)
    assert find_button(shell, "Listen to it").isVisible()
    assert primary_buttons(shell) == ["Next"]


# -- warnings --------------------------------------------------------------------------


def keypad_at(shell: Any) -> dict[str, tuple[int, int]]:
    """Where each key of the large keypad is drawn."""
    keys = shell.current.keypad.keys
    return {digit: key.mapTo(shell, key.rect().topLeft()).toTuple() for digit, key in keys.items()}


@pytest.mark.parametrize("text_size", [1, 3])
def test_the_mobile_number_warning_goes_with_the_digit_that_makes_it_right(
    make_shell: Callable[..., Any], qtbot: Any, text_size: int
) -> None:
    """Ten digits and 'Next': a warning, and the keypad does not move; the eleventh digit
    takes the warning away at once."""
    shell = make_shell(text_size=text_size)
    w = walk_to(shell, qtbot, "mobile", "zh_CN")
    type_digits(shell, "1391234567")
    keys = keypad_at(shell)
    tap(shell, w["next"])
    warning = "手机号是 11 位。请把剩下的输完。"
    assert warning in seen_words(shell)
    assert keypad_at(shell) == keys  # the keys stayed under the finger
    type_digits(shell, "8")
    assert warning not in seen_words(shell)
    assert keypad_at(shell) == keys
    tap(shell, w["next"])
    assert shell.journeys.current_step() == "address"


def test_the_case_number_warning_does_not_push_the_keypad_down(
    make_shell: Callable[..., Any], qtbot: Any
) -> None:
    """Check my case: a number that is not one brings a warning beside the keypad, never
    above it."""
    shell = make_shell(text_size=3)
    tap_widget(shell.screens["attract"], "the welcome screen")
    tap(shell, "查询办理进度")
    type_digits(shell, "12")
    keys = keypad_at(shell)
    tap(shell, "查询")
    assert "这不是案件号。" in seen_words(shell)
    assert keypad_at(shell) == keys


def test_choose_at_least_one_goes_with_the_first_choice_and_moves_no_card(
    shell: Any, qtbot: Any
) -> None:
    """'Next' with nothing chosen warns; touching a card takes the warning away, and no
    card moves when it comes or goes."""
    w = walk_to(shell, qtbot, "remedies", "zh_CN")
    cards = shown_buttons_at(shell)
    tap(shell, w["next"])
    warning = "请至少选一项。"
    assert warning in seen_words(shell)
    assert shown_buttons_at(shell) == cards
    tap(shell, w["refund"])
    assert warning not in seen_words(shell)
    # The same places (the card touched now says it is chosen).
    assert sorted(shown_buttons_at(shell).values()) == sorted(cards.values())
    tap(shell, w["next"])
    assert shell.journeys.current_step() == "name"


# -- the review ------------------------------------------------------------------------


def test_review_pages_keep_their_buttons_in_place_and_send_comes_after_the_last(
    shell: Any, qtbot: Any
) -> None:
    """'Next page' stays where it is page after page (a second tap never goes back), the
    page count is a label of its own, and 'Send' shows once every page was on screen."""
    w = walk_to(shell, qtbot, "review", "zh_CN")
    counts = [w for w in seen_words(shell).split(" | ") if re.fullmatch(r"第 1 页，共 \d+ 页", w)]
    assert len(counts) == 1, "the page count, on a label of its own"
    pages = int(counts[0].split("共 ")[1].split()[0])
    assert pages >= 3, "a review of several pages"
    assert not [b for b in shown_buttons_at(shell) if "页，共" in b]  # not on a button
    assert "提交投诉" not in shown_buttons_at(shell)
    assert "看完再提交" in seen_words(shell)
    next_at = button_at(shell, w["next_page"])
    for page in range(2, pages + 1):
        # Tapped where 'Next page' was: the same button, the next page.
        tap(shell, w["next_page"])
        assert f"第 {page} 页，共 {pages} 页" in seen_words(shell)
        if page < pages:
            assert button_at(shell, w["next_page"]) == next_at
            assert "提交投诉" not in shown_buttons_at(shell)
    previous_at = button_at(shell, "上一页")
    assert previous_at[0] < next_at[0]
    send_at = button_at(shell, w["send"])
    assert send_at != next_at  # 'Send' never shows where 'Next page' was
    tap(shell, "上一页")
    assert button_at(shell, "上一页") == previous_at
    assert f"第 {pages - 1} 页，共 {pages} 页" in seen_words(shell)
    assert button_at(shell, w["send"]) == send_at  # every page seen: it stays


def test_a_choice_changed_from_the_review_shows_the_one_chosen_before(
    shell: Any, qtbot: Any
) -> None:
    """Touching 'The problem' on the review opens the question with 'Food safety' marked,
    in words and in its frame."""
    w = walk_to(shell, qtbot, "review", "zh_CN")
    tap(shell, "问题：食品安全")
    assert shell.journeys.current_step() == "category"
    card = find_button(shell, w["food"])
    assert "食品安全（已选）" in [label.text() for label in card.findChildren(QLabel)]
    assert card.property("chosen") == "true"  # and a thicker frame
    assert find_button(shell, "商品质量").property("chosen") == "false"
    tap(shell, "商品质量")
    assert shell.journeys.current_step() == "review"
    assert "问题：商品质量" in seen_words(shell)


def a_day_last_week() -> tuple[str, str]:
    """A day three days ago: as typed (8 digits), and as people say it in Mandarin."""
    import datetime as dt

    today = dt.date.today()
    day = today - dt.timedelta(days=3)
    said = f"{day.month}月{day.day}日"
    return day.strftime("%Y%m%d"), said if day.year == today.year else f"{day.year}年{said}"


def test_the_day_typed_is_shown_and_said_as_people_say_it(
    shell: Any, qtbot: Any, speech: Transcript
) -> None:
    """Another day typed as 8 digits: the screen shows and says 11月20日 once it is whole."""
    digits, words = a_day_last_week()
    walk_to(shell, qtbot, "date", "zh_CN")
    type_digits(shell, digits[:7])
    assert words not in seen_words(shell).split(" | ")
    type_digits(shell, digits[7])
    assert words in seen_words(shell).split(" | ")
    assert f"您输入的是 {words}。" in speech.said[-1].text


def test_the_review_says_the_day_as_people_say_it(
    shell: Any, qtbot: Any, speech: Transcript
) -> None:
    """On the review (shown and read aloud): 发生时间：11月20日, never 2026-11-20."""
    digits, words = a_day_last_week()
    w = walk_to(shell, qtbot, "review", "zh_CN", day=digits)
    iso = f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    while f"发生时间：{words}" not in seen_words(shell):
        assert iso not in seen_words(shell)
        tap(shell, w["next_page"])
    assert iso not in seen_words(shell)
    tap(shell, "读给我听")
    assert f"发生时间：{words}" in speech.said[-1].text
    assert iso not in speech.said[-1].text


# -- the header: text size and where am I ----------------------------------------------


def test_text_size_steps_up_and_back_down_and_says_which_size_is_on(shell: Any) -> None:
    """1, 2, 3, then 2, 1: never from the largest straight to the smallest; the button says
    which size is on, in a word, and marks it (one, two or three dots)."""
    tap_widget(shell.screens["attract"], "the welcome screen")
    button = shell.header.text_size
    marks = []
    sizes, words = [], []
    for _ in range(5):
        sizes.append(shell.theme.body_px)
        words.append(button.text_label().text())
        marks.append(button.findChildren(QLabel)[0].pixmap().toImage())
        tap_widget(button, "the text size button")
    assert sizes == [32, 40, 48, 40, 32]
    assert words == ["字体：小", "字体：中", "字体：大", "字体：中", "字体：小"]
    # The mark: one, two or three dots filled, drawn for the size that is on.
    from ui import icons
    from ui.theme import PRIMARY

    for size, mark in zip((1, 2, 3, 2, 1), marks, strict=True):
        others = [
            icons.pixmap(f"text_size_{n}", mark.width(), PRIMARY).toImage() for n in (1, 2, 3)
        ]
        assert mark == others[size - 1]
        assert [mark == other for other in others].count(True) == 1


def test_every_step_shows_and_says_where_the_consumer_is(
    shell: Any, qtbot: Any, speech: Transcript
) -> None:
    """'第 5 步，共 15 步' on every question, shown in the header (nothing below moves for
    it) and said after the question; another way to answer a question keeps its number."""
    w = WORDS["zh_CN"]
    counter = shell.header.place
    tap_widget(shell.screens["attract"], "the welcome screen")
    assert not counter.isVisible()  # the home menu is no step of a journey
    top = shell.stack.mapTo(shell, shell.stack.rect().topLeft()).y()
    tap(shell, w["complain"])
    seen: dict[str, int] = {}

    def check() -> None:
        step = shell.journeys.current_step()
        assert counter.isVisible(), step
        text = counter.text()
        number = int(text.split()[1])
        assert text == f"第 {number} 步\n共 15 步", step
        assert speech.said[-1].text.endswith(f"第 {number} 步，共 15 步。"), step
        assert shell.stack.mapTo(shell, shell.stack.rect().topLeft()).y() == top
        seen[step] = number

    check()  # the first question
    tap(shell, w["food"])
    check()
    tap(shell, w["mini"])
    for letters, word in (("cha", "茶"), ("wang", "王"), ("lu", "路")):
        check()
        type_and_go_on(shell, qtbot, "zh_CN", letters, word)
    check()
    tap(shell, w["another_day"])
    check()  # the day: still the 'when' question
    digits, _words = a_day_last_week()
    type_digits(shell, digits)
    tap(shell, w["next"])
    check()
    tap(shell, w["type_instead"])
    check()  # typed instead of spoken: still 'what happened'
    type_and_go_on(shell, qtbot, "zh_CN", "huai", "坏")
    check()
    tap(shell, w["next"])
    check()
    tap(shell, w["refund"])
    tap(shell, w["next"])
    check()
    type_and_go_on(shell, qtbot, "zh_CN", "li", "李")
    check()
    type_digits(shell, "13912345678")
    tap(shell, w["next"])
    check()
    type_and_go_on(shell, qtbot, "zh_CN", "lu", "路")
    check()
    tap(shell, w["agree"])
    check()
    tap(shell, w["video_yes"])
    check()
    assert seen == {
        "category": 1,
        "channel": 2,
        "item": 3,
        "merchant_name": 4,
        "merchant_address": 5,
        "when": 6,
        "date": 6,
        "facts": 7,
        "facts_text": 7,
        "evidence": 8,
        "remedies": 9,
        "name": 10,
        "mobile": 11,
        "address": 12,
        "privacy": 13,
        "video_consent": 14,
        "review": 15,
    }
    tap(shell, "返回")  # back to a question: its own number again
    check()
    assert shell.journeys.current_step() == "video_consent" and seen["video_consent"] == 14


# -- privacy, and no video ----------------------------------------------------------------


def test_the_privacy_page_says_what_not_agreeing_means_and_offers_that_way(
    shell: Any, qtbot: Any, speech: Transcript
) -> None:
    """'If you do not agree' is on the notice; 'I do not agree' says plainly what follows
    and what is left to do; the notice again, or finish with nothing kept."""
    walk_to(shell, qtbot, "privacy", "zh_CN")
    assert "如果不同意：什么都不发送、不保留。" in seen_words(shell)
    assert "我不同意" in speech.said[-1].text
    tap(shell, "我不同意")
    shown = seen_words(shell)
    assert "投诉不会发送" in shown
    assert "12315" in shown and "呼叫帮助" in shown
    assert "您没有同意，所以投诉不会发送。" in speech.said[-1].text
    assert primary_buttons(shell) == ["结束使用"]
    tap(shell, "再看一遍说明")
    assert "如果不同意：什么都不发送、不保留。" in seen_words(shell)
    assert shell.journeys.current_step() == "privacy"
    tap(shell, "我不同意")
    folder = shell.visit.folder
    answers = shell.visit.answers
    tap(shell, "结束使用")
    assert not folder.exists() and answers == {}  # nothing entered is kept
    assert shell.current.name == "goodbye"


def test_no_video_has_an_icon_of_its_own(shell: Any, qtbot: Any) -> None:
    """'不用视频' shows a camera struck through, not the '•••' of 'something else'."""
    from ui import icons
    from ui.theme import PRIMARY

    walk_to(shell, qtbot, "video_consent", "zh_CN")
    card = find_button(shell, "不用视频")
    drawn = next(label for label in card.findChildren(QLabel) if not label.pixmap().isNull())
    size = drawn.pixmap().width()
    image = drawn.pixmap().toImage()
    assert image != icons.pixmap("other", size, PRIMARY).toImage()
    assert image == icons.pixmap("no_video", size, PRIMARY).toImage()
    assert image != icons.pixmap("video", size, PRIMARY).toImage()


# -- the end of the visit --------------------------------------------------------------


def test_finish_says_goodbye_briefly_then_the_welcome_screen(
    shell: Any, speech: Transcript
) -> None:
    """'结束使用': a goodbye, shown and said in the visitor's language and size, with
    nothing of the visit left; then, on its own, the welcome screen with the room's
    defaults."""
    tap_widget(shell.screens["attract"], "the welcome screen")
    tap(shell, "English")
    tap_widget(shell.header.text_size, "the text size button")
    folder = shell.visit.folder
    tap(shell, "Finish")
    assert shell.current.name == "goodbye"
    assert "Thank you for coming. Goodbye." in seen_words(shell)
    assert speech.said[-1].text == "Thank you for coming. Goodbye."
    assert shell.theme.body_px == 40  # the size they chose, to read it
    assert not folder.exists() and not shell.visit.begun
    from ui.navigation import GOODBYE_MS

    assert wait_for(lambda: shell.current.name == "attract", timeout_s=GOODBYE_MS / 1000 + 3)
    assert "点这里开始" in seen_words(shell)
    assert shell.theme.body_px == 32


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The mediation centre's hub, on loopback."""
    from tests.hubs import running_hub

    folder = tmp_path_factory.mktemp("polish-hub")
    with running_hub(f"sqlite:///{folder / 'hub.sqlite3'}", folder) as running:
        yield running


@pytest.fixture
def enrolled_shell(room_shell: Any, settings: Any, hub: Any) -> Iterator[Any]:
    """A kiosk enrolled with the hub, with the room's demo devices and its sync running."""
    from kiosk.enrollment import enroll
    from kiosk.hub_client import HubClient
    from tests.hubs import enroll_code
    from ui.fleet import FleetLink

    enroll(settings.data_dir, HubClient(hub.url), enroll_code(hub))
    link = FleetLink(dataclasses.replace(settings, devices="real"), room_shell)
    link.start()
    try:
        yield room_shell
    finally:
        link.stop()


def test_after_a_printed_receipt_finish_says_take_your_receipt_goodbye(
    enrolled_shell: Any, qtbot: Any
) -> None:
    """A complaint sent (after every page of the review), its receipt printed, then
    '结束使用': 请带好回执，再见."""
    shell = enrolled_shell
    w = walk_to(shell, qtbot, "review", "zh_CN")
    while "提交投诉" not in shown_buttons_at(shell):
        tap(shell, w["next_page"])
    tap(shell, w["send"])
    assert wait_for(lambda: shell.current.name == "complaint_filed", timeout_s=15)
    assert wait_for(lambda: shell.current.printing == "printed", timeout_s=20)
    tap(shell, "结束使用")
    assert shell.current.name == "goodbye"
    assert "请带好回执，再见。" in seen_words(shell)
    assert shell.room.speech.transcript.said[-1].text == "请带好回执，再见。"


# -- the demo kiosk's voice --------------------------------------------------------------


needs_pulse = pytest.mark.skipif(
    not os.environ.get("PULSE_SERVER"),
    reason="needs the PulseAudio server that make test starts (tools/services/pulseaudio.sh)",
)


@needs_pulse
def test_the_demo_kiosk_is_heard_where_a_sound_server_runs(
    make_shell: Callable[..., Any], settings: Any
) -> None:
    """Demo mode with a sound server: a touch on the welcome screen, and the menu's
    question comes out of the speaker (the room's microphone hears it), as well as
    being written to a file."""
    from devices.audio import PortAudioMicrophone
    from ui.room import RoomLink

    shell = make_shell()
    room = RoomLink.open(dataclasses.replace(settings, demo_aloud=True))  # as `run --demo`
    room.setParent(shell)
    shell.attach_room(room)
    room.start()
    speaker = shell.room.devices.speaker
    ears = PortAudioMicrophone()
    take = ears.record(limit_s=30)
    try:
        assert take.wait_started()
        # The welcome screen's own words first, said to the end.
        assert wait_for(lambda: bool(speaker.played) and not speaker.playing, timeout_s=15)
        played = len(speaker.played)
        take.peak = 0.0
        tap_widget(shell.screens["attract"], "the welcome screen")
        assert wait_for(lambda: len(speaker.played) > played, timeout_s=10)
        assert wait_for(lambda: take.peak > 0.3, timeout_s=10), take.peak
    finally:
        ears.stop()
        room.close()
    assert shell.current.name == "home"


def test_without_a_sound_server_the_demo_speaker_writes_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No PulseAudio or PipeWire to be found: the demo speaker plays nothing aloud."""
    from devices.audio import Sound, sound_server
    from devices.config import DeviceConfig
    from devices.registry import demo_devices

    monkeypatch.delenv("PULSE_SERVER", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert not sound_server()
    devices = demo_devices(DeviceConfig(data_dir=tmp_path, demo=True))
    speaker = devices.speaker
    assert getattr(speaker, "aloud", "missing") is None
    speaker.play(Sound(np.zeros(1600, np.float32), 16000), 70)
    assert (tmp_path / "demo-speaker" / "played-01.wav").is_file()
    (tmp_path / "pulse").mkdir()
    (tmp_path / "pulse" / "native").touch()
    assert sound_server()  # a session's own sound server
    devices.close()


def test_a_new_mediation_time_reads_as_people_say_it() -> None:
    """An adjourned mediation's new time on the outcome screen: 12月3日 14:30."""
    from datetime import datetime

    from kiosk.call_journey import outcome_lines
    from kiosk.i18n import Translator
    from protocol.wire import MediationOutcome, OutcomeResult

    now = datetime.now().astimezone()
    new_time = now.replace(hour=14, minute=30, second=0, microsecond=0)
    outcome = MediationOutcome(result=OutcomeResult.ADJOURNED, new_time=new_time)
    lines = dict(outcome_lines(Translator("zh_CN"), outcome))
    assert lines["新的时间"] == f"{new_time.month}月{new_time.day}日 14:30"
    english = dict(outcome_lines(Translator("en"), outcome))
    assert english["New time"] == f"{new_time.day} {new_time:%B} 14:30"
