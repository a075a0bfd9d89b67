"""After the call: the outcome as the mediator recorded it, spoken and printed, and a
one-tap satisfaction rating with large faces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy

from kiosk.call_journey import outcome_lines
from kiosk.i18n import N_
from kiosk.wire import MediationOutcome
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme

if TYPE_CHECKING:
    from ui.shell import KioskShell

#: (score, face, words): the faces are drawn by the font, large.
FACES = ((1, "☹", N_("Not happy")), (2, "😐", N_("All right")), (3, "☺", N_("Happy")))
THANKS = N_("Thank you. Your answer helps us do better.")


class CallOutcomeScreen(Screen):
    """The outcome, the printout, and how satisfied the consumer is."""

    name = "call_outcome"
    description = "After the call: the outcome, printed, and a one-tap rating"
    nav = Nav.FINISH

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.outcome: MediationOutcome | None = None
        self.case_number = ""
        self.rated: int | None = None
        self.heading = text("heading")
        self.case = text("title")
        self.lines = text()
        self.ask = text("title")
        self.thanks = text()
        self.faces: dict[int, QPushButton] = {}
        row = QHBoxLayout()
        row.addStretch(1)
        for score, _face, _words in FACES:
            button = QPushButton()
            button.setProperty("role", "key")
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            button.clicked.connect(lambda _=False, score=score: self.rate(score))
            row.addWidget(button)
            self.faces[score] = button
        row.addStretch(1)
        self.row = row
        self.column.addStretch(1)
        for widget in (self.heading, self.case, self.lines, self.ask):
            self.column.addWidget(widget)
        self.column.addLayout(row)
        self.column.addWidget(self.thanks)
        self.column.addStretch(1)

    def show_outcome(self, case_number: str, outcome: MediationOutcome) -> None:
        """The mediator's record of the call."""
        self.case_number = case_number
        self.outcome = outcome
        self.rated = None
        self.retranslate()

    def spoken_prompt(self) -> str:
        """The whole outcome, read aloud, then the question."""
        return " ".join((self.heading.text(), self.lines.text(), self.ask.text()))

    def rate(self, score: int) -> None:
        """One tap: the rating goes to the hub."""
        self.rated = score
        self.shell.mediation.rate(score)
        self.retranslate()
        self.shell.say(self.t(THANKS))

    def clear(self) -> None:
        """Forget the outcome."""
        self.outcome = None
        self.case_number = ""
        self.rated = None
        super().clear()

    def retranslate(self) -> None:
        """Set the words."""
        t = self.shell.translator
        self.heading.setText(self.t(N_("The mediation has ended")))
        self.case.setText(
            self.t(N_("Case {number}")).format(number=self.case_number) if self.case_number else ""
        )
        lines = outcome_lines(t, self.outcome) if self.outcome is not None else []
        self.lines.setText("\n".join(f"{label}: {value}" for label, value in lines))
        self.ask.setText(self.t(N_("How satisfied are you with the mediation?")))
        for score, face, words in FACES:
            chosen = "✔ " if self.rated == score else ""
            self.faces[score].setText(f"{chosen}{face}\n{self.t(words)}")
            self.faces[score].setAccessibleName(self.t(words))
        self.thanks.setText(self.t(THANKS) if self.rated is not None else "")

    def apply_theme(self, theme: Theme) -> None:
        """Big faces, apart by the gap."""
        super().apply_theme(theme)
        for button in self.faces.values():
            button.setMinimumSize(round(theme.target_px * 2.4), round(theme.target_px * 1.6))
        self.row.setSpacing(theme.gap_px * 2)
