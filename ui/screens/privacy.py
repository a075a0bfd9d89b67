"""The privacy notice, read aloud: what is collected, why, who sees it, how long it is
kept; and two separate agreements (to the processing, and to a video mediation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.shell import KioskShell

POINTS = (
    N_(
        "What we keep: your name, mobile number and address; what happened; "
        "your photos and recording."
    ),
    N_("Why: only to handle this complaint."),
    N_(
        "Who sees it: the market supervision office, the mediator and, in the mediation, "
        "the seller."
    ),
    N_("How long: three years after the case closes. This kiosk deletes it once it is sent."),
)


class PrivacyScreen(Screen):
    """The notice in four short lines, and 'I agree' (video mediation is asked next, on
    its own screen)."""

    name = "privacy"
    description = "Privacy notice, read aloud; consent to processing the complaint"
    # 'Back' sits beside 'I agree': the notice needs the bottom bar's room.
    nav = Nav.NONE

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.heading = text("heading")
        self.points = [text(centred=False) for _ in POINTS]
        self.error = text()
        self.error.setObjectName("Warning")
        self.agree = IconButton("check", "primary")
        self.agree.clicked.connect(self._agree)
        self.column.addWidget(self.heading)
        for point in self.points:
            self.column.addWidget(point)
        self.column.addWidget(self.error)
        self.column.addStretch(1)
        self.back = IconButton("back", "quiet")
        self.back.clicked.connect(shell.go_back)
        self.action_row = QHBoxLayout()
        self.action_row.addWidget(self.back)
        self.action_row.addWidget(self.agree, 1)
        self.column.addLayout(self.action_row)

    def _agree(self) -> None:
        self.shell.answer({"processing": True})

    def retranslate(self) -> None:
        """Set the words."""
        self.heading.setText(self.t(N_("Your personal information")))
        for label, point in zip(self.points, POINTS, strict=True):
            label.setText(self.t(point))
        error = str(self.errors.get("processing", ""))
        self.error.setText(self.t(error) if error else "")
        self.error.setVisible(bool(error))
        self.agree.set_text(self.t(N_("I agree")))
        self.back.set_text(self.t(N_("Back")))

    def apply_theme(self, theme: Theme) -> None:
        """Gaps for the text size."""
        super().apply_theme(theme)
        self.action_row.setSpacing(theme.gap_px)
