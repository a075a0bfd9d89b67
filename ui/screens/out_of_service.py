"""The kiosk is out of service: say so, and where to get help."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text

if TYPE_CHECKING:
    from ui.shell import KioskShell


class OutOfServiceScreen(Screen):
    """Shown while the attendant has put the kiosk out of service."""

    name = "out_of_service"
    description = "The kiosk is out of service"
    prompt = N_("Sorry, this kiosk is out of service. Please ask the room attendant.")
    nav = Nav.NONE

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.heading = text("title")
        self.advice = text()
        self.arrange("out_of_service", self.heading, self.advice)

    def retranslate(self) -> None:
        """Set the words."""
        self.heading.setText(self.t(N_("Out of service")))
        self.advice.setText(
            self.t(
                N_(
                    "Sorry, this kiosk cannot be used at the moment. "
                    "Please ask the room attendant, or come back later."
                )
            )
        )
