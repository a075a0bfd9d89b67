"""Where the consumer's case stands and what they do next, as the hub says."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, icon, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit


class CaseStatusScreen(Screen):
    """The case number, its status and the next step; join the mediation when it is time."""

    name = "case_status"
    description = "Check my case: the case's status and the next step"
    bar = Nav.FINISH

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.heading = text("heading")
        self.number = text()
        self.status = text()
        self.next_step = text()
        self.join = IconButton("video", "primary")
        self.join.clicked.connect(self._join)
        self.menu = IconButton("home", "quiet")
        self.menu.clicked.connect(kit.nav.home)
        self.column.addStretch(1)
        self.column.addWidget(icon("search"))
        for widget in (self.heading, self.number, self.status, self.next_step):
            self.column.addWidget(widget)
        self.column.addStretch(1)
        self.action_row = QHBoxLayout()
        self.action_row.addWidget(self.join)
        self.action_row.addWidget(self.menu)
        self.column.addLayout(self.action_row)

    def _join(self) -> None:
        # Looked up by its receipt: that opens the mediation. By the case number alone, the
        # join asks for the last four digits of the mobile number first.
        receipt = str(self.fields.get("receipt_number", ""))
        self.kit.mediation.join(receipt or str(self.fields.get("case_number", "")))

    def retranslate(self) -> None:
        """Set the words."""
        self.heading.setText(self.t(N_("Your case")))
        number = str(self.fields.get("case_number", ""))
        self.number.setText(
            self.t(N_("Case number: {number}")).format(number=number) if number else ""
        )
        status = str(self.fields.get("status", ""))
        self.status.setText(self.t(status) if status else "")
        next_step = str(self.fields.get("next_step", ""))
        self.next_step.setText(self.t(next_step) if next_step else "")
        self.join.set_text(self.t(N_("Join my mediation")))
        self.join.setVisible(bool(self.fields.get("can_join")))
        self.menu.set_text(self.t(N_("Back to the menu")))

    def apply_theme(self, theme: Theme) -> None:
        """Gaps for the text size."""
        super().apply_theme(theme)
        self.action_row.setSpacing(theme.gap_px)
