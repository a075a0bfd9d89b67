"""Where the consumer's case stands and what they do next, as the hub says."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.case_journey import CaseWords, case_words
from kiosk.i18n import N_
from protocol.wire import CaseStatus
from ui import icons
from ui.screens.base import Nav, Screen, icon, text
from ui.theme import PRIMARY, Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit

#: Each status has its icon beside its words (never colour alone).
STATUS_ICONS: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: "wait",
    CaseStatus.ACCEPTED: "check",
    CaseStatus.REFUSED: "cross",
    CaseStatus.SCHEDULED: "calendar",
    CaseStatus.IN_MEDIATION: "video",
    CaseStatus.ADJOURNED: "calendar",
    CaseStatus.SETTLED: "check",
    CaseStatus.NOT_SETTLED: "cross",
    CaseStatus.TERMINATED: "stop",
    CaseStatus.CLOSED: "checked",
}


class CaseStatusScreen(Screen):
    """The case number, its status, why it was not accepted or when and where its mediation
    is, and the next step; join the mediation while the case can be mediated. Everything
    shown is said.

    The words take the left, the status's icon and the two actions the right: at the
    largest text an appointment and a long next step still fit, on a small screen too."""

    name = "case_status"
    description = "Check my case: the case's status and the next step"
    bar = Nav.FINISH

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.heading = text("heading", centred=False)
        self.status = text(centred=False)
        self.reason = text(centred=False)
        self.when = text(centred=False)
        self.where = text(centred=False)
        self.next_step = text(centred=False)
        self.words = CaseWords("")
        self.mark = icon("search")
        self.join = IconButton("video", "primary")
        self.join.clicked.connect(self._join)
        self.menu = IconButton("home", "quiet")
        self.menu.clicked.connect(kit.nav.home)
        self.said = QVBoxLayout()
        self.said.addStretch(1)
        for label in (
            self.heading,
            self.status,
            self.reason,
            self.when,
            self.where,
            self.next_step,
        ):
            self.said.addWidget(label)
        self.said.addStretch(1)
        self.side = QVBoxLayout()
        self.side.addStretch(1)
        self.side.addWidget(self.mark)
        self.side.addWidget(self.join)
        self.side.addWidget(self.menu)
        self.side.addStretch(1)
        self.body = QHBoxLayout()
        self.body.addLayout(self.said, 3)
        self.body.addLayout(self.side, 2)
        self.column.addLayout(self.body, 1)

    def _join(self) -> None:
        # Looked up by its receipt: that opens the mediation. By the case number alone, the
        # join asks for the last four digits of the mobile number first.
        receipt = str(self.fields.get("receipt_number", ""))
        self.kit.mediation.join(receipt or str(self.fields.get("case_number", "")))

    def retranslate(self) -> None:
        """Set the words."""
        number = str(self.fields.get("case_number", ""))
        self.heading.setText(
            self.t(N_("Your case {number}")).format(number=number)
            if number
            else self.t(N_("Your case"))
        )
        today = self.host.visit.clock().date()
        self.words = case_words(self.host.translator, self.fields, today)
        for label, words in (
            (self.status, self.words.status),
            (self.reason, self.words.reason),
            (self.when, self.words.when),
            (self.where, self.words.where),
            (self.next_step, self.words.next_step),
        ):
            label.setText(words)
            label.setVisible(bool(words))
        status = self.fields.get("case_status")
        self._mark(STATUS_ICONS.get(status, "search") if isinstance(status, CaseStatus) else "")
        self.join.set_text(self.t(N_("Join my mediation")))
        self.join.setVisible(bool(self.fields.get("can_join")))
        self.menu.set_text(self.t(N_("Back to the menu")))

    def _mark(self, name: str) -> None:
        """The status's icon, drawn at the text size."""
        name = name or "search"
        if self.mark.property("icon") != name:
            self.mark.setProperty("icon", name)
            size = self.host.theme.icon_px * 2
            self.mark.setPixmap(icons.pixmap(name, size, PRIMARY))

    def spoken_prompt(self) -> str:
        """The whole of it, in the visit's language: status, reason or appointment, next
        step (the appointment's time is said as it shows, in local time)."""
        return self.words.said(self.host.translator.language)

    def apply_theme(self, theme: Theme) -> None:
        """Gaps for the text size."""
        super().apply_theme(theme)
        self.body.setSpacing(theme.gap_px * 2)
        self.said.setSpacing(theme.gap_px)
        self.side.setSpacing(theme.gap_px)
        self.mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
