"""After a settled call: the mediation agreement, read aloud, and the consumer's tap that
confirms it (or "not now"); then it is printed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.call_journey import yuan
from kiosk.i18n import N_
from kiosk.journeys import ShowProgress
from protocol.wire import MediationAgreement
from ui.screens.base import Nav, Screen, Shown, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit

PARTY_WORDS = {
    "consumer": N_("Consumer"),
    "merchant": N_("Merchant"),
    "mediator": N_("Mediator"),
    "colleague": N_("Assisting mediator"),
}
STATE_WORDS = {
    "fetching": N_("Getting the agreement from the mediator…"),
    "shown": N_("If you agree with it, tap \u201cI confirm\u201d."),
    "confirming": N_("Confirming…"),
    "not_confirmed": N_(
        "The agreement could not be confirmed just now. Please tap again, or ask the attendant."
    ),
}


class CallAgreementScreen(Screen):
    """The agreement a settled outcome became, for the consumer to confirm by a tap."""

    name = "call_agreement"
    description = "After a settled call: the agreement, read aloud, confirmed by a tap"
    bar = Nav.NONE

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.agreement: MediationAgreement | None = None
        self.agreeing = ""
        self.heading = text("heading")
        self.lines = text(centred=False)
        self.lines.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.status = text("title")
        self.confirm = IconButton("check", stacked=True)
        self.not_now = IconButton("exit", "quiet", stacked=True)
        self.confirm.clicked.connect(lambda: self.kit.mediation.confirm_agreement(True))
        self.not_now.clicked.connect(lambda: self.kit.mediation.confirm_agreement(False))
        body = QWidget()
        inside = QVBoxLayout(body)
        inside.addWidget(self.lines)
        inside.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        buttons = QHBoxLayout()
        buttons.addWidget(self.not_now)
        buttons.addWidget(self.confirm)
        self.buttons = buttons
        self.column.addWidget(self.heading)
        self.column.addWidget(scroll, 1)
        self.column.addWidget(self.status)
        self.column.addLayout(buttons)

    def show_result(self, result: Shown) -> None:
        """The agreement as it arrives, then as the confirmation goes; read aloud once."""
        if not isinstance(result, ShowProgress) or result is self.result:
            super().show_result(result)
            return
        self.result = result
        update = result.update
        arrived = update.get("agreement")
        before = self.agreement
        self.agreement = arrived if isinstance(arrived, MediationAgreement) else before
        self.agreeing = str(update.get("agreeing", ""))
        self.retranslate()
        if self.agreement is not None and before is None and self.host.showing(self):
            self.host.say(self.spoken_prompt())
        elif self.agreeing == "not_confirmed" and self.host.showing(self):
            self.host.say(self.t(STATE_WORDS["not_confirmed"]))

    def spoken_prompt(self) -> str:
        """The whole agreement, read aloud, then what to do."""
        return " ".join((self.heading.text(), self.lines.text(), self.status.text()))

    def agreement_lines(self) -> list[tuple[str, str]]:
        """The agreement, (label, words) a line, in the consumer's language."""
        said = self.agreement
        if said is None:
            return []
        lines = [(self.t(N_("Case number")), said.case_number)]
        for party in said.parties:
            who = " · ".join(part for part in (party.name, party.organisation) if part)
            lines.append((self.t(PARTY_WORDS.get(party.role, N_("Mediator"))), who))
        lines += [
            (self.t(N_("What happened")), said.facts),
            (self.t(N_("Agreed terms")), said.terms),
            (
                self.t(N_("The merchant gives back")),
                yuan(said.amount_fen) if said.amount_fen else "",
            ),
            (self.t(N_("Next step")), said.next_step),
            (self.t(N_("Mediated by")), said.bureau),
            (self.t(N_("Date")), said.made_on.isoformat()),
        ]
        return [(label, words) for label, words in lines if words]

    def clear(self) -> None:
        """Forget the agreement."""
        self.agreement = None
        self.agreeing = ""
        super().clear()

    def retranslate(self) -> None:
        """Set the words."""
        self.heading.setText(self.t(N_("Mediation agreement")))
        self.lines.setText(
            "\n".join(f"{label}: {words}" for label, words in self.agreement_lines())
        )
        self.status.setText(
            self.t(STATE_WORDS[self.agreeing]) if self.agreeing in STATE_WORDS else ""
        )
        self.confirm.set_text(self.t(N_("I confirm")))
        self.not_now.set_text(self.t(N_("Not now")))
        ready = self.agreement is not None and self.agreeing in ("shown", "not_confirmed")
        self.confirm.setVisible(ready)
        self.not_now.setVisible(ready)

    def apply_theme(self, theme: Theme) -> None:
        """Buttons apart by the gap."""
        super().apply_theme(theme)
        self.buttons.setSpacing(theme.gap_px * 2)
