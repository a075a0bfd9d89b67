"""The staff's PIN keypad, reached by five taps in the top-left corner: the attendant's PIN,
or (one tap on "Technician") the technician's; each level has its own lock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.attendant import PinOutcome, PinVerdict
from kiosk.audit import Role
from kiosk.i18n import N_
from protocol.pins import PIN_LENGTH
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.keypad import Keypad

if TYPE_CHECKING:
    from ui.host import ScreenKit


class AttendantUnlockScreen(Screen):
    """Six digits on a large keypad; wrong PINs count down to a five-minute lock."""

    name = "attendant_unlock"
    description = "Attendant PIN keypad (five taps in the top-left corner)"
    header = False
    bar = Nav.NONE
    consumer = False

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.pin = ""
        self.outcome: PinOutcome | None = None
        self.heading = text("heading")
        self.dots = text("count")
        self.message = text()
        self.keypad = Keypad()
        self.keypad.digit.connect(self.add_digit)
        self.keypad.erase.connect(self.erase_digit)
        self.cancel = IconButton("exit", "quiet")
        self.cancel.clicked.connect(kit.nav.back)
        self.level = IconButton("lock", "quiet")
        self.level.clicked.connect(self.switch_level)
        words = QVBoxLayout()
        words.addStretch(1)
        words.addWidget(self.heading)
        words.addWidget(self.dots)
        words.addWidget(self.message)
        words.addStretch(1)
        words.addWidget(self.level)
        words.addWidget(self.cancel)
        self.words = words
        row = QHBoxLayout()
        row.addLayout(words, 1)
        row.addWidget(self.keypad)
        self.column.addLayout(row, 1)

    def switch_level(self) -> None:
        """Ask for the other level's PIN (attendant or technician)."""
        self.kit.staff.switch_level()
        self.pin = ""
        self.outcome = None
        self.retranslate()

    def add_digit(self, digit: str) -> None:
        """One more digit; the sixth checks the PIN."""
        lock = self.kit.staff.lock
        if lock.status().verdict is PinVerdict.LOCKED:
            self.outcome = lock.status()
        elif len(self.pin) < PIN_LENGTH:
            self.pin += digit
            if len(self.pin) == PIN_LENGTH:
                pin, self.pin = self.pin, ""
                self.outcome = self.kit.staff.try_pin(pin)
        self.retranslate()
        if self.outcome is not None and self.host.showing(self):
            self.host.say(self.message.text())

    def erase_digit(self) -> None:
        """Take back the last digit."""
        self.pin = self.pin[:-1]
        self.retranslate()

    def clear(self) -> None:
        """Forget the digits and the last verdict."""
        self.pin = ""
        self.outcome = None
        self.kit.staff.role = Role.ATTENDANT
        super().clear()

    def retranslate(self) -> None:
        """Set the words, the dots for the digits typed, and the last verdict."""
        technician = self.kit.staff.role is Role.TECHNICIAN
        self.heading.setText(
            self.t(
                N_("Technician: enter your 6-digit PIN")
                if technician
                else N_("Attendant: enter your 6-digit PIN")
            )
        )
        self.level.set_text(self.t(N_("Attendant") if technician else N_("Technician")))
        self.dots.setText(" ".join("●" if i < len(self.pin) else "○" for i in range(PIN_LENGTH)))
        self.keypad.retranslate(self.host.translator)
        self.cancel.set_text(self.t(N_("Cancel")))
        self.message.setText(self._verdict_words())

    def _verdict_words(self) -> str:
        outcome = self.outcome or self.kit.staff.lock.status()
        t = self.host.translator
        if outcome.verdict is PinVerdict.NO_PIN_SET:
            if self.kit.staff.role is Role.TECHNICIAN:
                return t.gettext(
                    N_("No technician PIN is set on this kiosk. Ask the hub to issue one.")
                )
            return t.gettext(
                N_("No attendant PIN is set on this kiosk. Ask the technician to set one.")
            )
        if outcome.verdict is PinVerdict.LOCKED:
            minutes = max(1, (outcome.locked_seconds + 59) // 60)
            return t.ngettext(
                "Too many wrong PINs. Try again in {n} minute.",
                "Too many wrong PINs. Try again in {n} minutes.",
                minutes,
            ).format(n=minutes)
        if outcome.verdict is PinVerdict.WRONG:
            return t.ngettext(
                "Wrong PIN. {n} try left.", "Wrong PIN. {n} tries left.", outcome.tries_left
            ).format(n=outcome.tries_left)
        return ""

    def apply_theme(self, theme: Theme) -> None:
        """The keypad sized for the text size."""
        super().apply_theme(theme)
        self.keypad.apply_theme(theme)
        self.words.setSpacing(theme.gap_px * 2)
