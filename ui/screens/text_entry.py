"""One question answered by typing, on the large on-screen keyboard with Pinyin; where a
photo can answer instead (the seller's sign), a button for that too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPlainTextEdit

from kiosk.i18n import N_
from ui.glyphs import missing
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.shell import KioskShell
    from ui.widgets.keyboard import OnScreenKeyboard

FULL = N_("This box is full: it takes at most {limit} characters.")
CANT_FIND = N_("Find a character")
UNSHOWN = N_(
    "Some characters may not show clearly on this screen. They are kept as you typed them."
)


class TextEntryScreen(Screen):
    """A question, a big text box, the keyboard under it, and 'Next'."""

    name = "text_entry"
    description = "A question answered by typing on the large on-screen keyboard (Pinyin)"
    # No bottom bar: 'back' sits beside the box, so the keyboard has the room it needs.
    nav = Nav.NONE

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.question = text("heading")
        self.error = text()
        self.error.setObjectName("Warning")
        self.line = QLineEdit()
        self.box = QPlainTextEdit()
        for field in (self.line, self.box):
            field.setProperty("role", "entry")
        self.line.textChanged.connect(self._typed)
        self.box.textChanged.connect(self._typed)
        self.note = text()
        self.photo = IconButton("camera", "quiet")
        self.photo.clicked.connect(self._photo)
        self.next = IconButton("next", "primary")
        self.next.clicked.connect(self._next)
        self.back = IconButton("back", "quiet")
        self.back.clicked.connect(shell.go_back)
        # A character the keyboard lacks (生僻字), found by its reading on a screen of its own.
        self.find_character = IconButton("search", "quiet")
        self.find_character.clicked.connect(self._find_character)
        row = QHBoxLayout()
        row.addWidget(self.back)
        row.addWidget(self.line, 1)
        row.addWidget(self.box, 1)
        row.addWidget(self.find_character)
        row.addWidget(self.photo)
        row.addWidget(self.next)
        self.row = row
        self.column.addWidget(self.question)
        self.column.addWidget(self.error)
        self.column.addLayout(row)
        self.column.addWidget(self.note)
        self.column.addStretch(1)
        self.keyboard: OnScreenKeyboard | None = None
        self._limit = 200

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
            else:
                self.line.setText(wanted)
        self._ensure_keyboard()
        self.retranslate()
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _ensure_keyboard(self) -> None:
        if self.keyboard is not None:
            if self.keyboard.parentWidget() is not self:  # lent to the character finder
                self.column.addWidget(self.keyboard)
                self.keyboard.show()
                self._fit_keyboard()
            return
        from ui.widgets.keyboard import OnScreenKeyboard  # Qt Quick loads on first use

        self.keyboard = OnScreenKeyboard()
        self.column.addWidget(self.keyboard)
        self._fit_keyboard()

    def _fit_keyboard(self) -> None:
        """Give the keys what the question, the box and the buttons leave."""
        if self.keyboard is None:
            return
        margins = self.column.contentsMargins()
        width = max(1, self.width() - margins.left() - margins.right())
        used = margins.top() + margins.bottom()
        shown = [self.question, self.error, self.note]
        for label in shown:
            if label.isVisibleTo(self) and label.text():
                used += label.heightForWidth(width) + self.column.spacing()
        used += max(self.next.sizeHint().height(), self.field.sizeHint().height())
        used += self.column.spacing()
        self.keyboard.fit(self.height() - used)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """The keyboard takes the room left over."""
        super().resizeEvent(event)
        self._fit_keyboard()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """The keys type into this screen's box, in the visit's language."""
        super().showEvent(event)
        if self.keyboard is not None:
            self.keyboard.set_language(self.shell.visit.presentation.language)
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _typed(self) -> None:
        if self.multiline and len(self.box.toPlainText()) > self._limit:
            cursor = self.box.textCursor()
            self.box.setPlainText(self.box.toPlainText()[: self._limit])
            cursor.setPosition(self._limit)
            self.box.setTextCursor(cursor)
        self._show_note()

    def _show_note(self) -> None:
        words = self.typed()
        notes = []
        if len(words) >= self._limit:
            notes.append(self.t(FULL).format(limit=self._limit))
        if missing(words, self.field.font()):
            notes.append(self.t(UNSHOWN))
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))

    def _next(self) -> None:
        self.shell.answer({"text": self.typed()})

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
        self.shell.answer({"text": self.typed(), "photo": True})

    def draft(self) -> dict[str, Any] | None:
        """The text typed so far."""
        return {"text": self.typed()}

    def retranslate(self) -> None:
        """Set the words (what is typed stays as it is)."""
        self.question.setText(self.t(str(self.fields.get("question", ""))))
        error = str(self.errors.get("text", ""))
        self.error.setText(self.t(error) if error else "")
        self.error.setVisible(bool(error))
        photos = int(self.fields.get("photos", 0))
        self.photo.set_text(
            self.t(N_("Photo taken")) if photos else self.t(N_("Take a photo instead"))
        )
        self.photo.setVisible(bool(self.fields.get("photo")))
        self.find_character.set_text(self.t(CANT_FIND))
        self.find_character.setVisible(bool(self.fields.get("find_character")))
        self.next.set_text(self.t(N_("Next")))
        self.back.set_text(self.t(N_("Back")))
        placeholder = self.t(N_("Touch the keys below to type"))
        self.line.setPlaceholderText(placeholder)
        self.box.setPlaceholderText(placeholder)
        self.line.setAccessibleName(self.question.text())
        self.box.setAccessibleName(self.question.text())
        self._show_note()
        self._fit_keyboard()
        if self.keyboard is not None and self.isVisible():
            self.keyboard.set_language(self.shell.visit.presentation.language)

    def clear(self) -> None:
        """Forget what was typed, on screen and in the keyboard's memory."""
        self.line.clear()
        self.box.clear()
        if self.keyboard is not None:
            self.keyboard.forget_visitor()
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """A box as tall as a target (three lines for longer text); keys to match."""
        super().apply_theme(theme)
        self.line.setMinimumHeight(theme.target_px)
        self.box.setFixedHeight(round(theme.body_px * 1.4 * 3 + theme.body_px))
        self.row.setSpacing(theme.gap_px)
        self._fit_keyboard()
