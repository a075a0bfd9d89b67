"""The kiosk is out of service: say so, and where to get help."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text

if TYPE_CHECKING:
    from ui.host import ScreenKit

#: Why the kiosk is out of service when its disk is full, for the attendant (the panel too).
STORAGE_FULL = N_(
    "Storage full: the kiosk cannot keep new complaints. Those kept before are safe "
    "and are sent to the hub. Please ask a technician to free space on the disk."
)
STORAGE_FULL_PROMPT = N_(
    "Sorry, this kiosk is out of service: its storage is full. Please ask the room attendant."
)


class OutOfServiceScreen(Screen):
    """Shown while the attendant has put the kiosk out of service, or its disk is full."""

    name = "out_of_service"
    description = "The kiosk is out of service"
    prompt = N_("Sorry, this kiosk is out of service. Please ask the room attendant.")
    bar = Nav.NONE

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.heading = text("title")
        self.advice = text()
        self.reason = text()
        self.arrange("out_of_service", self.heading, self.advice, self.reason)

    def spoken_prompt(self) -> str:
        """Says the disk is full when that is why."""
        return STORAGE_FULL_PROMPT if self.kit.standing.storage_full else self.prompt

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
        full = self.kit.standing.storage_full
        self.reason.setText(self.t(STORAGE_FULL) if full else "")
        self.reason.setVisible(full)
