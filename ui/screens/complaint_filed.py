"""The complaint is saved: the receipt prints (or shows as a QR code), what happens next,
and joining a mediation now when mediators are taking calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from kiosk.i18n import N_
from kiosk.room import help_words, next_step_words
from ui.screens.base import Nav, Screen, icon, text
from ui.screens.receipt_code import qr_pixmap
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit

PRINT_WORDS = {
    "printing": N_("Printing your receipt..."),
    "printed": N_("Please take your receipt from the printer."),
    "failed": N_(
        "The printer cannot print just now. Take a photo of this code with your phone, "
        "or show it to the attendant."
    ),
}


class ComplaintFiledScreen(Screen):
    """Receipt number, the printer's news, what happens next, and what the consumer can do."""

    name = "complaint_filed"
    description = "The complaint is saved: receipt number, printing, next steps, join now"
    bar = Nav.FINISH

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.printing = ""
        self.heading = text("heading")
        self.number = text()
        self.print_state = text()
        self.code = QLabel()
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_step = text()
        self.join = IconButton("video", "primary")
        self.join.clicked.connect(self._join)
        self.menu = IconButton("home", "quiet")
        self.menu.clicked.connect(kit.nav.home)
        # The words on the left; the receipt's code, when it cannot be printed, on the right.
        self.done_mark = icon("check")
        words = QVBoxLayout()
        words.addStretch(1)
        for widget in (
            self.done_mark,
            self.heading,
            self.number,
            self.print_state,
            self.next_step,
        ):
            words.addWidget(widget)
        words.addStretch(1)
        self.body = QHBoxLayout()
        self.body.addLayout(words, 1)
        self.body.addWidget(self.code)
        self.column.addLayout(self.body, 1)
        self.action_row = QHBoxLayout()
        self.action_row.addWidget(self.join)
        self.action_row.addWidget(self.menu)
        self.column.addLayout(self.action_row)
        self._side = 240

    def show_result(self, result: Any) -> None:
        """The receipt, and the printer's news: printing, printed, or failed (then the QR
        code shows); the news is said when it comes."""
        before, self.result = self.printing, result
        self.printing = str(self.fields.get("printing", ""))
        self.retranslate()
        news = self.printing != before and self.printing in ("printed", "failed")
        if news and self.host.showing(self):
            self.host.say(self.t(PRINT_WORDS[self.printing]))

    def _join(self) -> None:
        self.kit.mediation.join(str(self.fields.get("receipt_number", "")))

    def retranslate(self) -> None:
        """Set the words."""
        self.heading.setText(self.t(N_("Your complaint is saved")))
        number = str(self.fields.get("receipt_number", ""))
        self.number.setText(
            self.t(N_("Receipt number: {number}")).format(number=number) if number else ""
        )
        state = self.printing
        self.print_state.setText(self.t(PRINT_WORDS[state]) if state else "")
        self.print_state.setVisible(bool(state))
        url = str(self.fields.get("status_url", ""))
        showing = state == "failed" and bool(url)
        if showing:
            self.code.setPixmap(qr_pixmap(url, self._side))
        else:
            self.code.clear()
        self.code.setVisible(showing)
        self.done_mark.setVisible(not showing)
        # What the receipt says to do next, and the help phone, as it prints them.
        t = self.host.translator
        space = " " if t.language == "en" else ""  # Mandarin runs sentences together
        self.next_step.setText(
            space.join(
                (next_step_words(t, on_screen=True), help_words(t, self.host.settings.help_phone))
            )
        )
        self.join.set_text(self.t(N_("Join a mediation now")))
        self.join.setVisible(bool(self.fields.get("mediation_open")))
        self.menu.set_text(self.t(N_("Back to the menu")))

    def clear(self) -> None:
        """Forget the receipt."""
        self.printing = ""
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """The code grows with the text size so it stays easy to photograph."""
        super().apply_theme(theme)
        self._side = theme.body_px * 7
        self.code.setFixedWidth(self._side + theme.gap_px)
        self.action_row.setSpacing(theme.gap_px)
        self.retranslate()
