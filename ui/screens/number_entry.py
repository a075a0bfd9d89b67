"""One number typed on the large keypad: a mobile number (read back digit by digit) or a
date (year, month, day)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.complaint import MOBILE_DIGITS, digit_by_digit, number_error, parse_day
from kiosk.i18n import N_, day_words
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.keypad import Keypad

if TYPE_CHECKING:
    from ui.host import ScreenKit

#: The most digits each kind of number has.
LENGTHS = {"mobile": MOBILE_DIGITS, "date": 8}
READ_BACK = N_("You typed {digits}. If this is right, touch 'Next'.")
READ_DAY = N_("That is {day}. If this is right, touch 'Next'.")
TOO_MANY = {
    "mobile": N_("A mobile number has 11 digits. Delete one if a digit is wrong."),
    "date": N_("A date has 8 digits: year, month and day."),
}


def shown(kind: str, digits: str) -> str:
    """The digits as the consumer sees them: 139 1234 5678, or 2026-11-20 as it fills."""
    if kind == "mobile":
        return " ".join(part for part in (digits[:3], digits[3:7], digits[7:]) if part)
    if kind == "date":
        slots = (digits + "_" * 8)[:8]
        return f"{slots[:4]}-{slots[4:6]}-{slots[6:]}"
    return digits


class NumberEntryScreen(Screen):
    """The question and the number so far on the left, the keypad on the right."""

    name = "number_entry"
    description = "A number typed on the large keypad (mobile number or date)"
    bar = Nav.BACK

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.digits = ""
        self.question = text("heading")
        self.error = text()
        self.error.setObjectName("Warning")
        self.number = text("count")
        self.day = text()  # a date typed in full, as people say it: 11月20日
        self.read = IconButton("listen", "quiet")
        self.read.clicked.connect(self.read_back)
        self.next = IconButton("next", "primary")
        self.next.clicked.connect(self._next)
        self.keypad = Keypad()
        self.keypad.digit.connect(self.add_digit)
        self.keypad.erase.connect(self.erase)
        left = QVBoxLayout()
        left.addWidget(self.question)
        left.addWidget(self.error)
        left.addStretch(1)
        left.addWidget(self.number)
        left.addWidget(self.day)
        left.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.read)
        buttons.addWidget(self.next)
        left.addLayout(buttons)
        self.buttons = buttons
        self.body = QHBoxLayout()
        self.body.addLayout(left, 3)
        self.body.addWidget(self.keypad, 2)
        self.column.addLayout(self.body, 1)
        self._warning = ""

    @property
    def kind(self) -> str:
        """What number this is: mobile or date."""
        return str(self.fields.get("kind", "mobile"))

    def show_result(self, result: Any) -> None:
        """Show the number typed before, if any."""
        super().show_result(result)
        self.digits = str(self.fields.get("digits", ""))
        self._warning = ""
        self.retranslate()

    def add_digit(self, digit: str) -> None:
        """One more digit; past the length, say so and keep what was typed."""
        if len(self.digits) >= LENGTHS.get(self.kind, 20):
            self._warning = TOO_MANY.get(self.kind, "")
            self.retranslate()
            self.host.say(self.t(self._warning))
            return
        self.digits += digit
        self._warning = ""
        self.retranslate()
        # A whole number is read back at once: a wrong digit is heard before 'Next'.
        whole_day = self.kind == "date" and self._day() is not None
        if (self.kind == "mobile" and len(self.digits) == MOBILE_DIGITS) or whole_day:
            self.read_back()

    def erase(self) -> None:
        """Delete the last digit."""
        self.digits = self.digits[:-1]
        self._warning = ""
        self.retranslate()

    def read_back(self) -> None:
        """Say the number digit by digit, so a wrong digit is heard (a date as a day)."""
        day = self._day()
        if day is not None:
            self.host.say(self.t(READ_DAY).format(day=self._day_words(day)))
        elif self.digits:
            self.host.say(self.t(READ_BACK).format(digits=digit_by_digit(self.digits)))

    def _day(self) -> dt.date | None:
        """The date the digits make, when they make one that can be taken."""
        if self.kind != "date":
            return None
        return parse_day(self.digits, dt.date.today())[0]

    def _day_words(self, day: dt.date) -> str:
        return day_words(day, self.host.translator.language, dt.date.today())

    def _next(self) -> None:
        self.host.answer({"digits": self.digits})

    def draft(self) -> dict[str, Any] | None:
        """The digits typed so far."""
        return {"digits": self.digits}

    def retranslate(self) -> None:
        """Set the words and the number."""
        self.question.setText(self.t(str(self.fields.get("question", ""))))
        # The step's warning goes with the keystroke that makes the number right.
        wrong = number_error(self.kind, self.digits, dt.date.today())
        error = self._warning or (str(self.errors.get("digits", "")) if wrong else "")
        self.error.setText(self.t(error) if error else "")
        self.error.setVisible(bool(error))
        self.number.setText(shown(self.kind, self.digits) or " ")
        day = self._day()
        self.day.setText(self._day_words(day) if day is not None else "")
        self.day.setVisible(day is not None)
        self.number.setAccessibleName(digit_by_digit(self.digits))
        self.read.set_text(self.t(N_("Read it to me")))
        self.read.setVisible(self.kind == "mobile")
        self.next.set_text(self.t(N_("Next")))
        self.keypad.retranslate(self.host.translator)

    def clear(self) -> None:
        """Forget the number."""
        self.digits = ""
        self._warning = ""
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """Keypad keys and gaps for the text size."""
        super().apply_theme(theme)
        self.keypad.apply_theme(theme)
        self.body.setSpacing(theme.gap_px * 2)
        self.buttons.setSpacing(theme.gap_px)
