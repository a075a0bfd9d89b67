"""The review: the whole complaint on one page in large text (a page at a time when it
does not fit), read aloud on request; touch any part to change it; then send.

The page buttons keep their places (one never moves into the other's), the page count is
a label of its own between them, and 'Send' shows once every part has been on screen.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QStackedLayout, QWidget

from kiosk.complaint import Missing, ReviewRow, Says
from kiosk.i18n import N_, day_words
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit

#: Rows of the screen kept for the header, the heading, the page and send buttons and
#: the bottom bar, before the screen has its size.
FIXED_ROWS = 4


def _keep_place(widget: QWidget) -> None:
    # Hidden, it still holds its room: what stands beside it does not move.
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


class ReviewScreen(Screen):
    """Every answer as a button that opens its step; what is missing first."""

    name = "review"
    description = "Review the whole complaint; touch a part to change it; send"
    bar = Nav.BACK

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.page = 0
        self.per_page = 6
        self.seen: set[str] = set()  # the lines the consumer has had on screen
        self._changed = ""  # the part the consumer went to change
        self.heading = text("heading")
        self.error = text()
        self.error.setObjectName("Warning")
        self.rows: list[IconButton] = []
        self.read = IconButton("listen", "quiet")
        self.read.clicked.connect(self.read_aloud)
        # Reading aloud beside the heading: the foot of the page is the pages' and the
        # sending's, and the answers get the rest of the height.
        self.top_row = QHBoxLayout()
        self.top_row.addWidget(self.heading, 1)
        self.top_row.addWidget(self.read)
        self.column.addLayout(self.top_row)
        self.column.addWidget(self.error)
        self._rows_at = self.column.count()
        self.column.addStretch(1)
        self.earlier = IconButton("back", "quiet")
        self.earlier.clicked.connect(lambda: self._turn(-1))
        self.page_count = text()
        self.later = IconButton("next", "primary")
        self.later.clicked.connect(lambda: self._turn(1))
        self.send = IconButton("send", "primary")
        self.send.clicked.connect(self._send)
        # Until every page was seen, the send button's place says why it is not there yet.
        self.send_hint = text()
        self.send_place = QWidget()
        self.send_stack = QStackedLayout(self.send_place)
        self.send_stack.setContentsMargins(0, 0, 0, 0)
        self.send_stack.addWidget(self.send)
        self.send_stack.addWidget(self.send_hint)
        for widget in (self.earlier, self.later, self.send_place):
            _keep_place(widget)
        self.page_count.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # 'Previous', the page count, 'Next' and 'Send', each always in its own place
        # (hidden, a button keeps its room): a second tap never lands on another button.
        self.action_row = QHBoxLayout()
        self.action_row.addWidget(self.earlier)
        self.action_row.addWidget(self.page_count, 1)
        self.action_row.addWidget(self.later)
        self.action_row.addWidget(self.send_place)
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
        return [(step, words) for _key, step, words in self._lines()]

    def _lines(self) -> list[tuple[str, str, str]]:
        """Each line as (key, step, words); the key, in no language, names what the line
        says, so a line seen stays seen when the language changes."""
        lines = [
            (
                f"missing:{gap.step}",
                gap.step,
                self.t(N_("Missing: {what}")).format(what=self.t(gap.message)),
            )
            for gap in self.missing
        ]
        for row in self.answered:
            values = [self._value(row, v) for v in row.values]
            words = self.t(N_("{label}: {value}")).format(
                label=self.t(row.label), value=self._value_words(row, values)
            )
            lines.append((f"{row.step}:{row.values!r}", row.step, words))
        return lines

    def _value(self, row: ReviewRow, value: str) -> str:
        if row.says is Says.WORDS:
            return self.t(value)
        if row.says is Says.DAY:
            today = dt.date.today()
            return day_words(dt.date.fromisoformat(value), self.host.translator.language, today)
        return value

    def _value_words(self, row: ReviewRow, values: list[str]) -> str:
        if row.says is Says.SECONDS:
            return self.t(N_("{seconds} seconds")).format(seconds=values[0])
        if row.says is Says.PHOTOS:
            return self.t(N_("{count} photo(s)")).format(count=values[0])
        return self.t(N_(", ")).join(values)

    def show_result(self, result: Any) -> None:
        """A fresh review starts on its first page; back from a change, on the page of
        what was changed (what was seen stays seen)."""
        changed = self._changed
        super().show_result(result)
        steps = [step for step, _words in self.items()]
        self.page = steps.index(changed) // self.per_page if changed in steps else 0
        self._changed = ""
        self.retranslate()

    def _turn(self, step: int) -> None:
        pages = self._pages()
        self.page = max(0, min(pages - 1, self.page + step))
        self.retranslate()

    def _pages(self) -> int:
        return max(1, -(-len(self.items()) // self.per_page))

    def _send(self) -> None:
        self.host.answer({"submit": True})

    def read_aloud(self) -> None:
        """Read the whole complaint, every part in turn."""
        self.host.say("\n".join(words for _step, words in self.items()))

    def retranslate(self) -> None:
        """Set the words and the page of rows."""
        self.heading.setText(self.t(N_("Please check your complaint")))
        error = str(self.errors.get("missing") or self.errors.get("filing") or "")
        self.error.setText(self.t(error) if error else "")
        self.error.setVisible(bool(error))
        lines = self._lines()
        self.per_page = self._rows_that_fit()
        # A larger text size holds fewer lines a page: stay within the pages there are.
        self.page = min(self.page, max(0, -(-len(lines) // self.per_page) - 1))
        on_page = lines[self.page * self.per_page : (self.page + 1) * self.per_page]
        shown = [(step, words) for _key, step, words in on_page]
        self._ensure_rows(len(shown))
        theme = self.host.theme
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
        self.seen.update(key for key, _step, _words in on_page)
        pages = self._pages()
        self.earlier.set_text(self.t(N_("Previous page")))
        self.later.set_text(self.t(N_("Next page")))
        self.page_count.setText(
            self.t(N_("Page {page} of {pages}")).format(page=self.page + 1, pages=pages)
        )
        several = pages > 1
        self.earlier.setVisible(several and self.page > 0)
        self.later.setVisible(several and self.page < pages - 1)
        self.page_count.setVisible(several)
        self.read.set_text(self.t(N_("Read it to me")))
        self.send.set_text(self.t(N_("Send the complaint")))
        # Sent only once every part was on screen: 'Next page' leads there till then.
        ready = all(key in self.seen for key, _step, _words in lines)
        self._fit_send_place()
        self.send_stack.setCurrentWidget(self.send if ready else self.send_hint)
        self.later.set_role("quiet" if ready else "primary", theme)

    def _fit_send_place(self) -> None:
        """One size for the send button's place, whichever of the two it shows: the
        button's own (the hint is short enough to sit in it)."""
        self.send_hint.setText(self.t(N_("See every page first")))
        self.send_hint.ensurePolished()
        button = self.send.sizeHint()
        height = max(button.height(), self.send_hint.heightForWidth(button.width()))
        self.send_place.setFixedSize(button.width(), height)

    def _rows_that_fit(self) -> int:
        """As many answers a page as the screen's height holds at this text size, between
        the heading (and a warning) and the row of page and send buttons."""
        theme = self.host.theme
        row, gap = theme.target_px, theme.gap_px
        height = self.height()
        if not self.isVisible() or height <= row * 4:
            # Not laid out yet: a guess from the window's height.
            whole = self.window().height() or 1080
            return max(2, whole // (row + gap) - FIXED_ROWS)
        margins = self.column.contentsMargins()
        width = max(1, self.width() - margins.left() - margins.right())
        self.heading.ensurePolished()
        top = max(row, self.heading.heightForWidth(max(1, width - self.read.sizeHint().width())))
        foot = max(row, self.send_place.height())
        taken = margins.top() + margins.bottom() + top + gap + foot
        if self.error.text():
            taken += self.error.heightForWidth(width) + gap
        # Each answer takes its row and the gap above it.
        return max(2, (height - taken) // (row + gap))

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """On screen, the page holds as many answers as fit."""
        super().showEvent(event)
        self.retranslate()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Long answers are cut to the new width (the whole answer is read aloud)."""
        super().resizeEvent(event)
        self.retranslate()

    def _ensure_rows(self, count: int) -> None:
        while len(self.rows) < count:
            button = IconButton("edit", "quiet")
            button.clicked.connect(lambda _=False, b=button: self._edit(b))
            button.apply_theme(self.host.theme)
            self.column.insertWidget(self._rows_at + len(self.rows), button)
            self.rows.append(button)

    def _edit(self, button: IconButton) -> None:
        self._changed = str(button.property("step"))
        self.host.answer({"edit": self._changed})

    def clear(self) -> None:
        """Forget the page and what was seen."""
        self.page = 0
        self.seen.clear()
        self._changed = ""
        for button in self.rows:
            button.set_text("")
            button.setVisible(False)
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """As many rows a page as the screen holds at this text size."""
        super().apply_theme(theme)
        self.top_row.setSpacing(theme.gap_px)
        self.action_row.setSpacing(theme.gap_px)
        # Half the usual margin above and below: room for one more answer a page.
        margins = self.column.contentsMargins()
        self.column.setContentsMargins(
            margins.left(), theme.gap_px // 2, margins.right(), theme.gap_px // 2
        )
        self.retranslate()
