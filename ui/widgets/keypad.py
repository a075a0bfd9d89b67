"""A large numeric keypad: digits 0-9 and 'delete', in a phone-like grid."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

from kiosk.i18n import N_, Translator
from ui.theme import Theme
from ui.widgets.buttons import IconButton


class Keypad(QWidget):
    """Twelve big keys; emits the digit pressed, or that the last digit is to be deleted."""

    digit = Signal(str)
    erase = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, QPushButton] = {}
        for index, key in enumerate("123456789"):
            self._add(key, index // 3, index % 3)
        self._add("0", 3, 1)
        self.delete = IconButton("back", "quiet")
        self.delete.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.delete.clicked.connect(self.erase.emit)
        self._grid.addWidget(self.delete, 3, 2)

    def _add(self, key: str, row: int, column: int) -> None:
        button = QPushButton(key)
        button.setProperty("role", "key")
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.setAccessibleName(key)
        button.clicked.connect(lambda: self.digit.emit(key))
        self._grid.addWidget(button, row, column)
        self.keys[key] = button

    def retranslate(self, t: Translator) -> None:
        """Set the word on the delete key."""
        self.delete.set_text(t.gettext(N_("Delete")))

    def apply_theme(self, theme: Theme) -> None:
        """Keys a little larger than the smallest target, with the gap between them."""
        side = theme.target_px
        for button in self.keys.values():
            button.setMinimumSize(round(side * 1.6), side)
        self.delete.apply_theme(theme)
        self.delete.setMinimumHeight(side)
        self._grid.setSpacing(theme.gap_px)
