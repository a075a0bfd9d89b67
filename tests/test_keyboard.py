"""The on-screen keyboard as a finger meets it: every key tapped at the place it is drawn.

The keys type into the box (a tap never takes the focus from it), the Pinyin being
composed shows in the box, a word is taken from the bar, backspace takes back, capitals and
digits type a receipt number; and every key of every layout, in both languages and at every
text size, is on screen, a touch target with its gap, and labelled in the visit's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.settings import TEXT_SIZES
from tests import taps
from tests.test_accessibility import SCREEN_SIZES, _rect_in_shell, keyboard_problems

DIGITS_KEY = {"zh_CN": "数字符号", "en": "Numbers"}
LETTERS_KEY = {"zh_CN": "拼音", "en": "Letters"}
OTHER_KEYBOARD = {"zh_CN": "英文", "en": "Pinyin"}
BACKSPACE = {"zh_CN": "删除", "en": "Delete"}


def start(shell: Any, language: str) -> None:
    """From the welcome screen, by taps: the visit's language, then 'file a complaint'."""
    taps.tap_widget(shell.current, "the welcome screen")
    if language == "en":
        taps.tap(shell, "English")
    taps.tap(shell, "我要投诉" if language == "zh_CN" else "File a complaint")


def to_the_item_question(shell: Any, language: str) -> Any:
    """Tap through to 'what did you buy?': the first question answered by typing."""
    start(shell, language)
    taps.tap(shell, "食品安全" if language == "zh_CN" else "Food safety")
    taps.tap(shell, "小程序" if language == "zh_CN" else "Mini-program")
    assert taps.wait_for(lambda: shell.current.name == "text_entry")
    screen = shell.current
    assert taps.wait_for(lambda: QApplication.focusWidget() is screen.field)
    return screen


def box_text(screen: Any) -> str:
    """What the box shows, with what is being composed in it."""
    return screen.field.displayText() if not screen.multiline else screen.box.toPlainText()


def test_a_tap_on_a_key_types_into_the_box_and_leaves_it_the_focus(make_shell, qtbot) -> None:  # type: ignore[no-untyped-def]
    shell = make_shell()
    screen = to_the_item_question(shell, "en")
    taps.type_keys(shell, "tea")
    assert QApplication.focusWidget() is screen.line
    qtbot.waitUntil(lambda: screen.typed().lower() == "tea")


def test_pinyin_shows_in_the_box_as_it_is_composed_and_a_word_is_taken_from_the_bar(
    make_shell, qtbot
) -> None:  # type: ignore[no-untyped-def]
    shell = make_shell()
    screen = to_the_item_question(shell, "zh_CN")
    composing = ComposedText(screen.line)
    taps.type_keys(shell, "hong")
    # Composed, not yet chosen: the box draws the letters (Qt's pre-edit text, underlined),
    # and the words they make are offered above the keys.
    qtbot.waitUntil(lambda: composing.shown == "hong")
    assert screen.typed() == ""
    offered = [word for word, _item in taps.candidates(shell)]
    assert "红" in offered
    taps.type_keys(shell, "cha")
    taps.tap_candidate(shell, "红茶", qtbot)
    qtbot.waitUntil(lambda: screen.typed() == "红茶")
    # Backspace takes back the last character.
    taps.tap_key(shell, BACKSPACE["zh_CN"])
    qtbot.waitUntil(lambda: screen.typed() == "红")
    taps.type_keys(shell, "cha")
    taps.tap_candidate(shell, "茶", qtbot)
    qtbot.waitUntil(lambda: screen.typed() == "红茶")


