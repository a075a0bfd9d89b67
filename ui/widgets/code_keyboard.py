"""A large on-screen keyboard for what a technician types: a hub's address, an enrollment
code, a word to search the log for. Digits, letters and . : / - in four rows of ten."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

from ui.theme import MIN_TARGET_PX, Theme

ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM.:/")


class CodeKeyboard(QWidget):
    """Forty big keys; emits each character typed (letters as shown, upper case)."""

    typed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, QPushButton] = {}
        for row, keys in enumerate(ROWS):
            for column, key in enumerate(keys):
                button = QPushButton(key)
                button.setProperty("role", "key")
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
                button.setAccessibleName(key)
                button.clicked.connect(lambda _checked=False, k=key: self.typed.emit(k))
                self._grid.addWidget(button, row, column)
                self.keys[key] = button

    def type_text(self, text: str) -> None:
        """Press the keys for a text, one by one (what a finger does, for tests and demos)."""
        for character in text.upper():
            self.keys[character].click()

    def apply_theme(self, theme: Theme) -> None:
        """Keys of the smallest target's size, with the gap between them."""
        # Forty keys and the screen's words must fit at the largest text size: keys as
        # wide as any target, and never lower than the smallest target allows.
        side = theme.target_px
        low = max(MIN_TARGET_PX, round(side * 0.7))
        for button in self.keys.values():
            button.setMinimumSize(side, low)
        self._grid.setSpacing(theme.gap_px)
