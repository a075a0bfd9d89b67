"""The kiosk's own settings a technician may change on the screen: each button steps
through the allowed values; kept in kiosk.toml and taken at the next start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout

from kiosk.i18n import LANGUAGE_NAMES, N_
from kiosk.staff import save_choice
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.shell import KioskShell

#: Each setting: the values offered, and the words on its button.
CHOICES: tuple[tuple[str, tuple[str | int, ...], str], ...] = (
    ("language", tuple(LANGUAGE_NAMES), N_("Language: {value}")),
    ("text_size", (1, 2, 3), N_("Text size: {value}")),
    ("idle_seconds", (60, 90, 120, 180, 300), N_("Idle after: {value} s")),
    ("paper_mm", (58, 80), N_("Paper: {value} mm")),
)


class KioskSettingsScreen(Screen):
    """A button a setting, showing its value; a tap takes the next allowed one."""

    name = "kiosk_settings"
    description = "Settings: language, text size, idle time, paper width"
    header = False
    nav = Nav.NONE
    consumer = False

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.heading = text("heading")
        self.note = text()
        self.values: dict[str, str | int] = {}
        self.changed = False
        self.buttons: dict[str, IconButton] = {}
        self.grid = QGridLayout()
        for index, (name, _values, _words) in enumerate(CHOICES):
            button = IconButton("text_size", "quiet")
            button.clicked.connect(lambda _checked=False, n=name: self.next_value(n))
            self.buttons[name] = button
            self.grid.addWidget(button, index // 2, index % 2)
        self.restart = IconButton("repeat", "primary")
        self.restart.clicked.connect(shell.staff.restart)
        self.back = IconButton("back", "quiet")
        self.back.clicked.connect(lambda: shell.show_screen("technician_panel"))
        self.grid.addWidget(self.restart, 2, 0)
        self.grid.addWidget(self.back, 2, 1)
        self.column.addWidget(self.heading)
        self.column.addWidget(self.note)
        self.column.addStretch(1)
        self.column.addLayout(self.grid)
        self.column.addStretch(1)

    def show_result(self, result: object) -> None:
        """Shown: the values in use now."""
        settings = self.shell.settings
        self.values = {name: getattr(settings, name) for name, _values, _words in CHOICES}
        super().show_result(None)

    def next_value(self, name: str) -> None:
        """The next allowed value; kept at once for the next start."""
        allowed = next(values for n, values, _words in CHOICES if n == name)
        current = self.values.get(name)
        index = (allowed.index(current) + 1) % len(allowed) if current in allowed else 0
        self.values[name] = allowed[index]
        save_choice(self.shell.settings.data_dir, name, allowed[index])
        self.shell.staff.record("change_setting", f"{name}={allowed[index]}")
        self.changed = True
        self.retranslate()

    def retranslate(self) -> None:
        """The buttons show each value."""
        self.heading.setText(self.t(N_("Settings")))
        self.note.setText(
            self.t(
                N_("The new settings are used after a restart.")
                if self.changed
                else N_("Tap a setting to choose its next value.")
            )
        )
        for name, _values, words in CHOICES:
            value = self.values.get(name, getattr(self.shell.settings, name))
            shown = LANGUAGE_NAMES.get(str(value), value) if name == "language" else value
            self.buttons[name].set_text(self.t(words).format(value=shown))
        self.restart.set_text(self.t(N_("Restart")))
        self.back.set_text(self.t(N_("Back")))

    def apply_theme(self, theme: Theme) -> None:
        """Spacing between the buttons."""
        super().apply_theme(theme)
        self.grid.setSpacing(theme.gap_px)
