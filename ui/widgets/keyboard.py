"""The large on-screen keyboard with Pinyin: Qt Virtual Keyboard's panel, embedded in the
text screen rather than popping up, so it never covers the question or the buttons.

It types into whichever text box has the focus (Qt's input method does that). It is made
when a text screen is first shown, not at start, so the welcome screen comes up at once.
"""

from __future__ import annotations

from PySide6.QtCore import Q_ARG, Q_RETURN_ARG, QMetaObject, Qt, QTimer, QUrl
from PySide6.QtGui import QResizeEvent
from PySide6.QtQuick import QQuickWindow, QSGRendererInterface
from PySide6.QtQuickWidgets import QQuickWidget
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.paths import assets_dir
from ui.theme import MIN_GAP_PX, MIN_TARGET_PX

#: Qt's name for each visit language's keyboard (Mandarin types Pinyin).
KEYBOARD_LOCALES = {"zh_CN": "zh_CN", "en": "en_US"}
#: A candidate bar and four rows of keys.
ROWS = 5


class OnScreenKeyboard(QQuickWidget):
    """Keys at least the touch-target size, with the Pinyin candidates above them."""

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
        self.setSource(QUrl.fromLocalFile(str(assets_dir() / "qml" / "keyboard.qml")))
        self._room = 10_000
        if self.status() is not QQuickWidget.Status.Ready:
            problems = "; ".join(error.toString() for error in self.errors())
            raise RuntimeError(f"the on-screen keyboard did not load: {problems}")

    def natural_height(self) -> float:
        """The panel's own height at the widget's width."""
        root = self.rootObject()
        return float(root.property("panelHeight")) if root is not None else 0.0

    def fit(self, room_px: int) -> None:
        """Take the height the keys need to be touch-target tall, within `room_px`; never
        less than the panel's own height (then the keys are as tall as the width allows)."""
        self._room = room_px
        natural = self.natural_height()
        if natural <= 0:
            return
        wanted = ROWS * (MIN_TARGET_PX + MIN_GAP_PX // 2)
        height = round(max(natural, min(wanted, room_px)))
        root = self.rootObject()
        if root is not None:
            root.setProperty("stretch", height / natural)
        self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """A new width changes the panel's own height: fit again once it has settled."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            QTimer.singleShot(0, self, lambda: self.fit(self._room))

    def set_language(self, language: str) -> None:
        """Type in the visit's language (Mandarin: Pinyin; English: letters)."""
        self._call("setLocale", KEYBOARD_LOCALES.get(language, "en_US"))

    def forget_visitor(self) -> None:
        """Forget everything this visitor typed, learned words included."""
        self._call("forgetVisitor")

    def press(self, keys: str) -> None:
        """Press these keys as a finger would (letters, digits, space)."""
        self._call("press", keys)

    def candidates(self) -> list[str]:
        """The words the Pinyin engine offers for what was pressed so far."""
        found = self._call("candidates", returns=True)
        return [word for word in str(found or "").split("\n") if word]

    def choose(self, index: int) -> None:
        """Take one of the offered words."""
        self._call("choose", index)

    def keyboard_locale(self) -> str:
        """The keyboard's language now (Qt's locale name)."""
        return str(self._call("locale", returns=True))

    def _call(self, name: str, *args: object, returns: bool = False) -> object:
        root = self.rootObject()
        if root is None:
            return None
        arguments = [Q_ARG("QVariant", value) for value in args]
        if returns:
            return QMetaObject.invokeMethod(root, name, Q_RETURN_ARG("QVariant"), *arguments)
        QMetaObject.invokeMethod(root, name, *arguments)
        return None
