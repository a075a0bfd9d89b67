"""The technician's panel: everything of the attendant, plus the self-test, the devices
to use, the log, enrolling again and restarting the application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout

from kiosk import __version__
from kiosk.enrollment import load_credential
from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit


class TechnicianPanelScreen(Screen):
    """Where the technician goes after the technician PIN."""

    name = "technician_panel"
    description = (
        "Technician panel: attendant tasks, self-test, devices, settings, log, re-enroll, restart"
    )
    header = False
    bar = Nav.NONE
    consumer = False

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        staff = kit.staff
        self.heading = text("heading")
        self.about = text()
        self.attendant = IconButton("hand", "primary")
        self.attendant.clicked.connect(lambda: kit.nav.show("attendant_panel"))
        self.selftest = IconButton("search", "quiet")
        self.selftest.clicked.connect(lambda: kit.nav.show("staff_selftest"))
        self.devices = IconButton("kiosk", "quiet")
        self.devices.clicked.connect(lambda: kit.nav.show("device_choice"))
        self.settings = IconButton("text_size", "quiet")
        self.settings.clicked.connect(lambda: kit.nav.show("kiosk_settings"))
        self.log = IconButton("complaint", "quiet")
        self.log.clicked.connect(lambda: kit.nav.show("kiosk_log"))
        self.re_enroll = IconButton("lock", "quiet")
        self.re_enroll.clicked.connect(staff.re_enroll)
        self.restart = IconButton("repeat", "quiet")
        self.restart.clicked.connect(staff.restart)
        self.close_panel = IconButton("exit", "quiet")
        self.close_panel.clicked.connect(kit.nav.back)
        self.grid = QGridLayout()
        buttons = (
            self.attendant,
            self.selftest,
            self.devices,
            self.settings,
            self.log,
            self.re_enroll,
            self.restart,
            self.close_panel,
        )
        for index, button in enumerate(buttons):
            self.grid.addWidget(button, index // 2, index % 2)
        self.column.addWidget(self.heading)
        self.column.addStretch(1)
        self.column.addWidget(self.about)
        self.column.addStretch(1)
        self.column.addLayout(self.grid)
        self.column.addStretch(1)

    def apply_theme(self, theme: Theme) -> None:
        """Spacing between the buttons."""
        super().apply_theme(theme)
        self.grid.setSpacing(theme.gap_px)

    def retranslate(self) -> None:
        """Who this kiosk is, and what waits for the hub."""
        self.heading.setText(self.t(N_("Technician panel")))
        credential = load_credential(self.host.settings.data_dir)
        if credential is None:
            who = self.t(N_("Not enrolled. Version {version}.")).format(version=__version__)
        else:
            who = self.t(N_("Kiosk {device} of {hub}. Version {version}.")).format(
                device=credential.device_id, hub=credential.hub_url, version=__version__
            )
        waiting = self.t(N_("Audit entries waiting for the hub: {count}.")).format(
            count=self.kit.staff.audit.waiting()
        )
        self.about.setText(who + "\n" + waiting)
        self.attendant.set_text(self.t(N_("Attendant tasks")))
        self.selftest.set_text(self.t(N_("Self-test")))
        self.devices.set_text(self.t(N_("Devices")))
        self.settings.set_text(self.t(N_("Settings")))
        self.log.set_text(self.t(N_("Log")))
        self.re_enroll.set_text(self.t(N_("Enroll again")))
        self.restart.set_text(self.t(N_("Restart")))
        self.close_panel.set_text(self.t(N_("Close the panel")))
