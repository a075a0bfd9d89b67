"""The welcome screen: tap anywhere to start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QMouseEvent

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit


class AttractScreen(Screen):
    """Welcomes whoever walks up; a tap anywhere starts a visit."""

    name = "attract"
    description = "Welcome screen; tap anywhere to start"
    prompt = N_("Welcome. Touch the screen to start.")
    bar = Nav.NONE

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.room = text("heading")
        self.title = text("title")
        self.purpose = text()
        self.start = IconButton("hand", "primary", icon_scale=1.4)
        self.start.clicked.connect(kit.nav.begin)
        self.arrange("kiosk", self.title, self.purpose, self.room, action=self.start)

    def retranslate(self) -> None:
        """Set the words."""
        self.title.setText(self.t(N_("Consumer dispute mediation")))
        self.purpose.setText(
            self.t(
                N_("Make a complaint about something you bought, and talk to a mediator by video.")
            )
        )
        room = self.host.settings.room_name
        self.room.setText(room)
        self.room.setVisible(bool(room))
        self.start.set_text(self.t(N_("Touch here to start")))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        """A tap anywhere on the screen starts, not only on the button."""
        event.accept()
        self.nav.begin()
