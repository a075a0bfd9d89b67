"""'Are you still there?': the warning before an idle visit is cleared."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit


class IdleWarningScreen(Screen):
    """Counts down to the reset; one tap anywhere continues the visit."""

    name = "idle_warning"
    description = "Are you still there? Counts down before the visit is cleared"
    prompt = N_("Are you still there? Touch the screen to continue.")
    header = False
    bar = Nav.NONE

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.setObjectName("Warning")
        self.heading = text("title")
        self.explain = text()
        self.count = text("count")
        self.carry_on = IconButton("check", "primary", icon_scale=1.4)
        self.carry_on.clicked.connect(kit.nav.back)
        self.arrange("clock", self.heading, self.explain, self.count, action=self.carry_on)

    def retranslate(self) -> None:
        """Set the words and the seconds left."""
        self.heading.setText(self.t(N_("Are you still there?")))
        self.explain.setText(
            self.t(
                N_(
                    "To keep your answers, touch Continue. Otherwise "
                    "the screen will be cleared for the next person in:"
                )
            )
        )
        self.carry_on.set_text(self.t(N_("Continue")))
        self.tick()

    def tick(self) -> None:
        """Show the seconds left."""
        left = self.host.idle_seconds_left()
        self.count.setText(
            self.host.translator.ngettext("{n} second", "{n} seconds", left).format(n=left)
        )
