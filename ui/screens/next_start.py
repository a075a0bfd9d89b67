"""A technician's screen of settings taken at the next start: one button a setting, showing
what is chosen; a tap takes the next value offered, kept at once in kiosk.toml. The device
choice and the kiosk's own settings are two such screens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QGridLayout

from kiosk.i18n import N_
from kiosk.staff import save_choice
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit


class NextStartScreen(Screen):
    """Buttons that step through each setting's values, then "restart" and "back"."""

    header = False
    bar = Nav.NONE
    consumer = False
    #: The settings (names in kiosk.toml), in the buttons' order.
    settings: tuple[str, ...] = ()
    icon = "kiosk"
    #: What the audit log calls a change.
    audit_action = ""
    heading_words = ""
    #: The note before and after a change.
    how_words = ""
    changed_words = ""

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.heading = text("heading")
        self.note = text()
        self.chosen = self._in_use()
        self.changed = False
        self.buttons: dict[str, IconButton] = {}
        self.grid = QGridLayout()
        for index, setting in enumerate(self.settings):
            button = IconButton(self.icon, "quiet")
            button.clicked.connect(lambda _checked=False, s=setting: self.next_value(s))
            self.buttons[setting] = button
            self.grid.addWidget(button, index // 2, index % 2)
        self.restart = IconButton("repeat", "primary")
        self.restart.clicked.connect(kit.staff.restart)
        self.back = IconButton("back", "quiet")
        self.back.clicked.connect(lambda: kit.nav.show("technician_panel"))
        rows = (len(self.settings) + 1) // 2
        self.grid.addWidget(self.restart, rows, 0)
        self.grid.addWidget(self.back, rows, 1)
        self.column.addWidget(self.heading)
        self.column.addWidget(self.note)
        self.column.addStretch(1)
        self.column.addLayout(self.grid)
        self.column.addStretch(1)

    def offered(self, setting: str) -> Sequence[Any]:
        """The values a tap steps through."""
        raise NotImplementedError

    def button_words(self, setting: str) -> str:
        """The words on a setting's button, translated, with what is chosen."""
        raise NotImplementedError

    def _in_use(self) -> dict[str, Any]:
        return {setting: getattr(self.host.settings, setting) for setting in self.settings}

    def show_result(self, result: object) -> None:
        """Shown: what is in use now."""
        self.chosen = self._in_use()
        super().show_result(None)

    def next_value(self, setting: str) -> None:
        """The next value offered; kept at once for the next start."""
        current = self.chosen.get(setting)
        offered = list(self.offered(setting)) or [current]
        index = (offered.index(current) + 1) % len(offered) if current in offered else 0
        self.chosen[setting] = offered[index]
        save_choice(self.host.settings.data_dir, setting, offered[index])
        self.kit.staff.record(self.audit_action, f"{setting}={offered[index]}")
        self.changed = True
        self.retranslate()

    def retranslate(self) -> None:
        """The buttons show what is chosen."""
        self.heading.setText(self.t(self.heading_words))
        self.note.setText(self.t(self.changed_words if self.changed else self.how_words))
        for setting in self.settings:
            self.buttons[setting].set_text(self.button_words(setting))
        self.restart.set_text(self.t(N_("Restart")))
        self.back.set_text(self.t(N_("Back")))

    def apply_theme(self, theme: Theme) -> None:
        """Spacing between the buttons."""
        super().apply_theme(theme)
        self.grid.setSpacing(theme.gap_px)
