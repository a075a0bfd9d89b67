"""Taps for the rare-character tests (issue 14): typing a word in Pinyin as a finger does,
waiting for the candidates to stand still; walking a complaint to the name by taps; the
finder's cells; and whether what is drawn is drawn in the kiosk's own fonts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit

from devices.fonts import FONT_FAMILIES
from kiosk.i18n import Translator
from kiosk.services import FILE_COMPLAINT
from tests.taps import (
    button_words,
    candidates,
    find_key_by_code,
    item_centre,
    keyboard_on_screen,
    keys,
    offer,
    seen_words,
    shown_buttons,
    tap,
    tap_candidate,
    tap_point,
    tap_widget,
    type_keys,
    wait_for,
    window_of,
)
from ui import glyphs

zh = Translator("zh_CN").gettext


def typed(shell: Any) -> str:
    """What the text box on screen holds."""
    return str(shell.current.typed())


def offered_words(shell: Any) -> list[str]:
    """The Pinyin candidates drawn now."""
    return [word for word, _item in candidates(shell)]


def settled_candidates(shell: Any, word: str) -> None:
    """Look for `word` among the offered words, page by page (tests/taps.py `offer`)."""
    offer(shell, word)


def keys_ready(shell: Any) -> None:
    """Wait, as a person looks, until the keyboard is up under the box with its keys, and
    the box has the keys' focus."""

    def ready() -> bool:
        focused = QApplication.focusWidget() is shell.current.field
        focused = focused and QGuiApplication.focusObject() is shell.current.field
        return focused and bool(keys(keyboard_on_screen(shell)))

    if not wait_for(ready):
        raise AssertionError("the keyboard did not come up under the text box")


def type_word(shell: Any, qtbot: Any, keys: str, word: str) -> None:
    """Type Pinyin on the on-screen keyboard and tap the word among the candidates."""
    before = typed(shell)
    keys_ready(shell)
    type_keys(shell, keys)
    settled_candidates(shell, word)
    tap_candidate(shell, word, qtbot)
    if not wait_for(lambda: typed(shell) == before + word):
        raise AssertionError(
            f"typed {typed(shell)!r}, not {before + word!r}; offered {offered_words(shell)}"
        )


def rub_out(shell: Any, times: int) -> None:
    """Tap the keyboard's backspace key `times` times."""
    keyboard = keyboard_on_screen(shell)
    for _ in range(times):
        key = find_key_by_code(keyboard, Qt.Key.Key_Backspace)
        tap_point(window_of(keyboard), item_centre(keyboard, key), keyboard, "backspace")


def next_step(shell: Any, qtbot: Any) -> None:
    """Tap 'Next' and wait for the next question."""
    step = shell.journeys.current_step()
    tap(shell, zh("Next"))
    qtbot.waitUntil(lambda: shell.journeys.current_step() != step, timeout=5000)


def buttons_now(shell: Any) -> str:
    """The words of every button on screen."""
    return " | ".join(button_words(b) for b in shown_buttons(shell))


def tap_cell(shell: Any, shape: str) -> None:
    """Tap the finder's cell that shows `shape` big (a character, a radical)."""
    for button in shell.findChildren(QAbstractButton):
        labels = [label.text() for label in button.findChildren(QLabel) if label.isVisible()]
        if button.isVisible() and labels[:1] == [shape]:
            tap_widget(button, f"the cell {shape!r}")
            return
    raise AssertionError(f"no cell {shape!r}: {buttons_now(shell)}")


def tap_in_box_after(shell: Any, characters: int) -> None:
    """Tap the one-line text box just after its first `characters` characters (a finger
    puts the cursor there)."""
    box = shell.current.field
    assert isinstance(box, QLineEdit)
    middle = box.height() // 2
    for x in range(box.width()):
        if box.cursorPositionAt(_point(x, middle)) == characters:
            tap_widget_at(box, x + 2, middle)
            return
    raise AssertionError(f"no place after {characters} characters in {box.text()!r}")


def _point(x: int, y: int) -> Any:
    from PySide6.QtCore import QPoint

    return QPoint(x, y)


def tap_widget_at(widget: Any, x: int, y: int) -> None:
    """Tap a point of a widget that is on screen."""
    window = window_of(widget)
    tap_point(window, widget.mapTo(window, _point(x, y)), widget, repr(widget))


def walk_to_name(shell: Any, qtbot: Any) -> None:
    """From the welcome screen to the name question, by taps, in Mandarin."""
    assert shell.current.name == "attract"
    # The kiosk's window is the one the keys type into (the last test's window is gone;
    # offscreen, a tap does not make a window the active one as a touch screen does).
    shell.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is shell.windowHandle(), timeout=5000)
    tap(shell, zh("Touch here to start"))
    tap(shell, zh(FILE_COMPLAINT))
    qtbot.waitUntil(lambda: shell.journeys.current_step() == "category", timeout=5000)
    tap(shell, "食品安全")
    tap(shell, "小程序")
    qtbot.waitUntil(lambda: shell.journeys.current_step() == "item", timeout=5000)
    type_word(shell, qtbot, "hongcha", "红茶")
    next_step(shell, qtbot)
    type_word(shell, qtbot, "haoyunlai", "好运来")
    next_step(shell, qtbot)
    type_word(shell, qtbot, "xingfulu", "幸福路")
    next_step(shell, qtbot)
    tap(shell, "今天")
    qtbot.waitUntil(lambda: shell.journeys.current_step() == "facts", timeout=5000)
    tap(shell, zh("Type instead"))
    qtbot.waitUntil(lambda: shell.journeys.current_step() == "facts_text", timeout=5000)
    type_word(shell, qtbot, "pingzi", "瓶子")
    next_step(shell, qtbot)
    assert shell.journeys.current_step() == "evidence"
    next_step(shell, qtbot)
    tap(shell, "退款")
    next_step(shell, qtbot)
    assert shell.journeys.current_step() == "name"


def label_showing(shell: Any, words: str) -> QLabel:
    """The visible label whose text holds `words`."""
    for label in shell.findChildren(QLabel):
        if label.isVisible() and words in label.text():
            return label
    raise AssertionError(f"{words!r} is not on screen: {seen_words(shell)}")


def drawn_with_kiosk_fonts(text: str, widget: Any) -> list[str]:
    """What of `text` the widget would draw as an empty box, or with a font that is not
    one of the kiosk's own (a font the appliance may not have)."""
    wrong = glyphs.missing(text, widget.font())
    for character in text:
        for family, _glyphs in glyphs.glyph_fonts(character, widget.font()):
            if family not in FONT_FAMILIES:
                wrong.append(f"{character} in {family}")
    return wrong


def no_old_keyboard() -> None:
    """Take the keyboards of the last tests' closed kiosks away before this one makes its
    own: Qt Virtual Keyboard has one keyboard panel an application, and an old panel that
    goes later (whenever Python collects its kiosk) leaves the new one without its words."""
    import gc

    from PySide6.QtCore import QEvent

    from ui.widgets.keyboard import OnScreenKeyboard

    gc.collect()
    for widget in QApplication.allWidgets():
        if isinstance(widget, OnScreenKeyboard) and not widget.window().isVisible():
            widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
