"""One question answered by touching a big picture button (or several, then 'Next')."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout, QHBoxLayout

from kiosk.complaint import Choice
from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, Shown, text
from ui.theme import Theme
from ui.widgets.buttons import CardButton, IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit

MOST_OPTIONS = 8


class ChoiceScreen(Screen):
    """Picture buttons for the choices; one touch answers, or several and 'Next'."""

    name = "choice"
    description = "A question answered with big picture buttons (one, or several and Next)"
    bar = Nav.BACK

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.question = text("heading")
        self.error = text(centred=False)
        self.error.setObjectName("Warning")
        self.grid = QGridLayout()
        self.cards: list[CardButton] = []
        self._chosen: list[str] = []
        self.next = IconButton("next", "primary")
        self.next.clicked.connect(self._next)
        self.column.addWidget(self.question)
        self.column.addLayout(self.grid, 1)
        # The warning sits beside 'Next', in the row the button holds anyway: showing it
        # or taking it away never moves a card under the finger.
        self.foot = QHBoxLayout()
        self.foot.addWidget(self.error, 1)
        self.foot.addWidget(self.next)
        self.column.addLayout(self.foot)

    @property
    def options(self) -> list[Choice]:
        """The choices on show."""
        return list(self.fields.get("options", []))

    @property
    def multiple(self) -> bool:
        """True when several may be chosen."""
        return bool(self.fields.get("multiple"))

    def show_result(self, result: Shown) -> None:
        """Build a card for each choice, with what was chosen before."""
        super().show_result(result)
        self._chosen = list(self.fields.get("selected", []))
        self._build()
        self.retranslate()

    def _build(self) -> None:
        options = self.options[:MOST_OPTIONS]
        while len(self.cards) > len(options):
            self._drop(self.cards.pop())
        for index, option in enumerate(options):
            if index < len(self.cards) and self.cards[index].property("icon_name") == option.icon:
                card = self.cards[index]
            else:
                card = CardButton(option.icon, compact=True)
                card.setProperty("icon_name", option.icon)
                card.clicked.connect(lambda _=False, i=index: self._touched(i))
                if index < len(self.cards):
                    self._drop(self.cards[index])
                    self.cards[index] = card
                else:
                    self.cards.append(card)
                card.apply_theme(self.host.theme)
            self.grid.addWidget(card, index // 2, index % 2)
            card.show()  # a child added to a shown screen would only show a turn later

    def _drop(self, card: CardButton) -> None:
        # Hidden at once: a card waiting to be deleted must never be seen or touched.
        self.grid.removeWidget(card)
        card.hide()
        card.setParent(None)
        card.deleteLater()

    def _touched(self, index: int) -> None:
        value = self.options[index].value
        if not self.multiple:
            self.host.answer({"choice": value})
            return
        if value in self._chosen:
            self._chosen.remove(value)
        else:
            self._chosen.append(value)
        self.retranslate()

    def _next(self) -> None:
        self.host.answer({"choices": list(self._chosen)})

    def draft(self) -> dict[str, object] | None:
        """Choices touched but not yet confirmed with 'Next' (kept when going back)."""
        return {"choices": list(self._chosen)} if self.multiple else None

    def retranslate(self) -> None:
        """Set the words; chosen cards say so in words as well as in their frame (the
        choice made before, too, when the consumer comes back to change it)."""
        self.question.setText(self.t(str(self.fields.get("question", ""))))
        # The warning goes as soon as the answer is right: once something is chosen.
        error = "" if self._chosen else str(self.errors.get("choice", ""))
        self.error.setText(self.t(error) if error else "")
        # Beside 'Next', the warning's room is kept while it is away: 'Next' stays put.
        policy = self.error.sizePolicy()
        policy.setRetainSizeWhenHidden(self.multiple)
        self.error.setSizePolicy(policy)
        self.error.setVisible(bool(error))
        for card, option in zip(self.cards, self.options, strict=False):
            chosen = option.value in self._chosen
            label = self.t(option.label)
            # The word on the card's one line (a second would not fit seven cards at the
            # largest size), a tick for its icon, and a thicker frame.
            card.set_texts(
                self.t(N_("{choice} (chosen)")).format(choice=label) if chosen else label, ""
            )
            card.set_icon("checked" if chosen else option.icon, self.host.theme)
            card.setProperty("chosen", "true" if chosen else "false")
            card.style().unpolish(card)
            card.style().polish(card)
        self.next.set_text(self.t(N_("Next")))
        self.next.setVisible(self.multiple)

    def clear(self) -> None:
        """Forget the choices of the visit."""
        self._chosen = []
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """Cards apart by the gap."""
        super().apply_theme(theme)
        self.grid.setSpacing(theme.gap_px)
        self.foot.setSpacing(theme.gap_px)
