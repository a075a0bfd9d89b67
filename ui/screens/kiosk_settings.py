"""The kiosk's own settings a technician may change on the screen: each button steps
through the allowed values; kept in kiosk.toml and taken at the next start."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.i18n import LANGUAGE_NAMES, N_
from ui.screens.next_start import NextStartScreen

#: Each setting: the values offered, and the words on its button.
CHOICES: dict[str, tuple[tuple[str | int, ...], str]] = {
    "language": (tuple(LANGUAGE_NAMES), N_("Language: {value}")),
    "text_size": ((1, 2, 3), N_("Text size: {value}")),
    "idle_seconds": ((60, 90, 120, 180, 300), N_("Idle after: {value} s")),
    "paper_mm": ((58, 80), N_("Paper: {value} mm")),
}


class KioskSettingsScreen(NextStartScreen):
    """A button a setting, showing its value; a tap takes the next allowed one."""

    name = "kiosk_settings"
    description = "Settings: language, text size, idle time, paper width"
    settings = tuple(CHOICES)
    icon = "text_size"
    audit_action = "change_setting"
    heading_words = N_("Settings")
    how_words = N_("Tap a setting to choose its next value.")
    changed_words = N_("The new settings are used after a restart.")

    def offered(self, setting: str) -> Sequence[str | int]:
        """The values allowed."""
        return CHOICES[setting][0]

    def button_words(self, setting: str) -> str:
        """'Text size: 2' and the like; a language by its own name."""
        value = self.chosen[setting]
        shown = LANGUAGE_NAMES.get(str(value), value) if setting == "language" else value
        return self.t(CHOICES[setting][1]).format(value=shown)
