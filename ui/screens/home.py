"""The home menu: the four things a consumer can come to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout

from kiosk.i18n import N_
from kiosk.services import SERVICES
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import CardButton

if TYPE_CHECKING:
    from ui.host import ScreenKit


class HomeScreen(Screen):
    """Four big cards: file a complaint, join my mediation, check my case, call for help."""

    name = "home"
    description = "Home menu: file a complaint, join my mediation, check my case, call for help"
    prompt = N_("What would you like to do? Touch one of the big buttons.")
    bar = Nav.FINISH

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.question = text("heading")
        self.column.addWidget(self.question)
        self.grid = QGridLayout()
        self.cards: dict[str, CardButton] = {}
        for index, service in enumerate(SERVICES):
            card = CardButton(service.icon)
            card.clicked.connect(lambda _=False, name=service.name: kit.nav.open(name))
            self.grid.addWidget(card, index // 2, index % 2)
            self.cards[service.name] = card
        self.column.addLayout(self.grid, 1)

    def retranslate(self) -> None:
        """Set the words."""
        self.question.setText(self.t(N_("What would you like to do?")))
        for service in SERVICES:
            self.cards[service.name].set_texts(self.t(service.title), self.t(service.explanation))

    def apply_theme(self, theme: Theme) -> None:
        """Cards apart by the gap."""
        super().apply_theme(theme)
        self.grid.setSpacing(theme.gap_px)
