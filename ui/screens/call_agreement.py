"""After a settled call: the mediation agreement, read aloud, and the consumer's tap that
confirms it (or "not now"); then it is printed. A long agreement, or a large text size, shows
a page at a time (never a scroll bar: the pages fill what the screen leaves)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy

from kiosk.call_journey import PARTY_WORDS, yuan
from kiosk.i18n import N_
from kiosk.journeys import ShowProgress
from protocol.wire import MediationAgreement
from ui.screens.base import Nav, Screen, Shown, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit

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
        self.page = 0
        self.pages: list[str] = []
        self.heading = text("heading")
        self.lines = text(centred=False)
        self.lines.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # Its height is what the screen leaves; the pages are cut to fit it.
        self.lines.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.status = text("title")
        self.previous = IconButton("back", "quiet", stacked=True)
        self.next = IconButton("next", "quiet", stacked=True)
        self.not_now = IconButton("exit", "quiet", stacked=True)
        self.confirm = IconButton("check", stacked=True)
        self.previous.clicked.connect(lambda: self.turn(-1))
        self.next.clicked.connect(lambda: self.turn(1))
        self.confirm.clicked.connect(lambda: self.kit.mediation.confirm_agreement(True))
        self.not_now.clicked.connect(lambda: self.kit.mediation.confirm_agreement(False))
        buttons = QHBoxLayout()
        for button in (self.previous, self.next, self.not_now, self.confirm):
            buttons.addWidget(button)
        self.buttons = buttons
        self.column.addWidget(self.heading)
        self.column.addWidget(self.lines, 1)
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
        """The whole agreement (every page), read aloud, then what to do."""
        whole = " ".join(f"{label}: {words}" for label, words in self.agreement_lines())
        return " ".join(part for part in (self.heading.text(), whole, self.status.text()) if part)

    def agreement_lines(self) -> list[tuple[str, str]]:
        """The agreement, (label, words) a line, in the consumer's language."""
        said = self.agreement
        if said is None:
            return []
        lines = [(self.t(N_("Case number")), said.case_number)]
        for party in said.parties:
            who = " · ".join(part for part in (party.name, party.organisation) if part)
            lines.append((self.t(PARTY_WORDS.get(party.role, N_("Mediator"))), who))
        amount = yuan(said.amount_fen) if said.amount_fen else ""
        lines += [
            (self.t(N_("What happened")), said.facts),
            (self.t(N_("Agreed terms")), said.terms),
            (self.t(N_("The merchant gives back")), amount),
            (self.t(N_("Next step")), said.next_step),
            (self.t(N_("Mediated by")), said.bureau),
            (self.t(N_("Date")), said.made_on.isoformat()),
        ]
        return [(label, words) for label, words in lines if words]

    def turn(self, step: int) -> None:
        """The previous or next page of the agreement."""
        self.page = max(0, min(len(self.pages) - 1, self.page + step))
        self.retranslate()

    def _paginate(self) -> None:
        """Cut the agreement's lines into pages that fit the space the screen leaves."""
        rows = [f"{label}: {words}" for label, words in self.agreement_lines()]
        inner = self.lines.contentsRect()
        width, room = max(1, inner.width()), inner.height()
        metrics = self.lines.fontMetrics()
        flags = int(Qt.TextFlag.TextWordWrap.value)

        def height(lines: list[str]) -> int:
            return metrics.boundingRect(QRect(0, 0, width, 10**6), flags, "\n".join(lines)).height()

        pages: list[list[str]] = [[]]
        for row in rows:
            if pages[-1] and room > 0 and height([*pages[-1], row]) > room:
                pages.append([])
            pages[-1].append(row)
        self.pages = ["\n".join(page) for page in pages]
        self.page = min(self.page, len(self.pages) - 1)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """A new size (or text size): the pages again."""
        super().resizeEvent(event)
        self.retranslate()

    def clear(self) -> None:
        """Forget the agreement."""
        self.agreement = None
        self.agreeing = ""
        self.page = 0
        super().clear()

    def retranslate(self) -> None:
        """Set the words, and the page of the agreement."""
        self.heading.setText(self.t(N_("Mediation agreement")))
        self._paginate()
        self.lines.setText(self.pages[self.page] if self.pages else "")
        state = self.agreeing
        self.status.setText(self.t(STATE_WORDS[state]) if state in STATE_WORDS else "")
        several = len(self.pages) > 1
        self.previous.set_text(self.t(N_("Previous page")))
        self.next.set_text(self.t(N_("Next page")))
        self.previous.setVisible(several)
        self.next.setVisible(several)
        self.previous.setEnabled(self.page > 0)
        self.next.setEnabled(self.page < len(self.pages) - 1)
        self.confirm.set_text(self.t(N_("I confirm")))
        self.not_now.set_text(self.t(N_("Not now")))
        ready = self.agreement is not None and state in ("shown", "not_confirmed")
        self.confirm.setVisible(ready)
        self.not_now.setVisible(ready)

    def apply_theme(self, theme: Theme) -> None:
        """Buttons apart by the gap."""
        super().apply_theme(theme)
        self.buttons.setSpacing(theme.gap_px * 2)
