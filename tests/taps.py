"""Driving the kiosk as a finger does: a tap at the place where something is drawn.

Every helper here finds what the consumer would look for on screen (a button by the words
on it, a key of the on-screen keyboard by its label, a Pinyin candidate by its word), works
out where it is drawn in the window, checks that nothing else is drawn on top of it there,
and taps that point of the window. The tap goes in through the window, as a finger's does,
so Qt delivers it to whatever is really under the finger. Nothing here calls a screen's,
a journey's or the keyboard's functions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QWindow
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

#: How a tap reaches the window: the default presses and releases the mouse on the Qt
#: window at that point; the real-window tests set one that goes through the X server.
Finger = Callable[[QWidget, QPoint], None]


def qt_finger(window: QWidget, point: QPoint) -> None:
    """Press and release at a point of the window, through the window itself."""
    handle = window.windowHandle()
    assert handle is not None, "the kiosk's window is not shown"
    QTest.mouseClick(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)


_finger: list[Finger] = [qt_finger]


def use_finger(finger: Finger) -> None:
    """Tap with this finger from now on (the real-window tests tap through X)."""
    _finger[0] = finger


def window_of(widget: QWidget) -> QWidget:
    """The top-level window a widget is drawn in."""
    window = widget.window()
    assert window is not None
    return window


def tap_point(window: QWidget, point: QPoint, meant: QWidget, what: str) -> None:
    """Tap `point` of the window, after checking `meant` (or a child of it) is what is
    drawn there."""
    if not window.rect().contains(point):
        raise AssertionError(f"{what} is off the screen, at {point.x()},{point.y()}")
    under = window.childAt(point)
    if under is None or not (under is meant or meant.isAncestorOf(under)):
        raise AssertionError(
            f"{what} is covered at {point.x()},{point.y()} by {type(under).__name__}"
            f" {getattr(under, 'objectName', lambda: '')()!r}"
        )
    _finger[0](window, point)


def centre_in_window(widget: QWidget) -> QPoint:
    """Where a finger aims at a widget: its middle, in its window's coordinates."""
    return widget.mapTo(window_of(widget), widget.rect().center())


def tap_widget(widget: QWidget, what: str = "") -> None:
    """Tap the middle of a widget that is on screen."""
    if not widget.isVisible():
        raise AssertionError(f"{what or widget!r} is not on screen")
    window = window_of(widget)
    tap_point(window, centre_in_window(widget), widget, what or repr(widget))


def shown_buttons(shell: QWidget) -> Iterator[QAbstractButton]:
    """Every button the consumer can see now, header and bottom bar included."""
    for button in shell.findChildren(QAbstractButton):
        if button.isVisible() and button.isEnabled() and button.width() > 0:
            yield button


def button_words(button: QAbstractButton) -> str:
    """The words drawn on a button (its own text and the labels inside it)."""
    words = [button.text()] + [
        label.text() for label in button.findChildren(QLabel) if label.isVisible()
    ]
    return " ".join(word for word in words if word)


def wait_for(condition: Callable[[], object], timeout_s: float = 5.0) -> bool:
    """Let Qt run until `condition()` holds (a person looks until it shows), at most
    `timeout_s`; True when it held."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        QTest.qWait(10)
    return True


def find_button(shell: QWidget, words: str) -> QAbstractButton:
    """The one visible button whose drawn words hold `words` (waiting for it to show)."""
    wait_for(lambda: any(words in button_words(b) for b in shown_buttons(shell)))
    found = [b for b in shown_buttons(shell) if words in button_words(b)]
    if not found:
        shown = [button_words(b) for b in shown_buttons(shell)]
        raise AssertionError(f"no button with {words!r} on screen; the buttons say {shown}")
    if len(found) > 1:
        exact = [b for b in found if button_words(b) == words]
        if len(exact) == 1:
            return exact[0]
        said = [button_words(b) for b in found]
        raise AssertionError(f"{len(found)} buttons say {words!r}: {said}")
    return found[0]


def tap(shell: QWidget, words: str) -> None:
    """Tap the visible button that says `words`."""
    button = find_button(shell, words)
    tap_widget(button, f"the button {words!r}")
    QApplication.processEvents()


def seen_words(shell: QWidget) -> str:
    """Every word drawn on screen now, the keyboard's keys aside, joined by ' | '."""
    words = [
        label.text()
        for label in shell.findChildren(QLabel)
        if label.isVisible() and label.text() and label.width() > 0
    ]
    return " | ".join(words)


# -- the on-screen keyboard ------------------------------------------------------------


def keyboard_on_screen(shell: QWidget) -> Any:
    """The on-screen keyboard shown now (the QQuickWidget that draws it)."""
    from ui.widgets.keyboard import OnScreenKeyboard

    shown = [k for k in shell.findChildren(OnScreenKeyboard) if k.isVisible()]
    assert shown, "no on-screen keyboard is on screen"
    assert len(shown) == 1
    return shown[0]


def _items(item: QQuickItem) -> Iterator[QQuickItem]:
    yield item
    for child in item.childItems():
        yield from _items(child)


