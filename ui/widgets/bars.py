"""The header on every consumer screen (where the consumer is in the journey, language,
text size, volume, repeat, call for help) and the bottom bar (back, or finish on the home
menu)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSpacerItem, QWidget

from kiosk.i18n import LANGUAGE_NAMES, N_, Translator
from kiosk.journeys import StepPlace
from ui.theme import CORNER_PX, Theme
from ui.widgets.buttons import IconButton
from ui.widgets.notice import OfflineNotice

#: The word for each text size, on the button that changes it: the size that is on.
TEXT_SIZE_WORDS = {1: N_("Text: small"), 2: N_("Text: medium"), 3: N_("Text: large")}
#: The step counter as shown (two short lines fit the header at every text size) and said.
PLACE_SHOWN = N_("Step {number}\nof {total}")
PLACE_SAID = N_("Step {number} of {total}.")


class Header(QFrame):
    """Step counter, language, text size, volume, 'repeat what was said' and 'call for
    help'."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Header")
        # Where the consumer is ("Step 5 of 15"): in the header's empty left end, so
        # showing it moves nothing on the screen below.
        self.place = QLabel()
        self.place.setObjectName("StepCounter")
        self.place.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        self.place.setVisible(False)
        self.language = IconButton("language", "quiet", stacked=True)
        self.text_size = IconButton("text_size_1", "quiet", stacked=True)
        self.quieter = IconButton("volume_down", "quiet", stacked=True)
        self.volume = QLabel()
        self.volume.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # "Volume 70%" on two lines: the room it leaves is the step counter's.
        self.volume.setWordWrap(True)
        self.louder = IconButton("volume_up", "quiet", stacked=True)
        self.repeat = IconButton("repeat", "quiet", stacked=True)
        self.help = IconButton("help", "help", stacked=True)
        self._theme = Theme()
        self._size = 1
        self._row = QHBoxLayout(self)
        # From the left: the step counter in the attendant's hidden corner (a label, never
        # a target), as wide as its widest number, then the text size, then the others. A
        # tap on a button changes words and sizes beside it; the text size is tapped twice
        # in a row to reach the largest, so it keeps its left edge (it only grows under
        # the finger) and nothing to its left changes width. Help keeps the right end.
        policy = self.place.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.place.setSizePolicy(policy)
        self._row.addWidget(self.place)
        self._corner = QSpacerItem(0, 0)
        self._row.addSpacerItem(self._corner)
        for widget in (
            self.text_size,
            self.language,
            self.quieter,
            self.volume,
            self.louder,
            self.repeat,
        ):
            self._row.addWidget(widget)
        self._row.addStretch(1)
        self._row.addWidget(self.help)
        self._translator: Translator | None = None

    def retranslate(self, t: Translator, volume: int, text_size: int = 1) -> None:
        """Set every word in the visit's language."""
        # The language button names the language it switches to, in that language.
        other = next(code for code in LANGUAGE_NAMES if code != t.language)
        self.language.set_text(LANGUAGE_NAMES[other])
        # The size that is on, in a word and in the mark (one, two or three dots filled).
        self._size = text_size
        self.text_size.set_text(t.gettext(TEXT_SIZE_WORDS[text_size]))
        self.text_size.set_icon(f"text_size_{text_size}", self._theme)
        self.quieter.set_text(t.gettext(N_("Quieter")))
        self.louder.set_text(t.gettext(N_("Louder")))
        self.volume.setText(t.gettext(N_("Volume {percent}%")).format(percent=volume))
        self._fit_volume()
        self.repeat.set_text(t.gettext(N_("Repeat")))
        self.help.set_text(t.gettext(N_("Call for help")))
        self._translator = t
        self._fit_place()

    def _fit_place(self) -> None:
        # The counter as wide as "Step 88 of 88" in the visit's words, and the text size
        # at least past the attendant's corner.
        t = self._translator
        shown = t.gettext(PLACE_SHOWN) if t is not None else PLACE_SHOWN
        metrics = QFontMetrics(self.place.font())
        lines = shown.format(number=88, total=88).split("\n")
        width = max(metrics.horizontalAdvance(line) for line in lines) + 4
        self.place.setFixedWidth(width)
        left = self._row.contentsMargins().left()
        self._corner.changeSize(max(0, CORNER_PX - left - width - self._row.spacing()), 0)
        self._row.invalidate()

    def show_place(self, t: Translator, place: StepPlace | None) -> None:
        """Show where the consumer is in the journey ("Step 5 of 15"), or nothing."""
        if place is None:
            self.place.setVisible(False)
            self.place.clear()
            return
        self.place.setText(t.gettext(PLACE_SHOWN).format(number=place.number, total=place.total))
        self.place.setAccessibleName(self.place.text().replace("\n", " "))
        self.place.setVisible(True)

    def _fit_volume(self) -> None:
        # As wide as its longest word ("Volume" above "70%"), and as "100%" would be: a
        # louder volume never pushes "louder" away from the finger that taps it again.
        metrics = QFontMetrics(self.volume.font())
        words = [*self.volume.text().split(), "100%"]
        self.volume.setFixedWidth(max(metrics.horizontalAdvance(w) for w in words) + 4)

    def apply_theme(self, theme: Theme) -> None:
        """Resize icons and spacing for the text size."""
        self._theme = theme
        self.text_size.set_icon(f"text_size_{self._size}", theme)
        buttons = (self.language, self.text_size, self.quieter, self.louder, self.repeat, self.help)
        for button in buttons:
            button.apply_theme(theme)
        self.volume.ensurePolished()
        self._fit_volume()
        # One height for the whole row, the icon-only volume buttons included.
        tallest = max(button.sizeHint().height() for button in buttons)
        for button in buttons:
            button.setMinimumHeight(tallest)
        gap = theme.gap_px
        self._row.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self._row.setSpacing(gap)
        self.place.ensurePolished()
        self._fit_place()


class BottomBar(QFrame):
    """A big back (or, on the home menu, finish) at the bottom left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BottomBar")
        self.back = IconButton("back", "quiet")
        self.finish = IconButton("exit", "quiet")
        self._row = QHBoxLayout(self)
        self._row.addWidget(self.back)
        self._row.addWidget(self.finish)
        self._row.addStretch(1)
        # The header is full at the largest text size; the bottom bar has room to say it.
        self.offline = OfflineNotice()
        self._row.addWidget(self.offline)

    def retranslate(self, t: Translator) -> None:
        """Set every word in the visit's language."""
        self.back.set_text(t.gettext(N_("Back")))
        self.finish.set_text(t.gettext(N_("Finish")))
        self.offline.retranslate(t)

    def apply_theme(self, theme: Theme) -> None:
        """Resize icons and spacing for the text size."""
        for button in (self.back, self.finish):
            button.apply_theme(theme)
        self.offline.apply_theme(theme)
        gap = theme.gap_px
        self._row.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self._row.setSpacing(gap)
