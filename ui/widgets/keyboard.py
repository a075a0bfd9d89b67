"""The large on-screen keyboard with Pinyin: Qt Virtual Keyboard in the kiosk's own style
and layouts (`assets/qml`), embedded in the text screen rather than popping up, so it never
covers the question or the buttons.

It types into whichever text box has the focus (Qt's input method does that); it never
takes the focus itself. Every key that does something says so in the visit's language, the
Pinyin words are offered as large buttons above the keys (paged with buttons, never
scrolled), and every key is a touch target with a gap around it at every text size. It is
made when a text screen is first shown, not at start, so the welcome screen comes up at once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import Q_ARG, Q_RETURN_ARG, QMetaObject, QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QResizeEvent
from PySide6.QtQuick import QQuickWindow, QSGRendererInterface
from PySide6.QtQuickWidgets import QQuickWidget
from PySide6.QtWidgets import QSizePolicy, QWidget

from devices.fonts import FONT_FAMILIES
from kiosk.i18n import N_
from kiosk.paths import assets_dir
from ui import theme
from ui.theme import MIN_GAP_PX, MIN_TARGET_PX, Theme

#: Qt's name for each visit language's keyboard (Mandarin types Pinyin).
KEYBOARD_LOCALES = {"zh_CN": "zh_CN", "en": "en_US"}

#: The words on the keys that do something, by the name the layouts use (assets/qml).
KEY_WORDS = {
    "backspace": N_("Delete"),
    "space": N_("Space"),
    "enter": N_("New line"),
    "symbols": N_("Numbers"),
    "pinyin": N_("Pinyin"),
    "letters": N_("Letters"),
    "english": N_("English"),
    "capitals": N_("Capitals"),
    "small": N_("Small letters"),
    "previous": N_("Previous words"),
    "more": N_("More words"),
    "hint": N_("Type the Pinyin: the characters show here. Touch the one you want."),
}

#: Rows a finger needs at the least: each a touch target tall, with the gap between.
SMALLEST_ROW_PX = MIN_TARGET_PX + MIN_GAP_PX
#: Rows on screen: Pinyin's bar of words and three rows of keys, or four rows of keys
#: (English letters; a receipt number's digits and capitals).
ROWS = 4


class Keys(enum.Enum):
    """What the keyboard types: the visit's language (Pinyin or English letters, with
    the candidate bar), a receipt number (capitals and digits, no words to offer), or a
    reading to look a character up by (small letters and the tones' digits)."""

    TEXT = "text"
    RECEIPT = "receipt"
    READING = "reading"


def learned_words_file() -> Path:
    """Where Qt's Pinyin engine keeps the words it learned (its user dictionary)."""
    config = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.ConfigLocation)
    return Path(config) / "qtvirtualkeyboard" / "pinyin" / "usr_dict.dat"


def forget_learned_words() -> None:
    """Remove the Pinyin engine's learned words, before the engine opens them. The text
    boxes never let it learn (their input is marked sensitive, which turns learning off),
    but words learned before that, or by another program of this user, must not be
    offered to a visitor."""
    learned_words_file().unlink(missing_ok=True)


_shared: list[OnScreenKeyboard] = []


def shared_keyboard() -> OnScreenKeyboard:
    """The one keyboard of the process, made on first use. Qt Virtual Keyboard keeps one
    input panel an application: a second panel, or an old one destroyed after a new one
    was made, leaves the other's keys without their words. Screens take this one into
    their layout while they show."""
    if _shared and shiboken6.isValid(_shared[0]):
        return _shared[0]
    keyboard = OnScreenKeyboard()
    _shared[:] = [keyboard]
    return keyboard


def existing_keyboard() -> OnScreenKeyboard | None:
    """The process's keyboard, if one was made and still lives."""
    return _shared[0] if _shared and shiboken6.isValid(_shared[0]) else None


