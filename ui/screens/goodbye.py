"""Goodbye, for a few seconds after 'Finish': take the receipt; then the welcome screen.

Shown after the visit is wiped: it holds nothing of the consumer's but the language and
text size they chose, and the shell takes those back when it goes on to the welcome screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QMouseEvent

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text

if TYPE_CHECKING:
    from ui.host import ScreenKit

WITH_RECEIPT = N_("Please take your receipt. Goodbye.")
WITHOUT_RECEIPT = N_("Thank you for coming. Goodbye.")


class GoodbyeScreen(Screen):
    """A goodbye that fits the visit: with a reminder of the receipt when one was printed."""

    name = "goodbye"
    description = "Goodbye after 'Finish' (take your receipt), then the welcome screen"
    header = False
    bar = Nav.NONE

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.words = WITHOUT_RECEIPT
        self.heading = text("title")
        self.arrange("check", self.heading)

    def farewell(self, printed: bool) -> None:
        """Say goodbye, reminding of the receipt when one was printed for this consumer."""
        self.words = WITH_RECEIPT if printed else WITHOUT_RECEIPT
        self.retranslate()

    def spoken_prompt(self) -> str:
        """The goodbye itself."""
        return self.words

    def retranslate(self) -> None:
        """Set the words."""
        self.heading.setText(self.t(self.words))

    def clear(self) -> None:
        """Back to the plain goodbye."""
        self.words = WITHOUT_RECEIPT
        super().clear()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        """A touch goes on to the welcome screen at once (the next person is here)."""
        super().mousePressEvent(event)
        self.nav.back()
