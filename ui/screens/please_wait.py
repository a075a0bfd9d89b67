"""Something the consumer waits on is under way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.i18n import N_
from kiosk.journeys import ShowProgress
from ui.screens.base import Nav, Screen, text

if TYPE_CHECKING:
    from ui.host import ScreenKit


class PleaseWaitScreen(Screen):
    """Shows what the kiosk is doing while the consumer waits."""

    name = "please_wait"
    description = "Please wait: something the consumer waits on is under way"
    bar = Nav.NONE

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.heading = text("heading")
        self.message = text()
        self.arrange("wait", self.heading, self.message)

    def retranslate(self) -> None:
        """Set the words."""
        self.heading.setText(self.t(N_("Please wait")))
        message = self.result.message if isinstance(self.result, ShowProgress) else ""
        self.message.setText(self.t(message) if message else "")