class ComposedText(QObject):
    """What a text box is told to draw as being composed (the Pinyin not yet a word)."""

    def __init__(self, box: QWidget) -> None:
        super().__init__(box)
        self.shown = ""
        box.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Note the pre-edit text of every input method event the box gets."""
        if isinstance(event, QInputMethodEvent):
            self.shown = event.preeditString()
        return False


def test_more_words_pages_the_bar_without_a_swipe(make_shell, qtbot) -> None:  # type: ignore[no-untyped-def]
    shell = make_shell()
    to_the_item_question(shell, "zh_CN")
    taps.type_keys(shell, "shi")
    qtbot.waitUntil(lambda: bool(taps.candidates(shell)))
    first = [word for word, _item in taps.candidates(shell)]
    taps.tap_words_button(shell, "more")
    qtbot.waitUntil(lambda: [w for w, _ in taps.candidates(shell)] != first)
    second = [word for word, _item in taps.candidates(shell)]
    assert not set(first) & set(second), "the next page repeats words"
    taps.tap_words_button(shell, "previous")
    qtbot.waitUntil(lambda: [w for w, _ in taps.candidates(shell)] == first)


def test_digits_signs_and_english_letters_are_a_tap_away(make_shell, qtbot) -> None:  # type: ignore[no-untyped-def]
    shell = make_shell()
    screen = to_the_item_question(shell, "zh_CN")
    taps.tap_key(shell, DIGITS_KEY["zh_CN"])
    taps.type_keys(shell, "3")
    taps.tap_key(shell, LETTERS_KEY["zh_CN"])
    taps.tap_key(shell, OTHER_KEYBOARD["zh_CN"])
    taps.type_keys(shell, "OPPO")
    qtbot.waitUntil(lambda: screen.typed() == "3OPPO")
    taps.tap_key(shell, BACKSPACE["zh_CN"])  # the keys speak the visit's language
    qtbot.waitUntil(lambda: screen.typed() == "3OPP")


def test_english_is_typed_with_capitals_and_spaces(make_shell, qtbot) -> None:  # type: ignore[no-untyped-def]
    shell = make_shell()
    screen = to_the_item_question(shell, "en")
    taps.type_keys(shell, "Iced tea 2", switch=("Numbers",))  # the 2 is behind 'Numbers'
    qtbot.waitUntil(lambda: screen.typed() == "Iced tea 2")


def test_the_receipt_number_box_types_capitals_and_digits(make_shell, qtbot) -> None:  # type: ignore[no-untyped-def]
    shell = make_shell()
    taps.tap_widget(shell.current, "the welcome screen")
    taps.tap(shell, "查询办理进度")
    taps.tap(shell, "号码里有字母")
    assert taps.wait_for(lambda: shell.current.name == "text_entry")
    screen = shell.current
    keyboard = taps.keyboard_on_screen(shell)
    taps.wait_for(lambda: bool(taps.keys(keyboard)))
    labels = [taps.key_label(key) for key in taps.keys(keyboard)]
    # Digits, the dash and capitals on the keys; no Pinyin words to offer.
    for wanted in ("1", "0", "-", "R", "K"):
        assert wanted in labels, labels
    assert not taps.candidates(shell)
    taps.type_keys(shell, "R0001K1-261128-001-7")
    qtbot.waitUntil(lambda: screen.typed() == "R0001K1-261128-001-7")


@pytest.mark.parametrize("width,height", SCREEN_SIZES, ids=str)
@pytest.mark.parametrize("text_size", TEXT_SIZES)
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_key_of_every_layout_is_on_screen_a_target_and_labelled(
    make_shell, qtbot, language: str, text_size: int, width: int, height: int
) -> None:  # type: ignore[no-untyped-def]
    shell = make_shell(width, height, text_size=text_size)
    to_the_item_question(shell, language)

    def check(what: str) -> None:
        buttons = [_rect_in_shell(b, shell) for b in taps.shown_buttons(shell)]
        problems = keyboard_problems(shell, buttons)
        assert not problems, f"{what}:\n" + "\n".join(problems)

    check("the letters")
    if language == "zh_CN":
        taps.type_keys(shell, "zhang")
        taps.wait_for(lambda: bool(taps.candidates(shell)))
        check("the letters with Pinyin words offered")
        taps.tap_words_button(shell, "more")
        check("the second page of words")
        for _ in "zhang":
            taps.tap_key(shell, BACKSPACE[language])
    taps.tap_key(shell, DIGITS_KEY[language])
    check("the digits and signs")
    taps.tap_key(shell, LETTERS_KEY[language])
    taps.tap_key(shell, OTHER_KEYBOARD[language])
    check("the other language's letters")


def test_the_keyboard_check_sees_bad_keys(make_shell, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The check itself finds keys too small, too close, or labelled in Qt's English."""
    shell = make_shell()
    to_the_item_question(shell, "zh_CN")
    keyboard = taps.keyboard_on_screen(shell)
    look: Callable[[dict[str, object]], None] = keyboard._look
    look({"rowHeight": 60, "gap": 4, "words": {"symbols": "&123", "english": "ABC"}})
    qtbot.waitUntil(lambda: taps.keys(keyboard)[0].height() < 70)
    found = "\n".join(keyboard_problems(shell, []))
    assert "'&123' is not labelled in Mandarin" in found
    assert "'ABC' is not labelled in Mandarin" in found
    assert "px apart" in found
    assert "x44" in found or "x56" in found


