"""The attendant's panel: reset this visit, reprint the last receipt, out of service and
back, the room's volume, the devices at a glance, the self-test, and calls for help."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout

from devices.state import Health
from kiosk.i18n import N_
from kiosk.room import DEVICE_LABELS, STATE_LABELS
from kiosk.staff import VOLUME_STEP
from kiosk.sync_status import SyncState
from ui.screens.base import Nav, Screen, text
from ui.screens.out_of_service import STORAGE_FULL
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit

_HUB_WORDS = {
    SyncState.NOT_ENROLLED: N_("not enrolled"),
    SyncState.UP_TO_DATE: N_("connected"),
    SyncState.SENDING: N_("sending"),
    SyncState.OFFLINE: N_("cannot be reached"),
    SyncState.LOCKED_OUT: N_("refuses this kiosk"),
}


def _state_words(name: str, health: Health) -> str:
    """The state's words; for the printer, what the attendant can fix (paper, power)."""
    if name == "printer" and not health.working:
        detail = health.detail.lower()
        if "paper out" in detail:
            return N_("out of paper")
        if "offline" in detail:
            return N_("switched off or not connected")
    return STATE_LABELS[health.state]


class AttendantPanelScreen(Screen):
    """What the room attendant can do now, and how each of the room's devices is."""

    name = "attendant_panel"
    description = "Attendant panel: reset, reprint, service, volume, devices, self-test"
    header = False
    bar = Nav.NONE
    consumer = False

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        staff = kit.staff
        self.heading = text("heading")
        self.visit = text()
        self.help_call = text()
        self.device_states = text()
        self.reset = IconButton("reset", "primary")
        self.reset.clicked.connect(staff.reset_visit)
        self.reprint = IconButton("check", "quiet")
        self.reprint.clicked.connect(self._reprint)
        self.service = IconButton("out_of_service", "quiet")
        self.service.clicked.connect(self._toggle_service)
        self.selftest = IconButton("search", "quiet")
        self.selftest.clicked.connect(lambda: kit.nav.show("staff_selftest"))
        self.quieter = IconButton("volume_down", "quiet")
        self.quieter.clicked.connect(lambda: self._volume(-VOLUME_STEP))
        self.louder = IconButton("volume_up", "quiet")
        self.louder.clicked.connect(lambda: self._volume(VOLUME_STEP))
        self.close_panel = IconButton("exit", "quiet")
        self.close_panel.clicked.connect(kit.nav.back)
        self.column.addWidget(self.heading)
        self.column.addStretch(1)
        self.column.addWidget(self.visit)
        self.column.addWidget(self.help_call)
        self.column.addWidget(self.device_states)
        self.column.addStretch(1)
        self.grid = QGridLayout()
        buttons = (
            self.reset,
            self.reprint,
            self.service,
            self.selftest,
            self.quieter,
            self.louder,
            self.close_panel,
        )
        self.buttons = buttons
        for index, button in enumerate(buttons):
            self.grid.addWidget(button, index // 3, index % 3)
        self.column.addLayout(self.grid)
        self.column.addStretch(1)

    def _lay_out(self) -> None:
        # Three a row, the ones on offer only, with no holes: seven buttons and the
        # devices' lines fit a small screen at the largest text size.
        offered = {
            self.reset: self.host.visit.begun,
            self.reprint: self.kit.staff.last_receipt.minutes_left() > 0
            and self.kit.room() is not None,
        }
        for button in self.buttons:
            self.grid.removeWidget(button)
        shown = [button for button in self.buttons if offered.get(button, True)]
        for index, button in enumerate(shown):
            self.grid.addWidget(button, index // 3, index % 3)
        for button in self.buttons:
            button.setVisible(offered.get(button, True))

    def _reprint(self) -> None:
        self.kit.staff.reprint()
        self.retranslate()

    def _toggle_service(self) -> None:
        self.kit.staff.toggle_service()
        self.retranslate()

    def _volume(self, step: int) -> None:
        self.kit.staff.change_room_volume(step)
        self.retranslate()

    def apply_theme(self, theme: Theme) -> None:
        """Spacing between the buttons, as between any targets."""
        super().apply_theme(theme)
        self.grid.setSpacing(theme.gap_px)

    def device_lines(self) -> list[str]:
        """The devices, the hub and the outbox: what is out first, a line each."""
        room = self.kit.room()
        known = [
            (name, health)
            for name, health in (room.health.items() if room is not None else ())
            if name in DEVICE_LABELS
        ]
        # What is out comes first, a line each; what works shares one line, so the list
        # fits the largest text size and the trouble is what the attendant reads first.
        lines = [
            self.t(N_("{device}: {state}")).format(
                device=self.t(DEVICE_LABELS[name]), state=self.t(_state_words(name, health))
            )
            for name, health in known
            if not health.working
        ]
        working = [self.t(DEVICE_LABELS[name]) for name, health in known if health.working]
        if working:
            lines.append(
                self.t(N_("Working: {devices}")).format(devices=self.t(N_(", ")).join(working))
            )
        if self.kit.standing.storage_full:
            lines.insert(0, self.t(STORAGE_FULL))
        status = self.kit.standing.sync_status
        lines.append(
            self.t(N_("Hub: {state}. Waiting to be sent: {count}.")).format(
                state=self.t(_HUB_WORDS[status.state]), count=status.pending + status.held
            )
        )
        lines.append(self.t(N_("Room volume: {volume}%.")).format(volume=self.host.settings.volume))
        return lines

    def retranslate(self) -> None:
        """Set the words from the kiosk's state now."""
        visit = self.host.visit
        self.heading.setText(self.t(N_("Attendant panel")))
        self.visit.setText(
            self.t(
                N_("A visitor is using the kiosk.")
                if visit.begun
                else N_("No one is using the kiosk.")
            )
        )
        asked = visit.help_requested_at
        if asked is None:
            self.help_call.setText("")
        elif visit.help_calls > 1:
            self.help_call.setText(
                self.t(N_("The visitor has called for help {count} times, last at {time}.")).format(
                    count=visit.help_calls, time=asked.strftime("%H:%M")
                )
            )
        else:
            self.help_call.setText(
                self.t(N_("The visitor asked for help at {time}.")).format(
                    time=asked.strftime("%H:%M")
                )
            )
        self.help_call.setVisible(asked is not None)
        self.device_states.setText("\n".join(self.device_lines()))
        self.reset.set_text(self.t(N_("Reset this visit")))
        self.reprint.set_text(self.t(N_("Reprint receipt")))
        self.service.set_text(
            self.t(
                N_("Put out of service") if self.kit.standing.switched_on else N_("Back in service")
            )
        )
        self.selftest.set_text(self.t(N_("Self-test")))
        self.quieter.set_text(self.t(N_("Quieter")))
        self.louder.set_text(self.t(N_("Louder")))
        self.close_panel.set_text(self.t(N_("Close the panel")))
        self._lay_out()
