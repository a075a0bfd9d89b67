"""After the call: the outcome as the mediator recorded it, spoken and printed, and a
one-tap satisfaction rating with large faces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout

from kiosk.call_journey import SLIP_WORDS, outcome_lines
from kiosk.i18n import N_
from kiosk.journeys import Done, ShowProgress, ShowScreen
from protocol.wire import MediationOutcome
from ui.screens.base import Nav, Screen, Shown, text
from ui.theme import Theme

if TYPE_CHECKING:
    from ui.host import ScreenKit

#: (score, face, words): the faces are drawn by the font, large.
FACES = ((1, "☹", N_("Not happy")), (2, "😐", N_("All right")), (3, "☺", N_("Happy")))
THANKS = N_("Thank you. Your answer helps us do better.")


class CallOutcomeScreen(Screen):
    """The outcome, the printout, and how satisfied the consumer is."""

    name = "call_outcome"
    description = "After the call: the outcome, printed, and a one-tap rating"
    bar = Nav.FINISH

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.outcome: MediationOutcome | None = None
        self.case_number = ""
        self.rated: int | None = None
        self.printing = ""  # the outcome's printout: printing, printed, not_printed
        self.heading = text("heading")
        self.case = text("title")
        self.lines = text()
        self.slip = text(centred=False)
        self.ask = text()
        self.faces: dict[int, QPushButton] = {}
        rating = QVBoxLayout()
        rating.addWidget(self.ask)
        for score, _face, _words in FACES:
            button = QPushButton()
            button.setProperty("role", "key")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            button.clicked.connect(lambda _=False, score=score: self.rate(score))
            rating.addWidget(button)
            self.faces[score] = button
        rating.addStretch(1)
        self.rating = rating
        record = QVBoxLayout()
        record.addWidget(self.case)
        record.addWidget(self.lines)
        record.addWidget(self.slip)
        record.addStretch(1)
        self.lines.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.case.setAlignment(Qt.AlignmentFlag.AlignLeft)
        row = QHBoxLayout()
        row.addLayout(record, 3)
        row.addLayout(rating, 2)
        self.row = row
        self.column.addWidget(self.heading)
        self.column.addLayout(row, 1)

    def show_result(self, result: Shown) -> None:
        """The mediation's last steps: the outcome, and how its printout went."""
        fields = {}
        if isinstance(result, ShowProgress):
            fields = dict(result.update)
        elif isinstance(result, ShowScreen | Done):
            fields = dict(result.fields)
        self.result = result
        self.printing = str(fields.get("printing", self.printing if result is None else ""))
        outcome, case_number = fields.get("outcome"), str(fields.get("case_number", ""))
        if isinstance(outcome, MediationOutcome) and (outcome, case_number) != (
            self.outcome,
            self.case_number,
        ):
            self.show_outcome(case_number, outcome)
        else:
            self.retranslate()

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
        self.kit.mediation.rate(score)
        self.retranslate()
        self.host.say(self.t(THANKS))

    def clear(self) -> None:
        """Forget the outcome."""
        self.outcome = None
        self.case_number = ""
        self.rated = None
        self.printing = ""
        super().clear()

    def retranslate(self) -> None:
        """Set the words."""
        t = self.host.translator
        self.heading.setText(self.t(N_("The mediation has ended")))
        self.case.setText(
            self.t(N_("Case {number}")).format(number=self.case_number) if self.case_number else ""
        )
        lines = outcome_lines(t, self.outcome) if self.outcome is not None else []
        self.lines.setText("\n".join(f"{label}: {value}" for label, value in lines))
        self.slip.setText(self.t(SLIP_WORDS[self.printing]) if self.printing else "")
        self.slip.setVisible(bool(self.printing))
        # After the tap, the thanks take the question's place.
        ask = N_("Are you satisfied?")
        self.ask.setText(self.t(THANKS if self.rated is not None else ask))
        for score, face, words in FACES:
            chosen = " ✔" if self.rated == score else ""
            self.faces[score].setText(f"{face}  {self.t(words)}{chosen}")
            self.faces[score].setAccessibleName(self.t(words))

    def apply_theme(self, theme: Theme) -> None:
        """Big faces, apart by the gap."""
        super().apply_theme(theme)
        for button in self.faces.values():
            button.setMinimumHeight(theme.target_px)
        self.rating.setSpacing(max(16, theme.gap_px))
        self.row.setSpacing(theme.gap_px * 2)