class OnScreenKeyboard(QQuickWidget):
    """Keys at least the touch-target size, with the Pinyin words above them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        # The panel is simple 2D drawing: the software renderer works on every machine,
        # with or without a GPU (and offscreen, in the tests).
        if QQuickWindow.graphicsApi() is not QSGRendererInterface.GraphicsApi.Software:
            QQuickWindow.setGraphicsApi(QSGRendererInterface.GraphicsApi.Software)
        super().__init__(parent)
        # A tap on a key must leave the focus in the text box: the keys type into
        # whichever box has it (Qt's input method), and the keyboard itself is no box.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setResizeMode(QQuickWidget.ResizeMode.SizeRootObjectToView)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        forget_learned_words()
        qml = assets_dir() / "qml"
        self.engine().addImportPath(str(qml))  # the Kiosk module and the kiosk style
        self.setSource(QUrl.fromLocalFile(str(qml / "keyboard.qml")))
        if self.status() is not QQuickWidget.Status.Ready:
            problems = "; ".join(error.toString() for error in self.errors())
            raise RuntimeError(f"the on-screen keyboard did not load: {problems}")
        self._room = 10_000
        self._keys = Keys.TEXT
        self._multiline = False

    # -- size ---------------------------------------------------------------------------

    def smallest_height(self) -> int:
        """The least height at which every key is still a touch target."""
        return ROWS * SMALLEST_ROW_PX

    def fit(self, room_px: int, theme: Theme | None = None) -> None:
        """Take the room the screen leaves, between the smallest height a finger needs
        and rows as tall as the text size's targets."""
        self._room = room_px
        rows = ROWS
        # Rows as tall as the text size's targets, and a little taller than the least
        # where the screen has the room: larger keys are easier to hit.
        target = theme.target_px if theme is not None else MIN_TARGET_PX
        tallest = max(target, MIN_TARGET_PX + 64) + MIN_GAP_PX
        row = max(SMALLEST_ROW_PX, min(tallest, room_px // rows))
        self._look({"rowHeight": row})
        self.setFixedHeight(row * rows)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """A new width changes how the words fit the candidate bar: fit again once the
        panel has settled."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            QTimer.singleShot(0, self, lambda: self._look({"panelWidth": self.width()}))

    # -- what it types ------------------------------------------------------------------

    def set_language(self, language: str) -> None:
        """Type in the visit's language (Mandarin: Pinyin; English: letters)."""
        locale = KEYBOARD_LOCALES.get(language, "en_US")
        self._call("setLocale", locale if self._keys is Keys.TEXT else "en_US")

    def set_keys(self, keys: Keys, multiline: bool = False) -> None:
        """The keys a box needs: its language's, or a receipt number's; a box of several
        lines gets a key for a new line."""
        self._keys = keys
        self._multiline = multiline
        self._look({"mode": keys.value, "multiline": multiline})

    @property
    def keys(self) -> Keys:
        """What the keyboard types now."""
        return self._keys

    def apply_words(self, translate: Callable[[str], str]) -> None:
        """Label the keys in the visit's language."""
        self._look({"words": {name: translate(text) for name, text in KEY_WORDS.items()}})

    def apply_theme(self, look: Theme) -> None:
        """Sizes and colours from the kiosk's theme: letters larger than body text, the
        words on the keys at body size, the gap between keys at least the targets' gap."""
        self._look(
            {
                # The gap a finger needs, no more: the keys keep the room.
                "gap": MIN_GAP_PX,
                "letterPx": round(look.body_px * 1.25),
                "wordPx": look.body_px,
                "fontFamily": FONT_FAMILIES[0],
                "tray": theme.HEADER,
                "key": theme.CARD,
                "functionKey": theme.HEADER,
                "ink": theme.INK,
                "primary": theme.PRIMARY,
                "lightInk": theme.ON_PRIMARY,
            }
        )

    def forget_visitor(self) -> None:
        """Forget everything this visitor typed, learned words included."""
        self._call("forgetVisitor")

    def keyboard_locale(self) -> str:
        """The keyboard's language now (Qt's locale name)."""
        return str(self._call("locale", returns=True))

    def _look(self, values: dict[str, object]) -> None:
        self._call("setLook", values)

    def _call(self, name: str, *args: object, returns: bool = False) -> object:
        root = self.rootObject()
        if root is None:
            return None
        arguments = [Q_ARG("QVariant", value) for value in args]
        if returns:
            return QMetaObject.invokeMethod(root, name, Q_RETURN_ARG("QVariant"), *arguments)
        QMetaObject.invokeMethod(root, name, *arguments)
        return None
