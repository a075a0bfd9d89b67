"""A page of big characters to tap (or radicals, stroke counts, tones): as many as the room
holds at the text size, each a target well above the minimum, turned page by page (no
swipes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ui.theme import MIN_TARGET_PX, Theme


@dataclass(frozen=True)
class Choice:
    """One cell: what it shows big, the line under it, what a screen reader says, and what
    a tap on it picks. `word` draws the big part at heading size (a word, not a glyph)."""

    big: str
    caption: str
    name: str
    value: Any
    word: bool = False
    chosen: bool = False


class GlyphButton(QPushButton):
    """A card with one big glyph and a line of body text under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.big = QLabel()
        self.caption = QLabel()
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(0)
        for label in (self.big, self.caption):
            # Taps on the words reach the button itself.
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setTextFormat(Qt.TextFormat.PlainText)
            column.addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
        self.choice: Choice | None = None

    def show_choice(self, choice: Choice) -> None:
        """Show one choice."""
        self.choice = choice
        self.big.setProperty("role", "word" if choice.word else "glyph")
        self.big.setText(choice.big)
        self.caption.setText(choice.caption)
        self.caption.setVisible(bool(choice.caption))
        self.setAccessibleName(choice.name)
        self.setProperty("chosen", "true" if choice.chosen else "false")
        for widget in (self, self.big):
            widget.style().unpolish(widget)
            widget.style().polish(widget)


class GlyphGrid(QWidget):
    """Cells laid out in rows to fill the widget; `chosen` sends the tapped choice's value,
    `paged` says the page or the number of pages changed."""

    chosen = Signal(object)
    paged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.choices: list[Choice] = []
        self.page = 0
        self.cells: list[GlyphButton] = []
        self._probe = GlyphButton(self)
        self._probe.hide()
        self._glyph_px = 96
        self._gap = 16
        self._target = MIN_TARGET_PX
        self._cell = QSize(MIN_TARGET_PX, MIN_TARGET_PX)
        self._laid_per_page = 1  # cells a page held when last laid out

    # -- what is shown -----------------------------------------------------------------

    def show_choices(self, choices: list[Choice], page: int = 0) -> None:
        """Show these choices, from the page given (the first by default)."""
        self.choices = list(choices)
        self._measure()
        self.page = max(0, min(page, self.pages - 1))
        self._lay_out()

    @property
    def per_page(self) -> int:
        """How many cells a page holds in the room there is."""
        columns, rows = self._grid()
        return max(1, columns * rows)

    @property
    def pages(self) -> int:
        """How many pages the choices take."""
        return max(1, -(-len(self.choices) // self.per_page))

    def shown(self) -> list[Choice]:
        """The choices on the page showing now."""
        start = self.page * self.per_page
        return self.choices[start : start + self.per_page]

    def turn(self, step: int) -> None:
        """Go `step` pages on (or back), staying within the pages there are."""
        page = max(0, min(self.pages - 1, self.page + step))
        if page != self.page:
            self.page = page
            self._lay_out()

    # -- sizes -------------------------------------------------------------------------

    def apply_theme(self, theme: Theme) -> None:
        """Glyphs far above the body size (to recognise a rare character's strokes)."""
        self._glyph_px = max(round(96 * theme.scale), round(theme.body_px * 2.2))
        self._gap = theme.gap_px
        self.setStyleSheet(
            f'QLabel[role="glyph"] {{ font-size: {self._glyph_px}px; font-weight: normal; }}'
            f'QLabel[role="word"] {{ font-size: {theme.heading_px}px; }}'
        )
        self._target = theme.target_px
        self._measure()
        self._lay_out()

    def _measure(self) -> None:
        """One cell size for every choice: as wide as the widest glyph or line needs."""
        probe = self._probe
        probe.show_choice(Choice("国", "lǎn", "", None))
        probe.ensurePolished()
        probe.big.ensurePolished()
        probe.caption.ensurePolished()
        glyph = QFontMetrics(probe.big.font())
        line = QFontMetrics(probe.caption.font())
        probe.show_choice(Choice("全部", "", "", None, word=True))
        probe.big.ensurePolished()
        word = QFontMetrics(probe.big.font())
        width = round(self._glyph_px * 1.4)
        for choice in self.choices:
            big = (word if choice.word else glyph).horizontalAdvance(choice.big)
            width = max(width, big + 24, line.horizontalAdvance(choice.caption) + 24)
        height = glyph.height() + (line.height() if any(c.caption for c in self.choices) else 0)
        self._cell = QSize(max(self._target, width), max(self._target, height + 24))

    def _grid(self) -> tuple[int, int]:
        cell, gap = self._cell, self._gap
        columns = max(1, (self.width() + gap) // (cell.width() + gap))
        rows = max(1, (self.height() + gap) // (cell.height() + gap))
        return columns, rows

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """At least one cell."""
        return self._cell

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Three rows of cells, if there is room."""
        return QSize(self._cell.width() * 6, self._cell.height() * 3 + self._gap * 2)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """A new size holds another number of cells: lay them out again, same first cell."""
        super().resizeEvent(event)
        first = self.page * self._laid_per_page
        self.page = min(first // self.per_page, self.pages - 1)
        self._lay_out()

    def _lay_out(self) -> None:
        columns, rows = self._grid()
        shown = self.shown()
        while len(self.cells) < len(shown):
            cell = GlyphButton(self)
            cell.clicked.connect(lambda _=False, c=cell: self._tapped(c))
            self.cells.append(cell)
        cell_w, cell_h, gap = self._cell.width(), self._cell.height(), self._gap
        used = min(columns, max(1, len(shown)))
        left = max(0, (self.width() - (used * cell_w + (used - 1) * gap)) // 2)
        for index, cell in enumerate(self.cells):
            if index >= len(shown):
                cell.hide()
                continue
            cell.show_choice(shown[index])
            row, column = divmod(index, columns)
            if row >= rows:
                cell.hide()
                continue
            cell.setGeometry(
                QRect(left + column * (cell_w + gap), row * (cell_h + gap), cell_w, cell_h)
            )
            cell.show()
        self._laid_per_page = self.per_page
        self.paged.emit()

    def _tapped(self, cell: GlyphButton) -> None:
        if cell.choice is not None:
            self.chosen.emit(cell.choice.value)

    def clear(self) -> None:
        """Show nothing (the visit is over)."""
        self.show_choices([])
