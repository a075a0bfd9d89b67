"""The header on every consumer screen (language, text size, volume, repeat, call for help)
and the bottom bar (back, or finish on the home menu)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from kiosk.i18n import LANGUAGE_NAMES, N_, Translator
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.notice import OfflineNotice


class Header(QFrame):
    """Language, text size, volume, 'repeat what was said' and 'call for help'."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Header")
        self.language = IconButton("language", "quiet", stacked=True)
        self.text_size = IconButton("text_size", "quiet", stacked=True)
        self.quieter = IconButton("volume_down", "quiet", stacked=True)
        self.volume = QLabel()
        self.volume.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.louder = IconButton("volume_up", "quiet", stacked=True)
        self.repeat = IconButton("repeat", "quiet", stacked=True)
        self.help = IconButton("help", "help", stacked=True)
        self._row = QHBoxLayout(self)
        # The left end stays empty: it is the attendant's hidden corner.
        self._row.addStretch(1)
        for widget in (
            self.language,
            self.text_size,
            self.quieter,
            self.volume,
            self.louder,
            self.repeat,
            self.help,
        ):
            self._row.addWidget(widget)

    def retranslate(self, t: Translator, volume: int) -> None:
        """Set every word in the visit's language."""
        # The language button names the language it switches to, in that language.
        other = next(code for code in LANGUAGE_NAMES if code != t.language)
        self.language.set_text(LANGUAGE_NAMES[other])
        self.text_size.set_text(t.gettext(N_("Text size")))
        self.quieter.set_text(t.gettext(N_("Quieter")))
        self.louder.set_text(t.gettext(N_("Louder")))
        self.volume.setText(t.gettext(N_("Volume {percent}%")).format(percent=volume))
        self.repeat.set_text(t.gettext(N_("Repeat")))
        self.help.set_text(t.gettext(N_("Call for help")))

    def apply_theme(self, theme: Theme) -> None:
        """Resize icons and spacing for the text size."""
        buttons = (self.language, self.text_size, self.quieter, self.louder, self.repeat, self.help)
        for button in buttons:
            button.apply_theme(theme)
        # One height for the whole row, the icon-only volume buttons included.
        tallest = max(button.sizeHint().height() for button in buttons)
        for button in buttons:
            button.setMinimumHeight(tallest)
        gap = theme.gap_px
        self._row.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self._row.setSpacing(gap)


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
