"""A calm notice under the header: a room device is out, and what to do instead."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui import icons
from ui.theme import INK, Theme


class DeviceNotice(QFrame):
    """An icon and one sentence a line; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Warning")
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        self._row = QHBoxLayout(self)
        self._row.addWidget(self.icon)
        column = QVBoxLayout()
        column.addWidget(self.words)
        self._row.addLayout(column, 1)
        self.setVisible(False)

    def show_lines(self, lines: list[str]) -> None:
        """Show these sentences (already translated); none hides the notice."""
        self.words.setText("\n".join(lines))
        self.setVisible(bool(lines))

    def apply_theme(self, theme: Theme) -> None:
        """Size the icon and the spacing for the text size."""
        size = theme.icon_px
        self.icon.setPixmap(icons.pixmap("warning", size, INK))
        self.icon.setFixedSize(size, size)
        gap = theme.gap_px
        self._row.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self._row.setSpacing(gap)
