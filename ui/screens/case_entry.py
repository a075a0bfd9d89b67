"""Join my mediation: the case number, typed on a big keypad."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.call_journey import ENTER_NUMBER, WRONG_NUMBER, case_number_from_digits, shown_digits
from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.keypad import Keypad

if TYPE_CHECKING:
    from ui.shell import KioskShell

MAX_DIGITS = 12


class CaseEntryScreen(Screen):
    """Ten digits on a large keypad, then 'join the mediation'."""

    name = "case_entry"
    description = "Join my mediation: type the case number (or show the receipt's QR code)"
    prompt = ENTER_NUMBER
    nav = Nav.BACK

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.digits = ""
        self.error = ""
        self.heading = text("heading")
        self.number = text("count")
        self.message = text()
        self.keypad = Keypad()
        self.keypad.digit.connect(self.add_digit)
        self.keypad.erase.connect(self.erase_digit)
        self.join = IconButton("video")
        self.join.clicked.connect(self.submit)
        words = QVBoxLayout()
        words.addStretch(1)
        words.addWidget(self.heading)
        words.addWidget(self.number)
        words.addWidget(self.message)
        words.addStretch(1)
        words.addWidget(self.join)
        self.words = words
        row = QHBoxLayout()
        row.addLayout(words, 1)
        row.addWidget(self.keypad)
        self.column.addLayout(row, 1)

    def add_digit(self, digit: str) -> None:
        """One more digit of the case number."""
        if len(self.digits) < MAX_DIGITS:
            self.digits += digit
        self.error = ""
        self.retranslate()

    def erase_digit(self) -> None:
        """Take back the last digit."""
        self.digits = self.digits[:-1]
        self.retranslate()

    def submit(self) -> None:
        """Join the queue with the number typed, or say what is wrong with it."""
        number = case_number_from_digits(self.digits)
        if number is None:
            self.show_error(WRONG_NUMBER)
            return
        self.shell.join_mediation(number)

    def show_error(self, message: str) -> None:
        """Show and say why the number did not work, with what to do."""
        self.error = message
        self.retranslate()
        self.shell.say(self.t(message))

    def clear(self) -> None:
        """Forget the digits."""
        self.digits = ""
        self.error = ""
        super().clear()

    def retranslate(self) -> None:
        """Set the words and the digits typed."""
        self.heading.setText(self.t(N_("Your case number")))
        self.number.setText(shown_digits(self.digits) or "____ ______")
        self.message.setText(self.t(self.error or N_("It is on your receipt.")))
        self.keypad.retranslate(self.shell.translator)
        self.join.set_text(self.t(N_("Join the mediation")))

    def apply_theme(self, theme: Theme) -> None:
        """The keypad sized for the text size."""
        super().apply_theme(theme)
        self.keypad.apply_theme(theme)
        self.words.setSpacing(theme.gap_px * 2)
