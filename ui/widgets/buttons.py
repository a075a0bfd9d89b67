"""Big buttons: an icon and a word (or a heading and a line of explanation) in one target."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui import icons
from ui.theme import MIN_TARGET_PX, ON_PRIMARY, PRIMARY, Theme

_ICON_COLOURS = {"primary": ON_PRIMARY, "help": ON_PRIMARY, "quiet": PRIMARY, "card": PRIMARY}


def _passive(label: QLabel) -> QLabel:
    # Taps on the words must reach the button itself.
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    return label


class IconButton(QPushButton):
    """A button with an icon and a word beside it (or under it, when `stacked`); role is
    primary, quiet or help."""

    def __init__(
        self,
        icon: str,
        role: str = "primary",
        parent: QWidget | None = None,
        icon_scale: float = 1.0,
        stacked: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setProperty("role", role)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._icon_name = icon
        self._icon_scale = icon_scale
        self._target = MIN_TARGET_PX
        self._icon = _passive(QLabel())
        self._word = _passive(QLabel())
        self._word.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._box: QBoxLayout = QVBoxLayout(self) if stacked else QHBoxLayout(self)
        self._box.addStretch(1)
        self._box.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignCenter)
        self._box.addWidget(self._word, 0, Qt.AlignmentFlag.AlignCenter)
        self._box.addStretch(1)
        self._stacked = stacked

    def set_text(self, text: str) -> None:
        """Set the word on the button (and the name a screen reader gives it)."""
        self._word.setText(text)
        self._word.setVisible(bool(text))
        self.setAccessibleName(text)
        self.updateGeometry()

    def set_icon(self, icon: str, theme: Theme) -> None:
        """Show another icon (a tick when something is chosen)."""
        self._icon_name = icon
        self.apply_theme(theme)

    def set_role(self, role: str, theme: Theme) -> None:
        """Become the screen's primary action, or a quiet one (one dark button a screen)."""
        if self.property("role") == role:
            return
        self.setProperty("role", role)
        for widget in (self, self._icon, self._word):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.apply_theme(theme)

    def text_label(self) -> QLabel:
        """The label that carries the word, for tests and the accessibility check."""
        return self._word

    def apply_theme(self, theme: Theme) -> None:
        """Size the icon for the text size; the style sheet does the rest."""
        self._target = theme.target_px
        size = round(theme.icon_px * self._icon_scale)
        colour = _ICON_COLOURS.get(str(self.property("role")), ON_PRIMARY)
        self._icon.setPixmap(icons.pixmap(self._icon_name, size, colour))
        self._icon.setFixedSize(size, size)
        pad = max(8, round(theme.body_px * 0.45))
        if self._stacked:
            self._box.setContentsMargins(pad // 2, pad // 4, pad // 2, pad // 4)
            self._box.setSpacing(0)
        else:
            self._box.setContentsMargins(pad, pad // 2, pad, pad // 2)
            self._box.setSpacing(max(8, theme.body_px // 3))
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The size the icon and the word need, never under the minimum target."""
        # Measured from the word's font as it is now: the layout's cached hint can lag
        # behind a text-size switch by one event-loop turn.
        self._word.ensurePolished()
        shown = self._word.isVisibleTo(self) and bool(self._word.text())
        word = self._word.sizeHint() if shown else QSize(0, 0)
        icon = self._icon.size()
        margins = self._box.contentsMargins()
        gap = self._box.spacing() if shown else 0
        if self._stacked:
            width = max(icon.width(), word.width())
            height = icon.height() + gap + word.height()
        else:
            width = icon.width() + gap + word.width()
            height = max(icon.height(), word.height())
        # The button's own border lies inside its rectangle too.
        width += margins.left() + margins.right() + 8
        height += margins.top() + margins.bottom() + 8
        side = self._target
        return QSize(max(width, side), max(height, side))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Words are never cut: the minimum is what they need."""
        return self.sizeHint()


class CardButton(QPushButton):
    """A large menu card: an icon, a heading and a line saying what it is for."""

    def __init__(self, icon: str, parent: QWidget | None = None, compact: bool = False) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._icon_name = icon
        self._icon = _passive(QLabel())
        self._icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._heading = _passive(QLabel())
        # A compact card (one of many answers to a question) words its choice in bold body
        # text, so seven of them fit a small screen at the largest text size.
        self._heading.setProperty("role", "choice" if compact else "heading")
        self._heading.setWordWrap(True)
        self._explanation = _passive(QLabel())
        self._explanation.setWordWrap(True)
        words = QVBoxLayout()
        words.addStretch(1)
        words.addWidget(self._heading)
        words.addWidget(self._explanation)
        words.addStretch(1)
        # Icon beside the words, not above: on a small screen at the largest text size
        # four cards must still fit with nothing cut off.
        self._box: QBoxLayout = QHBoxLayout(self)
        self._box.addStretch(1)
        self._box.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignVCenter)
        self._box.addLayout(words, 0)
        self._box.addStretch(1)

    def set_texts(self, heading: str, explanation: str) -> None:
        """Set the heading and the explanation."""
        self._heading.setText(heading)
        self._explanation.setText(explanation)
        # An empty line would still take its share of the card's height from the heading.
        self._explanation.setVisible(bool(explanation))
        self.setAccessibleName(heading)
        self.setAccessibleDescription(explanation)

    def set_icon(self, icon: str, theme: Theme) -> None:
        """Show another icon (a tick on the answer chosen)."""
        if icon != self._icon_name:
            self._icon_name = icon
            self.apply_theme(theme)

    def apply_theme(self, theme: Theme) -> None:
        """Size the icon for the text size."""
        size = round(theme.icon_px * 1.4)
        self._icon.setPixmap(icons.pixmap(self._icon_name, size, PRIMARY))
        self._icon.setFixedSize(size, size)
        pad = max(12, round(theme.body_px * 0.4))
        self._box.setContentsMargins(pad, pad, pad, pad)
        self._box.setSpacing(max(6, theme.body_px // 4))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """What the icon, heading and explanation need."""
        return self._box.sizeHint()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        """Wrapped words make the height depend on the width."""
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        """The height the wrapped words need at this width."""
        return self._box.heightForWidth(width)
