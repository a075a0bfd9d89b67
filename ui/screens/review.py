"""The review: the whole complaint on one page in large text (a page at a time when it
does not fit), read aloud on request; touch any part to change it; then send."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHBoxLayout

from kiosk.complaint import Missing
from kiosk.complaint_journey import ReviewRow
from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.shell import KioskShell

#: Rows of the page kept for the heading, the page buttons and the send button.
FIXED_ROWS = 4


class ReviewScreen(Screen):
    """Every answer as a button that opens its step; what is missing first."""

    name = "review"
    description = "Review the whole complaint; touch a part to change it; send"
    nav = Nav.BACK

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.page = 0
        self.per_page = 6
        self.heading = text("heading")
        self.error = text()
        self.error.setObjectName("Warning")
        self.rows: list[IconButton] = []
        self.column.addWidget(self.heading)
        self.column.addWidget(self.error)
        self.list = self.column
        self._rows_at = self.column.count()
        self.column.addStretch(1)
        self.earlier = IconButton("back", "quiet")
        self.earlier.clicked.connect(lambda: self._turn(-1))
        self.later = IconButton("next", "quiet")
        self.later.clicked.connect(lambda: self._turn(1))
        self.read = IconButton("listen", "quiet")
        self.read.clicked.connect(self.read_aloud)
        self.send = IconButton("send", "primary")
        self.send.clicked.connect(self._send)
        self.action_row = QHBoxLayout()
        for button in (self.earlier, self.later, self.read, self.send):
            self.action_row.addWidget(button)
        self.column.addLayout(self.action_row)

    @property
    def missing(self) -> list[Missing]:
        """What the complaint still needs."""
        return list(self.fields.get("missing", []))

    @property
    def answered(self) -> list[ReviewRow]:
        """Every part answered, in the order asked."""
        return [row for row in self.fields.get("rows", []) if row.values]

    def items(self) -> list[tuple[str, str]]:
        """Each line of the review as (step, words): what is missing, then the answers."""
        lines = [
            (gap.step, self.t(N_("Missing: {what}")).format(what=self.t(gap.message)))
            for gap in self.missing
        ]
        for row in self.answered:
            values = [self.t(v) if row.words else v for v in row.values]
            words = self.t(N_("{label}: {value}")).format(
                label=self.t(row.label), value=self._value_words(row, values)
            )
            lines.append((row.step, words))
        return lines

    def _value_words(self, row: ReviewRow, values: list[str]) -> str:
        if row.step == "facts":
            return self.t(N_("{seconds} seconds")).format(seconds=values[0])
        if row.step in ("evidence", "merchant_photo"):
            return self.t(N_("{count} photo(s)")).format(count=values[0])
        return self.t(N_(", ")).join(values)

    def show_result(self, result: Any) -> None:
        """A fresh review starts on its first page."""
        super().show_result(result)
        self.page = 0
        self.retranslate()

    def _turn(self, step: int) -> None:
        pages = self._pages()
        self.page = max(0, min(pages - 1, self.page + step))
        self.retranslate()

    def _pages(self) -> int:
        return max(1, -(-len(self.items()) // self.per_page))

    def _send(self) -> None:
        self.shell.answer({"submit": True})

    def read_aloud(self) -> None:
        """Read the whole complaint, every part in turn."""
        self.shell.say("\n".join(words for _step, words in self.items()))

    def retranslate(self) -> None:
        """Set the words and the page of rows."""
        self.heading.setText(self.t(N_("Please check your complaint")))
        error = str(self.errors.get("missing") or self.errors.get("filing") or "")
        self.error.setText(self.t(error) if error else "")
        self.error.setVisible(bool(error))
        items = self.items()
        shown = items[self.page * self.per_page : (self.page + 1) * self.per_page]
        self._ensure_rows(len(shown))
        theme = self.shell.theme
        margins = self.column.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        width = max(200, width - theme.icon_px - theme.body_px * 3)
        for button, (step, words) in zip(self.rows, shown, strict=False):
            button.setVisible(True)
            button.setProperty("step", step)
            metrics = QFontMetrics(button.text_label().font())
            button.set_text(metrics.elidedText(words, Qt.TextElideMode.ElideRight, width))
            button.setAccessibleName(words)
        for button in self.rows[len(shown) :]:
            button.setVisible(False)
        pages = self._pages()
        self.earlier.set_text(self.t(N_("Previous page")))
        self.later.set_text(
            self.t(N_("Next page ({page} of {pages})")).format(page=self.page + 1, pages=pages)
        )
        self.earlier.setVisible(self.page > 0)
        self.later.setVisible(self.page < pages - 1)
        self.read.set_text(self.t(N_("Read it to me")))
        self.send.set_text(self.t(N_("Send the complaint")))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Long answers are cut to the new width (the whole answer is read aloud)."""
        super().resizeEvent(event)
        self.retranslate()

    def _ensure_rows(self, count: int) -> None:
        while len(self.rows) < count:
            button = IconButton("edit", "quiet")
            button.clicked.connect(lambda _=False, b=button: self._edit(b))
            button.apply_theme(self.shell.theme)
            self.column.insertWidget(self._rows_at + len(self.rows), button)
            self.rows.append(button)

    def _edit(self, button: IconButton) -> None:
        self.shell.answer({"edit": str(button.property("step"))})

    def clear(self) -> None:
        """Forget the page."""
        self.page = 0
        for button in self.rows:
            button.set_text("")
            button.setVisible(False)
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """As many rows a page as the screen holds at this text size."""
        super().apply_theme(theme)
        height = self.shell.height() or 1080
        self.per_page = max(2, height // (theme.target_px + theme.gap_px) - FIXED_ROWS)
        self.action_row.setSpacing(theme.gap_px)
        self.retranslate()
