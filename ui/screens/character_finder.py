"""Finding a character the keyboard lacks (生僻字): the consumer types its reading, sees every
character read so, large, narrows them by a part (the radical), the strokes or the tone,
and taps the one; it goes into the question's box where the cursor was, and everything
typed there before stays."""

from __future__ import annotations

import dataclasses
import enum
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import N_
from kiosk.journeys import ShowScreen
from kiosk.rare_characters import (
    Character,
    CharacterFinder,
    narrow,
    parse_reading,
    radicals_among,
    strokes_among,
    tones_among,
)
from ui import glyphs
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.glyph_grid import Choice, GlyphGrid

if TYPE_CHECKING:
    from ui.host import ScreenKit
    from ui.widgets.keyboard import OnScreenKeyboard

log = logging.getLogger(__name__)

READING_PROMPT = N_(
    "To find a character the keyboard does not have, type how it is read in Pinyin, "
    "for example l a n. Then touch 'Show the characters'."
)
CHOOSE_PROMPT = N_(
    "Touch the character you are looking for. To see fewer, touch 'Part', 'Strokes' or 'Tone'."
)
PART_PROMPT = N_("Touch the part of the character you are looking for: its radical.")
STROKES_PROMPT = N_("Touch how many strokes the character has.")
TONE_PROMPT = N_("Touch how the character is said: its tone.")
NOT_PINYIN = N_("Please type the reading in Pinyin letters, for example: lan.")
NONE_FOUND = N_("No character is read '{reading}'. Please check the Pinyin.")
TRY_ALIKE = N_("Or try a reading that sounds alike:")
LOADING = N_("Looking up the characters. This takes a moment.")
BROKEN = N_(
    "Finding characters does not work just now. Type what you can, or call for help: "
    "the staff can help you."
)
TONE_NAMES = {
    1: N_("1st tone"),
    2: N_("2nd tone"),
    3: N_("3rd tone"),
    4: N_("4th tone"),
    5: N_("neutral tone"),
}


class Mode(enum.Enum):
    """What the screen asks now."""

    READING = "reading"  # type the reading
    CHARACTERS = "characters"  # touch the character
    PARTS = "parts"  # touch its radical
    STROKES = "strokes"  # touch its number of strokes
    TONES = "tones"  # touch its tone


PROMPTS = {
    Mode.READING: READING_PROMPT,
    Mode.CHARACTERS: CHOOSE_PROMPT,
    Mode.PARTS: PART_PROMPT,
    Mode.STROKES: STROKES_PROMPT,
    Mode.TONES: TONE_PROMPT,
}


def look_up_from(screen: Screen) -> None:
    """Open the finder for a text question's screen; it comes back there with the
    character. The step stays the question's (the step counter does not move)."""
    asked = screen.result
    fields = dict(screen.fields)
    fields["return_to"] = screen.name
    step = asked.step if isinstance(asked, ShowScreen) else ""
    screen.nav.show(
        "character_finder", ShowScreen(step, "character_finder", READING_PROMPT, fields)
    )


