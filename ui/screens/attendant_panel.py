"""The attendant's panel: reset this visit, out of service and back, close."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.i18n import N_
from kiosk.room import DEVICE_LABELS, STATE_LABELS
from ui.screens.base import Nav, Screen, text
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.shell import KioskShell


class AttendantPanelScreen(Screen):
    """What the room attendant can do now, and how each of the room's devices is."""

    name = "attendant_panel"
    description = "Attendant panel: reset this visit, out of service, close"
    header = False
    nav = Nav.NONE
    consumer = False

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.heading = text("heading")
        self.visit = text()
        self.help_call = text()
        self.device_states = text()
        self.reset = IconButton("reset", "primary")
        self.reset.clicked.connect(shell.reset_visit)
        self.service = IconButton("out_of_service", "quiet")
        self.service.clicked.connect(shell.toggle_service)
        self.close_panel = IconButton("exit", "quiet")
        self.close_panel.clicked.connect(shell.close_attendant)
        self.column.addWidget(self.heading)
        self.column.addStretch(1)
        self.column.addWidget(self.visit)
        self.column.addWidget(self.help_call)
        self.column.addWidget(self.device_states)
        self.column.addStretch(1)
        for button in (self.reset, self.service, self.close_panel):
            self.column.addWidget(button)
        self.column.addStretch(1)

    def retranslate(self) -> None:
        """Set the words from the kiosk's state now."""
        visit = self.shell.visit
        self.heading.setText(self.t(N_("Attendant panel")))
        self.visit.setText(
            self.t(
                N_("A visitor is using the kiosk.")
                if visit.begun
                else N_("No one is using the kiosk.")
            )
        )
        asked = visit.help_requested_at
        self.help_call.setText(
            self.t(N_("The visitor asked for help at {time}.")).format(time=asked.strftime("%H:%M"))
            if asked
            else ""
        )
        self.help_call.setVisible(asked is not None)
        room = self.shell.room
        known = [
            (name, health)
            for name, health in (room.health.items() if room is not None else ())
            if name in DEVICE_LABELS
        ]
        # What is out comes first, a line each; what works shares one line, so the list
        # fits the largest text size and the trouble is what the attendant reads first.
        states = [
            self.t(N_("{device}: {state}")).format(
                device=self.t(DEVICE_LABELS[name]), state=self.t(STATE_LABELS[health.state])
            )
            for name, health in known
            if not health.working
        ]
        working = [self.t(DEVICE_LABELS[name]) for name, health in known if health.working]
        if working:
            states.append(
                self.t(N_("Working: {devices}")).format(devices=self.t(N_(", ")).join(working))
            )
        self.device_states.setText("\n".join(states))
        self.device_states.setVisible(bool(states))
        self.reset.set_text(self.t(N_("Reset this visit")))
        self.reset.setVisible(visit.begun)
        self.service.set_text(
            self.t(N_("Put out of service") if self.shell.in_service else N_("Back in service"))
        )
        self.close_panel.set_text(self.t(N_("Close the panel")))
