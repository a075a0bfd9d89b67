"""The privacy notice, read aloud: what is collected, why, who sees it, how long it is
kept, and what happens without an agreement; 'I agree', or 'I do not agree' and what the
consumer can do instead (video mediation is asked next, on its own screen)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit

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
    N_("If you do not agree: nothing is sent or kept. Staff, or 12315, can still help."),
)
#: What not agreeing means, said plainly, with the ways left open.
DECLINED = (
    N_("You did not agree, so the complaint will not be sent."),
    N_("Nothing you entered is kept once you touch 'Finish'."),
    N_(
        "You can still get help: touch 'Call for help' for a member of staff, "
        "or phone the consumer hotline 12315."
    ),
    N_("If you change your mind, touch 'Read the notice again'."),
)


class PrivacyScreen(Screen):
    """The notice in five short lines, 'I agree' and 'I do not agree'; not agreeing shows
    what follows and ends the visit, or goes back to the notice."""

    name = "privacy"
    description = "Privacy notice, read aloud; consent to processing the complaint, or not"
    # 'Back' sits beside 'I agree': the notice needs the bottom bar's room.
    bar = Nav.NONE

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.heading = text("heading")
        self.points = [text(centred=False) for _ in POINTS]
        self.error = text()
        self.error.setObjectName("Warning")
        self.agree = IconButton("check", "primary")
        self.agree.clicked.connect(self._agree)
        self.disagree = IconButton("cross", "quiet")
        self.disagree.clicked.connect(self._disagree)
        self.again = IconButton("back", "quiet")
        self.again.clicked.connect(self._read_again)
        self.finish = IconButton("exit", "primary")
        self.finish.clicked.connect(kit.nav.finish)
        self.column.addWidget(self.heading)
        for point in self.points:
            self.column.addWidget(point)
        self.column.addWidget(self.error)
        self.column.addStretch(1)
        self.back = IconButton("back", "quiet")
        self.back.clicked.connect(kit.nav.back)
        self.action_row = QHBoxLayout()
        self.action_row.addWidget(self.back)
        self.action_row.addWidget(self.disagree)
        self.action_row.addWidget(self.agree, 1)
        self.action_row.addWidget(self.again)
        self.action_row.addWidget(self.finish, 1)
        self.column.addLayout(self.action_row)

    @property
    def declined(self) -> bool:
        """True when the consumer said they do not agree."""
        return bool(self.fields.get("declined"))

    def _agree(self) -> None:
        self.host.answer({"processing": True})

    def _disagree(self) -> None:
        self.host.answer({"processing": False, "declined": True})

    def _read_again(self) -> None:
        self.host.answer({"again": True})

    def show_result(self, result: Any) -> None:
        """The notice, or what not agreeing means."""
        super().show_result(result)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the words and which buttons show."""
        declined = self.declined
        self.heading.setText(
            self.t(
                N_("The complaint will not be sent")
                if declined
                else N_("Your personal information")
            )
        )
        lines = DECLINED if declined else POINTS
        for index, label in enumerate(self.points):
            label.setText(self.t(lines[index]) if index < len(lines) else "")
            label.setVisible(index < len(lines))
        error = "" if declined else str(self.errors.get("processing", ""))
        self.error.setText(self.t(error) if error else "")
        self.error.setVisible(bool(error))
        self.agree.set_text(self.t(N_("I agree")))
        self.disagree.set_text(self.t(N_("I do not agree")))
        self.back.set_text(self.t(N_("Back")))
        self.again.set_text(self.t(N_("Read the notice again")))
        self.finish.set_text(self.t(N_("Finish")))
        for button in (self.back, self.disagree, self.agree):
            button.setVisible(not declined)
        for button in (self.again, self.finish):
            button.setVisible(declined)

    def apply_theme(self, theme: Theme) -> None:
        """Gaps for the text size."""
        super().apply_theme(theme)
        # The points read as one short text: half the usual space between them.
        self.column.setSpacing(theme.gap_px // 2)
        self.action_row.setSpacing(theme.gap_px)
