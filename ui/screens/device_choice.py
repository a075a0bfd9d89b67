"""Which camera, microphone, speaker and printer the kiosk uses: each button steps through
what is connected; the choice is kept in kiosk.toml and taken at the next start."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kiosk.i18n import N_
from kiosk.staff import Choice, audio_choices, camera_choices, printer_choices
from ui.screens.next_start import NextStartScreen

if TYPE_CHECKING:
    from ui.host import ScreenKit

#: Each device: its setting, and the words on its button.
DEVICES = {
    "camera": N_("Camera: {choice}"),
    "microphone": N_("Microphone: {choice}"),
    "speaker": N_("Speaker: {choice}"),
    "printer_queue": N_("Printer: {choice}"),
}


class DeviceChoiceScreen(NextStartScreen):
    """A button a device, showing its choice; a tap takes the next one connected."""

    name = "device_choice"
    description = "Device selection: which camera, microphone, speaker and printer"
    settings = tuple(DEVICES)
    audit_action = "choose_device"
    heading_words = N_("Devices")
    how_words = N_("Tap a device to choose the next one connected.")
    changed_words = N_("The new devices are used after a restart.")

    def __init__(self, kit: ScreenKit) -> None:
        self.choices: dict[str, list[Choice]] = {}
        super().__init__(kit)

    def show_result(self, result: object) -> None:
        """Shown: look again at what is connected."""
        settings = self.host.settings
        self.choices = {
            "camera": camera_choices(settings),
            "microphone": audio_choices(settings, "microphone"),
            "speaker": audio_choices(settings, "speaker"),
            "printer_queue": printer_choices(settings),
        }
        super().show_result(result)

    def offered(self, setting: str) -> Sequence[str]:
        """What is connected of this kind."""
        return [choice.value for choice in self.choices.get(setting, [])]

    def button_words(self, setting: str) -> str:
        """'Camera: …' with the device chosen."""
        return self.t(DEVICES[setting]).format(choice=self._label(setting))

    def _label(self, setting: str) -> str:
        value = self.chosen[setting]
        for choice in self.choices.get(setting, []):
            if choice.value == value:
                return self.t(choice.label) if not value else choice.label.rsplit("/", 1)[-1]
        # A file or device path: its last part, so the button's words fit.
        return (value.rsplit("/", 1)[-1] or value) if value else self.t(N_("System default"))
