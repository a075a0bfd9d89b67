"""Help has been asked for: stay here, a member of staff will come."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text

if TYPE_CHECKING:
    from ui.shell import KioskShell


class HelpComingScreen(Screen):
    """Tells the consumer that help was asked for, when, and whom else to call."""

    name = "help_coming"
    description = "Help has been asked for; a member of staff will come"
    nav = Nav.BACK

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.heading = text("heading")
        self.wait = text()
        self.asked = text()
        self.phone = text()
        self.arrange("hand", self.heading, self.wait, self.asked, self.phone)

    def retranslate(self) -> None:
        """Set the words."""
        self.heading.setText(self.t(N_("Help is coming")))
        self.wait.setText(self.t(N_("Please stay here. A member of staff will come to you.")))
        asked = self.fields.get("asked_at")
        self.asked.setText(
            self.t(N_("You asked for help at {time}.")).format(time=asked.strftime("%H:%M"))
            if asked
            else ""
        )
        self.asked.setVisible(asked is not None)
        phone = self.shell.settings.help_phone
        self.phone.setText(
            self.t(N_("You can also telephone {phone}.")).format(phone=phone) if phone else ""
        )
        self.phone.setVisible(bool(phone))