def _shown(item: QQuickItem) -> bool:
    return bool(item.isVisible()) and item.opacity() > 0 and item.width() > 0


def keys(keyboard: Any) -> list[QQuickItem]:
    """Every key drawn on the keyboard now (its item tree: what has a key code and a
    label, is visible and has a size)."""
    root = keyboard.rootObject()
    assert root is not None
    found = []
    for item in _items(root):
        meta = item.metaObject()
        if meta.indexOfProperty("key") < 0 or meta.indexOfProperty("displayText") < 0:
            continue
        if meta.className().startswith("FillerKey"):
            continue
        if _shown(item) and item.isEnabled():
            found.append(item)
    return found


def drawn_text(item: QQuickItem) -> str:
    """The words an item draws: the text items inside it."""
    words = [
        str(inner.property("text"))
        for inner in _items(item)
        if inner is not item
        and inner.metaObject().className().startswith("QQuickText")
        and _shown(inner)
        and inner.property("text")
    ]
    return " ".join(words)


def key_label(key: QQuickItem) -> str:
    """The words drawn on a key: the text items of its face."""
    return drawn_text(key)


def item_centre(keyboard: Any, item: QQuickItem) -> QPoint:
    """The middle of a keyboard item, in its window's coordinates."""
    middle = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
    return keyboard.mapTo(window_of(keyboard), QPoint(round(middle.x()), round(middle.y())))


def find_key(keyboard: Any, label: str) -> QQuickItem:
    """The key that shows `label` (a letter, a digit, a sign or a function's word)."""
    shown = keys(keyboard)
    for key in shown:
        if key_label(key) == label:
            return key
    for key in shown:
        if str(key.property("text")) == label and label.strip():
            return key
    raise AssertionError(f"no key {label!r}; the keys say {[key_label(k) for k in shown]}")


def tap_key(shell: QWidget, label: str) -> None:
    """Tap the key that shows `label` (looking until the keys are drawn)."""
    keyboard = keyboard_on_screen(shell)
    wait_for(lambda: any(key_label(k) == label for k in keys(keyboard)))
    key = find_key(keyboard, label)
    tap_point(window_of(keyboard), item_centre(keyboard, key), keyboard, f"the key {label!r}")
    _let_go(key)


def candidates(shell: QWidget) -> list[tuple[str, QQuickItem]]:
    """The Pinyin words offered in the bar above the keys, as drawn, left to right."""
    keyboard = keyboard_on_screen(shell)
    root = keyboard.rootObject()
    found = []
    for item in _items(root):
        if item.objectName() == "candidate" and _shown(item):
            word = drawn_text(item)
            inside = keyboard.mapFrom(window_of(keyboard), item_centre(keyboard, item))
            if word and keyboard.rect().contains(inside):
                found.append((word, item))
    return sorted(found, key=lambda pair: item_centre(keyboard, pair[1]).x())


def tap_words_button(shell: QWidget, name: str) -> None:
    """Tap one of the bar's page buttons: `more` or `previous` words."""
    keyboard = keyboard_on_screen(shell)
    wanted = {"more": "moreWords", "previous": "previousWords"}[name]
    for item in _items(keyboard.rootObject()):
        if item.objectName() == wanted and _shown(item):
            where = item_centre(keyboard, item)
            tap_point(window_of(keyboard), where, keyboard, f"the {name} words button")
            QApplication.processEvents()
            return
    raise AssertionError(f"no {name} words button in the bar")


def offer(shell: QWidget, word: str, pages: int = 20) -> QQuickItem:
    """The offered word `word` in the bar, turning its pages with "more words" as a
    person looks for it there; fails when it is not on any page."""
    wait_for(lambda: bool(candidates(shell)))
    offered: list[str] = []
    for _page in range(pages):
        shown = candidates(shell)
        offered += [w for w, _ in shown]
        for found, item in shown:
            if found == word:
                return item
        if not _has_more_words(shell):
            break
        tap_words_button(shell, "more")
        wait_for(lambda shown=shown: [w for w, _ in candidates(shell)] != [w for w, _ in shown])
    raise AssertionError(f"{word!r} is not offered; the keyboard offers {offered}")


def _has_more_words(shell: QWidget) -> bool:
    keyboard = keyboard_on_screen(shell)
    return any(
        item.objectName() == "moreWords" and _shown(item) for item in _items(keyboard.rootObject())
    )


def tap_candidate(shell: QWidget, word: str, qtbot: Any = None) -> None:
    """Tap the offered word `word` (looking through the bar's pages for it)."""
    keyboard = keyboard_on_screen(shell)
    item = offer(shell, word)
    before = [offered for offered, _ in candidates(shell)]
    tap_point(window_of(keyboard), item_centre(keyboard, item), keyboard, f"the word {word!r}")
    # The word is taken: the bar offers something else (or nothing) now.
    wait_for(lambda: [offered for offered, _ in candidates(shell)] != before)