def test_the_keyboard_learns_nothing_of_one_visitor_for_the_next(make_shell, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A word the visitor made of parts (a name: 鸿 then 差) is not learned: the next
    visitor who types the same Pinyin is not offered it."""
    shell = make_shell()
    screen = to_the_item_question(shell, "zh_CN")
    for _ in range(2):
        taps.type_keys(shell, "hongcha")
        taps.tap_candidate(shell, "鸿", qtbot)
        taps.tap_candidate(shell, "差", qtbot)
        qtbot.waitUntil(lambda: screen.typed().endswith("鸿差"))
    # Within the visit already, and for the next visitor, it is not offered.
    taps.type_keys(shell, "hongcha")
    qtbot.waitUntil(lambda: bool(taps.candidates(shell)))
    assert "鸿差" not in [word for word, _item in taps.candidates(shell)]
    for _ in range(3):
        taps.tap(shell, "返回")
    taps.tap(shell, "结束使用")
    # The goodbye; a touch goes on to the welcome screen for the next visitor.
    assert taps.wait_for(lambda: shell.current.name == "goodbye")
    taps.tap_widget(shell.current, "the goodbye screen")
    assert taps.wait_for(lambda: shell.current.name == "attract")
    screen = to_the_item_question(shell, "zh_CN")
    taps.type_keys(shell, "hongcha")
    qtbot.waitUntil(lambda: bool(taps.candidates(shell)))
    assert "鸿差" not in [word for word, _item in taps.candidates(shell)]


def key_places(shell: Any) -> dict[str, Any]:
    """Where each key is drawn now (its middle, in the window)."""
    keyboard = taps.keyboard_on_screen(shell)
    return {taps.key_label(key): taps.item_centre(keyboard, key) for key in taps.keys(keyboard)}


@pytest.mark.parametrize("text_size", [1, 3])
def test_the_warning_takes_the_questions_place_moves_no_key_and_goes_when_typed(
    make_shell, qtbot, text_size: int
) -> None:  # type: ignore[no-untyped-def]
    shell = make_shell(text_size=text_size)
    screen = to_the_item_question(shell, "zh_CN")
    taps.wait_for(lambda: bool(taps.keys(taps.keyboard_on_screen(shell))))
    before = key_places(shell)
    box_at = taps.centre_in_window(screen.line)
    taps.tap(shell, "下一步")  # nothing typed yet
    warning = "请输入您买了什么。"
    qtbot.waitUntil(lambda: warning in taps.seen_words(shell))
    assert "您买了什么？" not in taps.seen_words(shell)  # in the question's place
    assert shell.journeys.current_step() == "item"
    assert key_places(shell) == before, "the warning moved the keys"
    assert taps.centre_in_window(screen.line) == box_at, "the warning moved the box"
    taps.type_keys(shell, "cha")
    taps.tap_candidate(shell, "茶", qtbot)
    # The answer is one the kiosk takes: the warning goes at once, before 'next'.
    qtbot.waitUntil(lambda: warning not in taps.seen_words(shell))
    assert "您买了什么？" in taps.seen_words(shell)


def test_a_long_story_shows_whole_lines_and_buttons_to_read_it_all(make_shell, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QFontMetrics

    shell = make_shell(text_size=3)
    start(shell, "en")
    taps.tap(shell, "Food safety")
    taps.tap(shell, "Mini-program")
    for letters in ("tea", "shop", "road"):
        assert taps.wait_for(lambda: shell.current.name == "text_entry")
        taps.type_keys(shell, letters)
        taps.tap(shell, "Next")
    taps.tap(shell, "Today")
    taps.tap(shell, "Type instead")
    assert taps.wait_for(lambda: shell.journeys.current_step() == "facts_text")
    screen = shell.current
    box = screen.box
    line = QFontMetrics(box.font()).lineSpacing()
    # The box shows whole lines, never a line cut through.
    assert (box.height() - screen._box_frame()) % line == 0
    shown = (box.height() - screen._box_frame()) // line
    assert shown >= 2
    assert not screen.up.isVisible()  # nothing to move through yet
    story = "a fly was in the bottle of tea i bought and the shop would not give my money back "
    while box.verticalScrollBar().maximum() == 0:
        taps.type_keys(shell, story[:20])
        story = story[20:] + story[:20]
    # Longer than the box: the buttons to see the other lines come, large and in words.
    assert taps.wait_for(lambda: screen.up.isVisible() and screen.down.isVisible())
    taps.tap(shell, "Up")
    qtbot.waitUntil(lambda: box.verticalScrollBar().value() == 0)
    taps.tap(shell, "Down")
    qtbot.waitUntil(lambda: box.verticalScrollBar().value() > 0)
