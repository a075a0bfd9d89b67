"""The honest notice for a service this kiosk does not offer yet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.shell import KioskShell


class NotAvailableScreen(Screen):
    """Says plainly that the service is not available here yet, and what to do instead."""

    name = "not_available"
    description = "A service this kiosk does not offer yet, said plainly"
    nav = Nav.BACK

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.service = text("heading")
        self.notice = text()
        self.advice = text()
        self.menu = IconButton("home", "primary")
        self.menu.clicked.connect(shell.go_home)
        self.arrange("warning", self.service, self.notice, self.advice, action=self.menu)

    def retranslate(self) -> None:
        """Set the words."""
        service = self.fields.get("service")
        self.service.setText(self.t(str(service)) if service else "")
        self.notice.setText(self.t(N_("This service is not available on this kiosk yet.")))
        self.advice.setText(
            self.t(
                N_(
                    "You can go back to the menu, or call for help "
                    "and a member of staff will help you."
                )
            )
        )
        self.menu.set_text(self.t(N_("Back to the menu")))