class CharacterFinderScreen(Screen):
    """Type a reading; touch the character among those read so; back to the question."""

    name = "character_finder"
    description = "Find a character the keyboard lacks: by its reading, its part or strokes"
    # 'Back' sits on the screen itself, beside the reading or under the characters.
    bar = Nav.NONE

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.finder: CharacterFinder | None = None
        self._loading = False
        self._search_when_loaded = False
        self.mode = Mode.READING
        self.found: list[Character] = []
        self.part: str | None = None
        self.strokes: int | None = None
        self.tone: int | None = None
        self.keyboard: OnScreenKeyboard | None = None

        self.heading = text("heading")
        self.hint = text()
        self.error = text()
        self.error.setObjectName("Warning")
        self.column.addWidget(self.heading)
        self.column.addWidget(self.hint)
        self.column.addWidget(self.error)
        self.typing = self._typing_part()
        self.column.addWidget(self.typing, 1)
        self.choosing = self._choosing_part()
        self.column.addWidget(self.choosing, 1)
        self.choosing.hide()

    def _typing_part(self) -> QWidget:
        """The reading's box, its button and the keyboard's place."""
        part = QWidget()
        typing = QVBoxLayout(part)
        typing.setContentsMargins(0, 0, 0, 0)
        self.typing_column = typing
        self.back = IconButton("back", "quiet")
        self.back.clicked.connect(self.go_back)
        self.reading = QLineEdit()
        self.reading.setProperty("role", "entry")
        self.reading.setMaxLength(12)
        # Letters (and a tone digit) only: no Pinyin composing, no English guesses. The
        # keyboard keeps the visit's language (its words on the keys): switching it to
        # English and back left the Pinyin words' bar hidden.
        self.reading.setInputMethodHints(
            Qt.InputMethodHint.ImhLatinOnly
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhNoAutoUppercase
            | Qt.InputMethodHint.ImhPreferLowercase
        )
        self.reading.returnPressed.connect(self.search)
        self.reading.textChanged.connect(self._reading_changed)
        self.show_them = IconButton("search", "primary")
        self.show_them.clicked.connect(self.search)
        row = QHBoxLayout()
        row.addWidget(self.back)
        row.addWidget(self.reading, 1)
        row.addWidget(self.show_them)
        self.reading_row = row
        typing.addLayout(row)
        self.alike_row = QHBoxLayout()
        self.alike_words = QLabel()
        self.alike_words.setWordWrap(True)
        self.alike_row.addWidget(self.alike_words)
        self.alike: list[IconButton] = []
        self.alike_row.addStretch(1)
        typing.addLayout(self.alike_row)
        typing.addStretch(1)
        self.keys_slot = QVBoxLayout()
        self.keys_slot.setContentsMargins(0, 0, 0, 0)
        typing.addLayout(self.keys_slot)
        return part

    def _choosing_part(self) -> QWidget:
        """The page of characters between its page buttons, and what narrows them."""
        part = QWidget()
        choosing = QVBoxLayout(part)
        choosing.setContentsMargins(0, 0, 0, 0)
        self.choosing_column = choosing
        grid_row = QHBoxLayout()
        self.grid = GlyphGrid()
        self.grid.chosen.connect(self._chosen)
        self.grid.paged.connect(self._show_page)
        self.earlier = IconButton("back", "quiet", stacked=True)
        self.earlier.clicked.connect(lambda: self.grid.turn(-1))
        self.later = IconButton("next", "quiet", stacked=True)
        self.later.clicked.connect(lambda: self.grid.turn(1))
        for button in (self.earlier, self.later):
            # As tall as the page of characters: easy to find and to hit.
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        grid_row.addWidget(self.earlier)
        grid_row.addWidget(self.grid, 1)
        grid_row.addWidget(self.later)
        self.grid_row = grid_row
        choosing.addLayout(grid_row, 1)
        actions = QHBoxLayout()
        self.back_to_reading = IconButton("back", "quiet")
        self.back_to_reading.clicked.connect(self.go_back)
        self.by_part = IconButton("search", "quiet")
        self.by_part.clicked.connect(lambda: self._ask(Mode.PARTS))
        self.by_strokes = IconButton("edit", "quiet")
        self.by_strokes.clicked.connect(lambda: self._ask(Mode.STROKES))
        self.by_tone = IconButton("listen", "quiet")
        self.by_tone.clicked.connect(lambda: self._ask(Mode.TONES))
        self.page_words = text()
        for button in (self.back_to_reading, self.by_part, self.by_strokes, self.by_tone):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.page_words)
        self.action_row = actions
        choosing.addLayout(actions)
        return part

    # -- coming and going --------------------------------------------------------------

    @property
    def return_to(self) -> str:
        """The question's screen the character goes to."""
        return str(self.fields.get("return_to", "text_entry"))

    def show_result(self, result: Any) -> None:
        """A new look-up starts empty; the same one shown again (after the idle warning,
        or the attendant's panel) is kept as it was."""
        if result is not self.result:
            self._start_over()
        super().show_result(result)
        self._take_keyboard()
        self._load()
        self._show_mode()

    def _start_over(self) -> None:
        self.mode = Mode.READING
        self.found = []
        self.part = self.strokes = self.tone = None
        self.reading.clear()
        self.grid.clear()
        self._search_when_loaded = False

    def go_back(self) -> None:
        """One step back: from a list to the characters, from the characters to the
        reading, from the reading to the question (what was typed there is kept)."""
        if self.mode in (Mode.PARTS, Mode.STROKES, Mode.TONES):
            self._set_mode(Mode.CHARACTERS)
        elif self.mode is Mode.CHARACTERS:
            self._set_mode(Mode.READING)
        else:
            self._return("")

    def _return(self, character: str) -> None:
        question = self.nav.screen(self.return_to)
        add = getattr(question, "insert_character", None)
        if character and add is not None:
            add(character)
        asked = question.result
        typed = getattr(question, "typed", None)
        if isinstance(asked, ShowScreen) and typed is not None:
            # The question shows what is in its box now, not what it was first shown with.
            asked = dataclasses.replace(asked, fields={**asked.fields, "text": typed()})
            self.host.keep_draft({"text": typed()})
        self._give_keyboard_back()
        self.nav.show(self.return_to, asked)

    def _take_keyboard(self) -> None:
        """The text screen's keyboard types here while this screen shows (Qt has one
        keyboard panel an application)."""
        question = self.nav.screen(self.return_to)
        keyboard = getattr(question, "keyboard", None)
        if keyboard is None:
            return
        self.keyboard = keyboard
        if keyboard.parentWidget() is not self.typing:
            self.keys_slot.addWidget(keyboard)
        keyboard.show()
        from ui.widgets.keyboard import Keys

        # Small letters and the tones' digits, with the words on the keys in the visit's
        # language (the text screen sets its own keys again when it shows).
        keyboard.set_keys(Keys.READING)
        keyboard.set_language(self.host.visit.presentation.language)
        self._fit_keyboard()

    def _give_keyboard_back(self) -> None:
        # The text screen puts it back among its own widgets when it shows again.
        self.keyboard = None

    # -- the reading ---------------------------------------------------------------------

    def _load(self) -> None:
        """Read the dictionary once, off the UI thread, while the consumer types."""
        if self.finder is not None or self._loading:
            return
        from kiosk.rare_characters import finder
        from kiosk.rare_characters import loaded as already_loaded

        self.finder = already_loaded()
        if self.finder is not None:
            return

        self._loading = True

        def loaded(found: CharacterFinder) -> None:
            self._loading = False
            self.finder = found
            if self._search_when_loaded:
                self._search_when_loaded = False
                self.search()

        def failed(error: BaseException) -> None:
            self._loading = False
            log.error("the character finder could not load: %s", error)
            if self._search_when_loaded:
                self._search_when_loaded = False
                self._warn(self.t(BROKEN))

        self.host.run(finder, loaded, failed, of_visit=False)

    def _reading_changed(self) -> None:
        if self.error.isVisible():
            self.error.hide()
            self._show_alike([])
            self._fit_keyboard()

    def search(self) -> None:
        """Find every character read as typed; say so when there is none."""
        typed = self.reading.text()
        reading = parse_reading(typed)
        if reading is None:
            self._warn(self.t(NOT_PINYIN))
            return
        self._load()
        if self.finder is None:
            self._search_when_loaded = True
            self._warn(self.t(LOADING))
            return
        # A character no font of the kiosk has would show as an empty box: left out.
        font = glyphs.kiosk_font()
        found = [c for c in self.finder.find(typed) if glyphs.draws(c.text, font)]
        if not found:
            alike = self.finder.alike(typed)
            self._warn(self.t(NONE_FOUND).format(reading=typed.strip()))
            self._show_alike(alike)
            return
        self.found = found
        self.part = self.strokes = None
        self.tone = reading.tone
        self._set_mode(Mode.CHARACTERS)

    def _warn(self, words: str) -> None:
        self.error.setText(words)
        self.error.show()
        self._fit_keyboard()
        self.host.say(words)

    def _show_alike(self, readings: list[str]) -> None:
        while len(self.alike) < len(readings):
            button = IconButton("search", "quiet")
            button.clicked.connect(lambda _=False, b=button: self._try_alike(b))
            button.apply_theme(self.host.theme)
            self.alike_row.insertWidget(1 + len(self.alike), button)
            self.alike.append(button)
        for button, reading in zip(self.alike, readings, strict=False):
            button.set_text(reading)
            button.setProperty("reading", reading)
            button.show()
        for button in self.alike[len(readings) :]:
            button.hide()
        self.alike_words.setText(self.t(TRY_ALIKE) if readings else "")
        self.alike_words.setVisible(bool(readings))

    def _try_alike(self, button: IconButton) -> None:
        self.reading.setText(str(button.property("reading")))
        self.search()

    # -- choosing ----------------------------------------------------------------------

    def narrowed(self, leave_out: Mode | None = None) -> list[Character]:
        """The characters found, narrowed by what was chosen (but the one being asked)."""
        return narrow(
            self.found,
            radical=None if leave_out is Mode.PARTS else self.part,
            strokes=None if leave_out is Mode.STROKES else self.strokes,
            tone=None if leave_out is Mode.TONES else self.tone,
        )

    def _ask(self, mode: Mode) -> None:
        self._set_mode(mode)

    def _set_mode(self, mode: Mode) -> None:
        self.mode = mode
        self._show_mode()
        self.host.say(self.t(PROMPTS[mode]))

    def spoken_prompt(self) -> str:
        """What the screen asks now."""
        return PROMPTS[self.mode]

    def _chosen(self, value: Any) -> None:
        if self.mode is Mode.CHARACTERS:
            self._return(str(value))
            return
        if self.mode is Mode.PARTS:
            self.part = value
        elif self.mode is Mode.STROKES:
            self.strokes = value
        elif self.mode is Mode.TONES:
            self.tone = value
        self._set_mode(Mode.CHARACTERS)

    def _choices(self) -> list[Choice]:
        t = self.t
        if self.mode is Mode.READING:
            return []
        if self.mode is Mode.CHARACTERS:
            return [
                Choice(c.text, " ".join(c.readings[:2]), f"{c.text} {c.reading}", c.text)
                for c in self.narrowed()
            ]
        every = Choice(t(N_("All")), "", t(N_("All")), None, word=True)
        if self.mode is Mode.PARTS:
            parts = radicals_among(self.narrowed(leave_out=Mode.PARTS))
            return [dataclasses.replace(every, chosen=self.part is None)] + [
                Choice(
                    radical.side or radical.shape,
                    radical.shape if radical.side else "",
                    radical.shapes,
                    radical.key,
                    chosen=radical.key == self.part,
                )
                for radical, _count in parts
            ]
        if self.mode is Mode.STROKES:
            counts = strokes_among(self.narrowed(leave_out=Mode.STROKES))
            return [dataclasses.replace(every, chosen=self.strokes is None)] + [
                Choice(
                    str(strokes),
                    t(N_("strokes")),
                    t(N_("{count} strokes")).format(count=strokes),
                    strokes,
                    word=True,
                    chosen=strokes == self.strokes,
                )
                for strokes, _count in counts
            ]
        tones = tones_among(self.narrowed(leave_out=Mode.TONES))
        return [dataclasses.replace(every, chosen=self.tone is None)] + [
            Choice(
                marked,
                t(TONE_NAMES[tone]),
                f"{marked} {t(TONE_NAMES[tone])}",
                tone,
                word=True,
                chosen=tone == self.tone,
            )
            for marked, tone, _count in tones
        ]

    # -- drawing -----------------------------------------------------------------------

    def _show_mode(self) -> None:
        reading = self.mode is Mode.READING
        self.typing.setVisible(reading)
        self.choosing.setVisible(not reading)
        if reading:
            if self.keyboard is not None:
                self.keyboard.show()
            self.reading.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.grid.show_choices(self._choices())
        self.retranslate()

    def _show_page(self) -> None:
        grid = self.grid
        self.earlier.setEnabled(grid.page > 0)
        self.later.setEnabled(grid.page < grid.pages - 1)
        self.page_words.setText(
            self.t(N_("Page {page} of {pages}")).format(page=grid.page + 1, pages=grid.pages)
        )

    def retranslate(self) -> None:
        """Set the words for what the screen asks now."""
        t = self.t
        typed = self.reading.text().strip()
        if self.mode is Mode.READING:
            self.heading.setText(t(N_("Find a character the keyboard does not have")))
            self.hint.setText(
                t(N_("Type how it is read, in Pinyin, for example: lan. A tone may follow: lan3."))
            )
        elif self.mode is Mode.CHARACTERS:
            count = len(self.narrowed())
            self.heading.setText(
                t(N_("Characters read '{reading}': {count}. Touch the one you want.")).format(
                    reading=typed, count=count
                )
            )
            self.hint.setText("")
        else:
            self.heading.setText(t(PROMPTS[self.mode]))
            self.hint.setText("")
        self.hint.setVisible(bool(self.hint.text()))  # unless the keys need its room
        if self.mode is not Mode.READING:
            self.error.hide()
        self.back.set_text(t(N_("Back")))
        self.show_them.set_text(t(N_("Show the characters")))
        self.reading.setPlaceholderText(t(N_("Pinyin, for example lan")))
        self.reading.setAccessibleName(self.heading.text())
        self.back_to_reading.set_text(t(N_("Back")))
        radical = next(
            (c.radical for c in self.found if c.radical is not None and c.radical.key == self.part),
            None,
        )
        self.by_part.set_text(
            t(N_("Part: {part}")).format(part=radical.shapes) if radical else t(N_("Part"))
        )
        self.by_strokes.set_text(
            t(N_("Strokes: {count}")).format(count=self.strokes)
            if self.strokes is not None
            else t(N_("Strokes"))
        )
        self.by_tone.set_text(
            t(N_("Tone: {tone}")).format(tone=t(TONE_NAMES[self.tone]))
            if self.tone is not None
            else t(N_("Tone"))
        )
        finder = self.finder
        self.by_part.setVisible(finder is None or finder.has_parts)
        self.by_strokes.setVisible(finder is None or finder.has_parts)
        self.earlier.set_text(t(N_("Previous")))
        self.later.set_text(t(N_("More")))
        if self.alike_words.isVisible():
            self.alike_words.setText(t(TRY_ALIKE))
        if self.choosing.isVisible():
            self.grid.show_choices(self._choices(), self.grid.page)
        self._show_page()
        self._fit_keyboard()
        if self.keyboard is not None and self.isVisible() and self.mode is Mode.READING:
            self.keyboard.set_language(self.host.visit.presentation.language)

    def _fit_keyboard(self) -> None:
        """The keys take the room the words and the reading's box leave; the line that
        explains gives way where the keys would not fit whole (the largest text)."""
        if self.keyboard is None or self.mode is not Mode.READING:
            return
        margins = self.column.contentsMargins()
        width = max(1, self.width() - margins.left() - margins.right())
        spacing = self.column.spacing()
        used = margins.top() + margins.bottom()
        for label in (self.heading, self.error):
            if not label.isHidden() and label.text():
                used += label.heightForWidth(width) + spacing
        used += max(self.show_them.sizeHint().height(), self.reading.sizeHint().height())
        if any(not button.isHidden() for button in self.alike):
            used += self.alike[0].sizeHint().height() + spacing
        used += spacing
        hint = self.hint.heightForWidth(width) + spacing if self.hint.text() else 0
        room = self.height() - used
        self.keyboard.fit(room - hint)
        fits = self.keyboard.height() <= room - hint
        self.hint.setVisible(bool(self.hint.text()) and fits)
        if not fits:
            self.keyboard.fit(room)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """The keys and the characters take the room there is."""
        super().resizeEvent(event)
        self._fit_keyboard()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """The keys type into the reading's box."""
        super().showEvent(event)
        if self.mode is Mode.READING:
            self.reading.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        """Forget the look-up: the reading, the characters, the choices."""
        self._start_over()
        self._show_alike([])
        self.error.hide()
        self._give_keyboard_back()
        self.typing.show()
        self.choosing.hide()
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """Boxes and buttons as tall as a target; the glyphs far larger than body text."""
        super().apply_theme(theme)
        self.reading.setMinimumHeight(theme.target_px)
        for row in (
            self.reading_row,
            self.grid_row,
            self.action_row,
            self.alike_row,
            self.typing_column,
            self.choosing_column,
        ):
            row.setSpacing(theme.gap_px)
        self.grid.apply_theme(theme)
        self._fit_keyboard()
