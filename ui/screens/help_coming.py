"""Help has been asked for: stay here, a member of staff will come."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text

if TYPE_CHECKING:
    from ui.host import ScreenKit


class HelpComingScreen(Screen):
    """Tells the consumer that help was asked for, when it was last called, and whom else
    to call; 'back' returns to what they were doing, as it was."""

    name = "help_coming"
    description = "Help has been asked for; a member of staff will come"
    bar = Nav.BACK

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.heading = text("heading")
        self.wait = text()
        self.asked = text()
        self.phone = text()
        self.kept = text()
        self.arrange("hand", self.heading, self.wait, self.asked, self.phone, self.kept)

    def retranslate(self) -> None:
        """Set the words."""
        again = bool(self.fields.get("again"))
        self.heading.setText(self.t(N_("Help is coming")))
        self.wait.setText(
            self.t(
                N_("The staff already know that you need help, and someone is coming.")
                if again
                else N_("Please stay here. A member of staff will come to you.")
            )
        )
        asked = self.fields.get("asked_at")
        if asked is None:
            self.asked.setText("")
        elif again:
            self.asked.setText(
                self.t(
                    N_(
                        "You asked for help at {time}. If nobody has come in a minute, "
                        "touch 'Call for help' again."
                    )
                ).format(time=asked.strftime("%H:%M"))
            )
        else:
            self.asked.setText(
                self.t(N_("You asked for help at {time}.")).format(time=asked.strftime("%H:%M"))
            )
        self.asked.setVisible(asked is not None)
        phone = self.host.settings.help_phone
        self.phone.setText(
            self.t(N_("You can also telephone {phone}.")).format(phone=phone) if phone else ""
        )
        self.phone.setVisible(bool(phone))
        self.kept.setText(self.t(N_("What you were doing is kept. Touch 'Back' to go on.")))
        self.kept.setVisible(not again)  # said at the first press; the screen stays short