def find_key_by_code(keyboard: Any, code: Qt.Key) -> QQuickItem:
    """The key that sends `code` (the space bar, whatever word the layout shows on it)."""
    for key in keys(keyboard):
        if int(key.property("key")) == int(code.value):
            return key
    said = [key_label(k) for k in keys(keyboard)]
    raise AssertionError(f"no key for {code!r}; the keys say {said}")


def tap_space(shell: QWidget) -> None:
    """Tap the space bar."""
    keyboard = keyboard_on_screen(shell)
    key = find_key_by_code(keyboard, Qt.Key.Key_Space)
    tap_point(window_of(keyboard), item_centre(keyboard, key), keyboard, "the space bar")
    QApplication.processEvents()


def _key_for(keyboard: Any, letter: str) -> QQuickItem | None:
    for key in keys(keyboard):
        if letter == " " and int(key.property("key")) == int(Qt.Key.Key_Space.value):
            return key
        if letter.strip() and key_label(key).lower() == letter.lower():
            return key
    return None


def type_keys(shell: QWidget, letters: str, switch: tuple[str, ...] = ()) -> None:
    """Tap the keys for these letters, digits, signs and spaces, one by one; where a
    character is not on the keys shown, tap the key that shows other keys (`switch`: the
    words on those keys, e.g. "数字符号" and "拼音"), as a person looks for it."""
    keyboard = keyboard_on_screen(shell)
    for letter in letters:
        _type_letter(keyboard, letter, switch)


def _type_letter(keyboard: Any, letter: str, switch: tuple[str, ...]) -> None:
    _typed.install()
    window = window_of(keyboard)
    # The keys draw a moment after the screen: look until they are there.
    wait_for(lambda: bool(keys(keyboard)))
    key = _key_for(keyboard, letter)
    for _turn in range(3):
        if key is not None:
            break
        shown = {key_label(k) for k in keys(keyboard)}
        other = next((word for word in switch if word in shown), None)
        if other is None:
            break
        changer = find_key(keyboard, other)
        tap_point(window, item_centre(keyboard, changer), keyboard, f"the key {other!r}")
        _let_go(changer)
        wait_for(lambda: _key_for(keyboard, letter) is not None, 1.0)
        key = _key_for(keyboard, letter)
    if key is None:
        said = [key_label(k) for k in keys(keyboard)]
        raise AssertionError(f"no key for {letter!r}; the keys say {said}")
    found = key
    if letter.isalpha() and key_label(found) != letter:
        # The keys show capitals where a small letter is wanted, or the other way.
        shift = find_key_by_code(keyboard, Qt.Key.Key_Shift)
        tap_point(window, item_centre(keyboard, shift), keyboard, "the capitals key")
        _let_go(shift)
        if not wait_for(lambda: key_label(found) == letter, 2.0):
            raise AssertionError(f"the key shows {key_label(found)!r}, not {letter!r}")
    typed = _typed.count
    tap_point(window, item_centre(keyboard, found), keyboard, f"the key {letter!r}")
    _let_go(found)
    # A person looks at the box before the next key: the letter shows there (composed
    # Pinyin or typed text), which Qt's input method tells the box.
    if not wait_for(lambda: _typed.count > typed, 2.0):
        raise AssertionError(f"the key {letter!r} typed nothing into the box")


class _TypedWatch(QObject):
    """Counts what the keyboard sends to text boxes (Qt's input method events), so that a
    test waits for a key to show in the box before it taps the next."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.installed = False

    def install(self) -> None:
        app = QApplication.instance()
        if not self.installed and app is not None:
            app.installEventFilter(self)
            self.installed = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Count what reaches widgets (the box) from the keys: input method events
        (composed and committed text) and key presses (English letters, backspace)."""
        typing = (QEvent.Type.InputMethod, QEvent.Type.KeyPress)
        if event.type() in typing and isinstance(watched, QWidget):
            self.count += 1
        return False


_typed = _TypedWatch()


def _let_go(key: QQuickItem) -> None:
    """Wait until the key no longer shows pressed (the finger has let go and the key has
    done its work), as a person waits between keys."""

    def let_go() -> bool:
        try:
            return not key.property("pressed")
        except RuntimeError:  # the key showed other keys, and went with its layout
            return True

    wait_for(let_go, 2.0)


# -- a finger on a real X server ---------------------------------------------------------


class _ReleaseWatch(QObject):
    """Counts the mouse releases that reach the kiosk's windows, so that a tap through
    the X server is known to have arrived before the next."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Count releases delivered to top-level windows (each tap once)."""
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(watched, QWindow):
            self.count += 1
        return False


_releases = _ReleaseWatch()


def x_finger(window: QWidget, point: QPoint) -> None:
    """Tap through the X server (xdotool moves the pointer there and clicks), as a touch
    screen's driver does; wait until the tap has reached the window."""
    import subprocess

    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(_releases)
    at = window.mapToGlobal(point)
    seen = _releases.count
    subprocess.run(
        ["xdotool", "mousemove", str(at.x()), str(at.y()), "click", "1"],
        check=True,
        timeout=10,
    )
    if not wait_for(lambda: _releases.count > seen, 10.0):
        raise AssertionError(f"the tap at {at.x()},{at.y()} never reached the kiosk")
