"""Join my mediation by number, on the big keypad: the case number as the receipt prints it,
then the last four digits of the mobile number filed with the case."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.call_journey import ENTER_NUMBER, MOBILE_LAST_DIGITS, shown_digits
from kiosk.complaint import digit_by_digit
from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.keypad import Keypad

if TYPE_CHECKING:
    from ui.host import ScreenKit

MAX_DIGITS = {"case": 12, "mobile": MOBILE_LAST_DIGITS}
ENOUGH = N_("That is four digits already. Delete one if a digit is wrong.")


class CaseEntryScreen(Screen):
    """The question and the number so far on the left, the keypad on the right; 'Next' after
    the case number, 'Join the mediation' after the mobile's last four digits."""

    name = "case_entry"
    description = "Join my mediation: the case number, then the mobile's last four digits"
    prompt = ENTER_NUMBER
    bar = Nav.BACK

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.digits = ""
        self._warning = ""
        self._corrected = False  # a digit typed since the step's error was shown
        self._icon = "next"
        self.heading = text("heading")
        self.error = text()
        self.error.setObjectName("Warning")
        self.number = text("count")
        self.message = text()
        self.other_way = text()
        self.keypad = Keypad()
        self.keypad.digit.connect(self.add_digit)
        self.keypad.erase.connect(self.erase_digit)
        self.join = IconButton("next", "primary")
        self.join.clicked.connect(self.submit)
        words = QVBoxLayout()
        words.addWidget(self.error)
        words.addStretch(1)
        words.addWidget(self.number)
        words.addWidget(self.message)
        words.addWidget(self.other_way)
        words.addStretch(1)
        words.addWidget(self.join)
        self.words = words
        row = QHBoxLayout()
        row.addLayout(words, 1)
        row.addWidget(self.keypad)
        self.row = row
        # The question across the whole width: at the largest text size it fits on one line.
        self.column.addWidget(self.heading)
        self.column.addLayout(row, 1)

    @property
    def kind(self) -> str:
        """Which number: the case number, or the mobile's last four digits."""
        return str(self.fields.get("kind", "case"))

    def show_result(self, result: Any) -> None:
        """Show the number typed before, and why it did not work, if it did not."""
        super().show_result(result)
        self.digits = str(self.fields.get("digits", ""))
        self._warning = ""
        self._corrected = False
        self.retranslate()

    def add_digit(self, digit: str) -> None:
        """One more digit; past the length, say so and keep what was typed."""
        if len(self.digits) >= MAX_DIGITS.get(self.kind, 12):
            if self.kind == "mobile":
                self._warning = ENOUGH
                self.retranslate()
                self.host.say(self.t(ENOUGH))
            return
        self.digits += digit
        self._typed()

    def erase_digit(self) -> None:
        """Take back the last digit."""
        self.digits = self.digits[:-1]
        self._typed()

    def _typed(self) -> None:
        # The consumer is putting it right: the old warning goes.
        self._warning = ""
        self._corrected = True
        self.retranslate()

    def submit(self) -> None:
        """The number typed answers the step (the journey checks it)."""
        self.host.answer({"digits": self.digits})

    def draft(self) -> dict[str, Any] | None:
        """The digits typed so far."""
        return {"digits": self.digits}

    def clear(self) -> None:
        """Forget the digits."""
        self.digits = ""
        self._warning = ""
        super().clear()

    def retranslate(self) -> None:
        """Set the words and the digits typed."""
        mobile = self.kind == "mobile"
        error = self._warning or ("" if self._corrected else str(self.errors.get("digits", "")))
        self.error.setText(self.t(error) if error else "")
        self.error.setVisible(bool(error))
        if mobile:
            self.heading.setText(self.t(N_("Your mobile number's last four digits")))
            slots = (self.digits + "_" * MOBILE_LAST_DIGITS)[:MOBILE_LAST_DIGITS]
            self.number.setText(" ".join(slots))
            case = str(self.fields.get("case_number", ""))
            self.message.setText(
                self.t(N_("Case number: {number}")).format(number=case) if case else ""
            )
            self.other_way.setText(self.t(N_("The mobile number you gave with your complaint.")))
            self.join.set_text(self.t(N_("Join the mediation")))
        else:
            self.heading.setText(self.t(N_("Type the case number")))
            self.number.setText(shown_digits(self.digits) or "____-______")
            self.message.setText(self.t(N_("It is on your receipt, under 'Case number'.")))
            self.other_way.setText(
                self.t(N_("No case number on your receipt? Go back and type the receipt number."))
            )
            self.join.set_text(self.t(N_("Next")))
        # With a warning up, the warning says what to do: the hint makes room for it.
        self.other_way.setVisible(not error)
        self.number.setAccessibleName(digit_by_digit(self.digits))
        self.keypad.retranslate(self.host.translator)
        icon = "video" if mobile else "next"
        if icon != self._icon:
            self._icon = icon
            self.join.set_icon(icon, self.host.theme)

    def apply_theme(self, theme: Theme) -> None:
        """The keypad sized for the text size."""
        super().apply_theme(theme)
        self.keypad.apply_theme(theme)
        self.words.setSpacing(theme.gap_px)
        self.row.setSpacing(theme.gap_px * 2)
