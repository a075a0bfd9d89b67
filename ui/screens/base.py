"""What every screen shares: its name, its prompt, its host and navigator, and its words."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.journeys import Done, ShowProgress, ShowScreen
from ui import icons
from ui.theme import PRIMARY, Theme
from ui.widgets.buttons import CardButton, IconButton

if TYPE_CHECKING:
    from ui.host import Host, Navigator, ScreenKit

Shown = ShowScreen | ShowProgress | Done | None


class Nav(enum.Enum):
    """What the bottom bar offers on a screen."""

    NONE = "none"  # no bottom bar: nothing to go back to
    BACK = "back"  # a big back
    FINISH = "finish"  # finish the visit (the home menu)


class Screen(QWidget):
    """A full screen of the kiosk; renders a step result, or its own fixed content."""

    name: ClassVar[str]
    description: ClassVar[str]
    prompt: ClassVar[str] = ""
    header: ClassVar[bool] = True
    bar: ClassVar[Nav] = Nav.BACK
    consumer: ClassVar[bool] = True

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__()
        self.kit = kit
        self.host: Host = kit.host
        self.nav: Navigator = kit.nav
        self.result: Shown = None
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.column = QVBoxLayout(self)

    def t(self, message: str) -> str:
        """The message in the visit's language."""
        return str(self.host.translator.gettext(message))

    def show_result(self, result: Shown) -> None:
        """Take a step result (or none) and draw it."""
        self.result = result
        self.retranslate()

    @property
    def fields(self) -> Mapping[str, Any]:
        """The fields of the step result on show (none without one)."""
        if isinstance(self.result, ShowScreen | Done):
            return self.result.fields
        if isinstance(self.result, ShowProgress):
            return self.result.update  # what the wait is at now
        return {}

    @property
    def errors(self) -> Mapping[str, str]:
        """What is wrong with the answer given, by field (none without a step result)."""
        if isinstance(self.result, ShowScreen):
            return self.result.errors
        return {}

    def draft(self) -> dict[str, Any] | None:
        """What the consumer entered here but has not confirmed yet; the host keeps it
        when they go back, so nothing entered is lost. None: nothing to keep."""
        return None

    def spoken_prompt(self) -> str:
        """The message id spoken when the screen appears."""
        if self.result is not None and self.result.prompt:
            return self.result.prompt
        return self.prompt

    def retranslate(self) -> None:
        """Set every word on the screen in the visit's language."""

    def clear(self) -> None:
        """Forget everything of the visit (called by the wipe)."""
        self.result = None
        self.retranslate()

    def apply_theme(self, theme: Theme) -> None:
        """Size icons and spacing for the text size; the style sheet does the fonts."""
        for button in self.findChildren(IconButton) + self.findChildren(CardButton):
            button.apply_theme(theme)
        for label in self.findChildren(QLabel):
            name = label.property("icon")
            if name:
                size = theme.icon_px * 2
                label.setPixmap(icons.pixmap(str(name), size, PRIMARY))
                label.setMinimumHeight(size)
        margin = theme.gap_px * 2
        self.column.setContentsMargins(margin, theme.gap_px, margin, theme.gap_px)
        self.column.setSpacing(theme.gap_px)

    def tick(self) -> None:
        """Called every half second while the screen shows (countdowns)."""

    def arrange(self, icon_name: str, *words: QWidget, action: QWidget | None = None) -> None:
        """The usual message screen: an icon, the words under it, and one action below."""
        self.column.addStretch(1)
        self.column.addWidget(icon(icon_name))
        for widget in words:
            self.column.addWidget(widget)
        if action is None:
            self.column.addStretch(2)
            return
        self.column.addStretch(1)
        self.column.addWidget(action)
        self.column.addStretch(1)


def text(role: str = "", centred: bool = True) -> QLabel:
    """A wrapped label in one of the theme's roles (heading, title, or body)."""
    label = QLabel()
    label.setWordWrap(True)
    if role:
        label.setProperty("role", role)
    if centred:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def icon(name: str) -> QLabel:
    """A label that shows a large icon above a screen's heading."""
    label = QLabel()
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setProperty("icon", name)
    return label
