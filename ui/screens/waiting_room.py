"""The waiting room: the consumer's place in the mediation queue, spoken as it moves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout

from kiosk.call_journey import waiting_words
from kiosk.i18n import N_
from kiosk.wire import MediationTicket
from ui.screens.base import Nav, Screen, icon, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.shell import KioskShell

ASK_LEAVE = N_("Do you want to leave the queue? You will lose your place.")


class WaitingRoomScreen(Screen):
    """Large and calm: your number, the expected wait, and 'leave the queue' (confirmed)."""

    name = "waiting_room"
    description = "Waiting room: your place in the mediation queue and the expected wait"
    nav = Nav.NONE

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.ticket: MediationTicket | None = None
        self.asking = False
        self.heading = text("heading")
        self.place = text("title")
        self.calm = text()
        self.leave = IconButton("exit", "quiet")
        self.leave.clicked.connect(self.ask_leave)
        self.stay = IconButton("check")
        self.stay.clicked.connect(self.keep_place)
        self.confirm = IconButton("exit", "quiet")
        self.confirm.clicked.connect(shell.leave_mediation)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.leave, self.stay, self.confirm):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.buttons = buttons
        self.column.addStretch(1)
        self.column.addWidget(icon("clock"))
        for widget in (self.heading, self.place, self.calm):
            self.column.addWidget(widget)
        self.column.addStretch(1)
        self.column.addLayout(buttons)
        self.column.addStretch(1)

    def spoken_prompt(self) -> str:
        """Say the place in the queue (made from the numbers, already in the visit's language)."""
        return self.place.text()

    def show_ticket(self, ticket: MediationTicket) -> None:
        """The queue moved: show and say the new place."""
        moved = self.ticket is None or (
            (self.ticket.position, self.ticket.expected_wait_s)
            != (ticket.position, ticket.expected_wait_s)
        )
        self.ticket = ticket
        self.retranslate()
        if moved and self.shell.current is self and not self.asking:
            self.shell.say(self.place.text())

    def ask_leave(self) -> None:
        """First tap on 'leave the queue': ask, spoken."""
        self.asking = True
        self.retranslate()
        self.shell.say(self.t(ASK_LEAVE))

    def keep_place(self) -> None:
        """The consumer stays in the queue."""
        self.asking = False
        self.retranslate()
        self.shell.say(self.place.text())

    def clear(self) -> None:
        """Forget the place."""
        self.ticket = None
        self.asking = False
        super().clear()

    def retranslate(self) -> None:
        """Set the words: the place, or the question."""
        t = self.shell.translator
        self.heading.setText(self.t(N_("Please wait for the mediator")))
        if self.asking:
            self.place.setText(self.t(ASK_LEAVE))
        elif self.ticket is None:
            self.place.setText(self.t(N_("Joining the queue…")))
        elif self.ticket.position == 0:
            self.place.setText(self.t(N_("The mediator is joining you now.")))
        else:
            self.place.setText(waiting_words(t, self.ticket.position, self.ticket.expected_wait_s))
        self.calm.setText(
            self.t(N_("You can sit and rest. The screen will change when the mediator is here."))
        )
        self.leave.set_text(self.t(N_("Leave the queue")))
        self.stay.set_text(self.t(N_("No, I will wait")))
        self.confirm.set_text(self.t(N_("Yes, leave")))
        self.leave.setVisible(not self.asking)
        self.stay.setVisible(self.asking)
        self.confirm.setVisible(self.asking)

    def apply_theme(self, theme: Theme) -> None:
        """Buttons apart by the gap."""
        super().apply_theme(theme)
        self.buttons.setSpacing(theme.gap_px * 2)
