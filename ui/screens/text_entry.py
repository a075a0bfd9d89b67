"""One question answered by typing, on the large on-screen keyboard with Pinyin; where a
photo can answer instead (the seller's sign), a button for that too.

Top to bottom: the question (or, in its place, what is wrong with the answer), the box
with 'back' and 'next' beside it, and the keyboard, which takes the room that is left but
never less than its touch targets need. Nothing moves under the finger: a warning takes the
question's place, which keeps its height, and the box of several lines shows whole lines
only, with buttons to see the lines above and below.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QStackedLayout,
    QWidget,
)

from kiosk.complaint import tidy
from kiosk.i18n import N_
from ui.glyphs import missing
from ui.screens.base import Nav, Screen, text
from ui.theme import MIN_GAP_PX, Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit
    from ui.widgets.keyboard import OnScreenKeyboard

FULL = N_("This box is full: it takes at most {limit} characters.")
CANT_FIND = N_("Find a character")
UNSHOWN = N_(
    "Some characters may not show clearly on this screen. They are kept as you typed them."
)
#: Lines a box of several lines shows: at least these (at the largest text size on a
#: small screen), more where the screen has room.
FEWEST_LINES = 2
MOST_LINES = 6
#: Lines of body text the question's place keeps for a warning.
WARNING_LINES = 2


class TextEntryScreen(Screen):
    """A question, a big text box, the keyboard under it, and 'Next'."""

    name = "text_entry"
    description = "A question answered by typing on the large on-screen keyboard (Pinyin)"
    # No bottom bar: 'back' sits beside the box, so the keyboard has the room it needs.
    bar = Nav.NONE

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        # The question, and in its place what is wrong or worth knowing.
        self.question = text("heading")
        self.error = text()
        self.error.setObjectName("Warning")
        self.note = text()
        self.message = QWidget()
        self.messages = QStackedLayout(self.message)
        for label in (self.question, self.error, self.note):
            self.messages.addWidget(label)
        self.line = QLineEdit()
        self.box = QPlainTextEdit()
        # The box shows whole lines; the buttons beside it move through them.
        self.box.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        for field in (self.line, self.box):
            field.setProperty("role", "entry")
        self.line.textChanged.connect(self._typed)
        self.box.textChanged.connect(self._typed)
        self.box.verticalScrollBar().rangeChanged.connect(self._show_scrolling)
        self.box.verticalScrollBar().valueChanged.connect(self._show_scrolling)
        self.up = IconButton("up", "quiet", stacked=True)
        self.up.clicked.connect(lambda: self._scroll(-1))
        self.down = IconButton("down", "quiet", stacked=True)
        self.down.clicked.connect(lambda: self._scroll(1))
        scrolling = QHBoxLayout()
        scrolling.addWidget(self.up, 0, Qt.AlignmentFlag.AlignTop)
        scrolling.addWidget(self.down, 0, Qt.AlignmentFlag.AlignTop)
        self.scrolling = scrolling
        self.photo = IconButton("camera", "quiet")
        self.photo.clicked.connect(self._photo)
        self.next = IconButton("next", "primary")
        self.next.clicked.connect(self._next)
        self.back = IconButton("back", "quiet")
        self.back.clicked.connect(kit.nav.back)
        # A character the keyboard lacks (生僻字), found by its reading on a screen of its own.
        self.find_character = IconButton("search", "quiet")
        self.find_character.clicked.connect(self._find_character)
        row = QHBoxLayout()
        row.addWidget(self.back, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.line, 1)
        row.addWidget(self.box, 1)
        row.addLayout(scrolling)
        row.addWidget(self.find_character, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.next, 0, Qt.AlignmentFlag.AlignTop)
        self.row = row
        self.column.addWidget(self.message)
        self.column.addLayout(row)
        self.column.addStretch(1)
        self._limit = 200
        self._rejected: str | None = None  # the text the shown warning is about

    @property
    def keyboard(self) -> OnScreenKeyboard | None:
        """The process's one keyboard while this screen holds it (the character finder
        borrows it; another kiosk window takes it)."""
        from ui.widgets.keyboard import existing_keyboard

        keyboard = existing_keyboard()
        return keyboard if keyboard is not None and keyboard.parentWidget() is self else None

    @property
    def multiline(self) -> bool:
        """True for a longer text (what happened)."""
        return bool(self.fields.get("multiline"))

    @property
    def field(self) -> QLineEdit | QPlainTextEdit:
        """The text box in use."""
        return self.box if self.multiline else self.line

    def typed(self) -> str:
        """What is in the box now."""
        return self.box.toPlainText() if self.multiline else self.line.text()

    def show_result(self, result: Any) -> None:
        """Fill the box with the step's text (what was typed before) and give it the keys."""
        super().show_result(result)
        self._limit = int(self.fields.get("limit", 200))
        if self.line.maxLength() != self._limit:  # setting it anew puts the cursor at the end
            self.line.setMaxLength(self._limit)
        wanted = str(self.fields.get("text", ""))
        self.line.setVisible(not self.multiline)
        self.box.setVisible(self.multiline)
        if self.typed() != wanted:
            if self.multiline:
                self.box.setPlainText(wanted)
                self.box.moveCursor(QTextCursor.MoveOperation.End)
            else:
                self.line.setText(wanted)
        self._rejected = self.typed() if self.errors.get("text") else None
        if self.fields.get("find_character"):
            # The finder's dictionary loads while the consumer types, not at start.
            from kiosk.rare_characters import finder

            self.host.run(finder, lambda _finder: None, of_visit=False)
        self._ensure_keyboard()
        self.retranslate()
        self._give_keys()

    def _give_keys(self) -> None:
        """The box takes the focus first, then the keyboard its keys and language: Qt's
        keyboard sets up its capitals key only for a box that has the focus."""
        if not self.isVisible():
            return
        window = self.window()
        if window is not None and not window.isActiveWindow():
            # On a bare X server (no window manager) nothing makes the kiosk the active
            # window, and the keys type only into a box of the active window.
            window.activateWindow()
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)
        self._set_keys()
        if self.keyboard is not None:
            self.keyboard.set_language(self.host.visit.presentation.language)

    def _ensure_keyboard(self) -> None:
        """Take the process's keyboard into this screen (made on first use: Qt Quick loads
        then, not at start), dressed for this visit's text size and language."""
        if self.keyboard is not None:
            return
        from ui.widgets.keyboard import shared_keyboard

        keyboard = shared_keyboard()
        self.column.insertWidget(self.column.count() - 1, keyboard)
        keyboard.show()
        keyboard.apply_theme(self.host.theme)
        keyboard.apply_words(self.t)
        self._set_keys()
        self._fit_keyboard()

    def _set_keys(self) -> None:
        """A receipt number is typed in capitals and digits; other boxes in the visit's
        language."""
        from ui.widgets.keyboard import Keys

        if self.keyboard is None:
            return
        receipt = self.fields.get("keys") == Keys.RECEIPT.value
        self.keyboard.set_keys(Keys.RECEIPT if receipt else Keys.TEXT, self.multiline)
        # Everything typed here is the visitor's own (a name, a street, what happened):
        # the Pinyin engine must not learn it into its dictionary for the next visitor.
        # Capitals only where the visitor asks for them (the capitals key), never guessed.
        hints = Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoAutoUppercase
        if receipt:
            hints |= Qt.InputMethodHint.ImhLatinOnly | Qt.InputMethodHint.ImhNoPredictiveText
        self.line.setInputMethodHints(hints)
        self.box.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoAutoUppercase
        )

    # -- room -------------------------------------------------------------------------

    def _fit_keyboard(self) -> None:
        """Share the height: the message its place, the box whole lines, the keys the rest
        (never less than a finger needs)."""
        theme = self.host.theme
        margins = self.column.contentsMargins()
        width = max(1, self.width() - margins.left() - margins.right())
        spacing = self.column.spacing()
        smallest = self.keyboard.smallest_height() if self.keyboard is not None else 0
        shown = self.messages.currentWidget()
        question = self.question.heightForWidth(width)
        now = shown.heightForWidth(width) if shown is not None else question
        line = max(1, QFontMetrics(self.box.font()).lineSpacing())
        frame = self._box_frame()
        # The box: as tall as the buttons beside it (and whole lines when it has several).
        fewest = max(FEWEST_LINES, -(-(theme.target_px - frame) // line))
        box = fewest * line + frame if self.multiline else theme.target_px
        # The question's place keeps room for a warning of two lines, so that a warning
        # moves nothing; where the keys would lose their room for it (the largest text
        # on a small screen), a longer warning takes the room when it comes.
        body = QFontMetrics(self.error.font()).lineSpacing()
        warning = WARNING_LINES * body + theme.gap_px
        fixed = margins.top() + margins.bottom() + spacing * 2
        if fixed + max(question, warning) + box + smallest > self.height():
            warning = 0
        place = max(question, warning, now)
        self.message.setFixedHeight(place)
        used = fixed + place
        if self.multiline:
            # As many lines more as the keys leave room for.
            room = self.height() - used - smallest
            lines = max(fewest, min(MOST_LINES, (room - frame) // line))
            self.box.setFixedHeight(lines * line + frame)
            used += self.box.height()
        else:
            used += max(self.next.sizeHint().height(), self.line.sizeHint().height())
        if self.keyboard is not None:
            self.keyboard.fit(self.height() - used, theme)

    def _box_frame(self) -> int:
        """What the box of several lines takes above and below its lines: its border and
        padding (the contents margins) and the document's own margin."""
        document = round(self.box.document().documentMargin())
        margins = self.box.contentsMargins()
        return 2 * document + margins.top() + margins.bottom()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """The keyboard takes the room left over."""
        super().resizeEvent(event)
        self._fit_keyboard()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """The keys type into this screen's box, in the visit's language."""
        super().showEvent(event)
        self._give_keys()

    # -- typing -------------------------------------------------------------------------

    def _typed(self) -> None:
        if self.multiline and len(self.box.toPlainText()) > self._limit:
            cursor = self.box.textCursor()
            self.box.setPlainText(self.box.toPlainText()[: self._limit])
            cursor.setPosition(self._limit)
            self.box.setTextCursor(cursor)
        if self.keyboard is not None and self._receipt():
            self._capitals()
        if self._rejected is not None and self._answer_now_fits():
            # The warning goes as soon as the answer is one the kiosk can take.
            self._rejected = None
        self._show_message()

    def _receipt(self) -> bool:
        return self.fields.get("keys") == "receipt"

    def _capitals(self) -> None:
        """A receipt number's letters are capitals, as printed."""
        typed = self.line.text()
        if typed != typed.upper():
            at = self.line.cursorPosition()
            self.line.setText(typed.upper())
            self.line.setCursorPosition(at)

    def _answer_now_fits(self) -> bool:
        words = tidy(self.typed())
        return bool(words) and len(words) <= self._limit and self.typed() != self._rejected

    def _show_message(self) -> None:
        """The question, or in its place the warning, or a note about what was typed."""
        words = self.typed()
        notes = []
        if len(words) >= self._limit:
            notes.append(self.t(FULL).format(limit=self._limit))
        if missing(words, self.field.font()):
            notes.append(self.t(UNSHOWN))
        self.note.setText(" ".join(notes))
        error = str(self.errors.get("text", "")) if self._rejected is not None else ""
        self.error.setText(self.t(error) if error else "")
        if error:
            self.messages.setCurrentWidget(self.error)
        elif notes:
            self.messages.setCurrentWidget(self.note)
        else:
            self.messages.setCurrentWidget(self.question)
        # Hidden labels of the stack keep their text for the screen reader: clear them.
        self.note.setVisible(self.messages.currentWidget() is self.note)
        self.error.setVisible(self.messages.currentWidget() is self.error)

    def _scroll(self, lines: int) -> None:
        bar = self.box.verticalScrollBar()
        bar.setValue(bar.value() + lines * max(1, bar.pageStep() - 1))

    def _show_scrolling(self, *_args: object) -> None:
        bar = self.box.verticalScrollBar()
        longer = self.multiline and bar.maximum() > 0
        self.up.setVisible(longer)
        self.down.setVisible(longer)
        self.up.setEnabled(bar.value() > bar.minimum())
        self.down.setEnabled(bar.value() < bar.maximum())

    def _next(self) -> None:
        self.host.answer({"text": self.typed()})

    def _find_character(self) -> None:
        from ui.screens.character_finder import look_up_from

        look_up_from(self)

    def insert_character(self, character: str) -> None:
        """Put a character found by the finder where the cursor is."""
        if self.multiline:
            cursor = self.box.textCursor()
            cursor.insertText(character)
            self.box.setTextCursor(cursor)
        else:
            self.line.insert(character)

    def _photo(self) -> None:
        self.host.answer({"text": self.typed(), "photo": True})

    def draft(self) -> dict[str, Any] | None:
        """The text typed so far."""
        return {"text": self.typed()}

    def retranslate(self) -> None:
        """Set the words (what is typed stays as it is)."""
        self.question.setText(self.t(str(self.fields.get("question", ""))))
        photos = int(self.fields.get("photos", 0))
        self.photo.set_text(
            self.t(N_("Photo taken")) if photos else self.t(N_("Take a photo instead"))
        )
        self.photo.setVisible(bool(self.fields.get("photo")))
        self.find_character.set_text(self.t(CANT_FIND))
        self.find_character.setVisible(bool(self.fields.get("find_character")))
        self.next.set_text(self.t(N_("Next")))
        self.back.set_text(self.t(N_("Back")))
        self.up.set_text(self.t(N_("Up")))
        self.down.set_text(self.t(N_("Down")))
        placeholder = self.t(N_("Touch the keys below to type"))
        self.line.setPlaceholderText(placeholder)
        self.box.setPlaceholderText(placeholder)
        self.line.setAccessibleName(self.question.text())
        self.box.setAccessibleName(self.question.text())
        self._show_message()
        self._show_scrolling()
        if self.keyboard is not None:
            self.keyboard.apply_words(self.t)
        self._fit_keyboard()
        if self.keyboard is not None and self.isVisible():
            self.keyboard.set_language(self.host.visit.presentation.language)

    def clear(self) -> None:
        """Forget what was typed, on screen and in the keyboard's memory."""
        self.line.clear()
        self.box.clear()
        self._rejected = None
        keys = sys.modules.get("ui.widgets.keyboard")  # none made yet: nothing to forget
        keyboard = keys.existing_keyboard() if keys is not None else None
        if keyboard is not None:  # wherever it is now (the finder may hold it)
            keyboard.forget_visitor()
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """A box as tall as a target (whole lines for longer text); keys to match."""
        super().apply_theme(theme)
        self.line.setMinimumHeight(theme.target_px)
        self.row.setSpacing(theme.gap_px)
        self.scrolling.setSpacing(theme.gap_px)
        # The keyboard's tray reaches the screen's foot, and the question, the box and the
        # keys sit close: the keys' own margin makes the gap between targets, and the room
        # goes to the keys (the largest text on a small screen needs every pixel).
        margins = self.column.contentsMargins()
        self.column.setContentsMargins(margins.left(), theme.gap_px // 2, margins.right(), 0)
        self.column.setSpacing(MIN_GAP_PX // 2)
        if self.keyboard is not None:
            self.keyboard.apply_theme(theme)
        self._fit_keyboard()
