"""Which camera, microphone, speaker and printer the kiosk uses: each button steps through
what is connected; the choice is kept in kiosk.toml and taken at the next start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout

from kiosk.i18n import N_
from kiosk.staff import Choice, audio_choices, camera_choices, printer_choices, save_choice
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.shell import KioskShell

#: Each device: its setting, and the words on its button.
DEVICES = (
    ("camera", N_("Camera: {choice}")),
    ("microphone", N_("Microphone: {choice}")),
    ("speaker", N_("Speaker: {choice}")),
    ("printer_queue", N_("Printer: {choice}")),
)


class DeviceChoiceScreen(Screen):
    """A button a device, showing its choice; a tap takes the next one."""

    name = "device_choice"
    description = "Device selection: which camera, microphone, speaker and printer"
    header = False
    nav = Nav.NONE
    consumer = False

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.heading = text("heading")
        self.note = text()
        self.choices: dict[str, list[Choice]] = {}
        self.chosen: dict[str, str] = {}
        self.changed = False
        self.buttons: dict[str, IconButton] = {}
        self.grid = QGridLayout()
        for index, (setting, _words) in enumerate(DEVICES):
            button = IconButton("kiosk", "quiet")
            button.clicked.connect(lambda _checked=False, s=setting: self.next_choice(s))
            self.buttons[setting] = button
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
        """Shown: look again at what is connected."""
        settings = self.shell.settings
        self.choices = {
            "camera": camera_choices(settings),
            "microphone": audio_choices(settings, "microphone"),
            "speaker": audio_choices(settings, "speaker"),
            "printer_queue": printer_choices(settings),
        }
        self.chosen = {
            "camera": settings.camera,
            "microphone": settings.microphone,
            "speaker": settings.speaker,
            "printer_queue": settings.printer_queue,
        }
        super().show_result(None)

    def next_choice(self, setting: str) -> None:
        """The next device of this kind; kept at once for the next start."""
        options = self.choices.get(setting) or [Choice(self.chosen.get(setting, ""), "")]
        values = [c.value for c in options]
        current = self.chosen.get(setting, "")
        index = (values.index(current) + 1) % len(values) if current in values else 0
        self.chosen[setting] = values[index]
        save_choice(self.shell.settings.data_dir, setting, values[index])
        self.shell.staff.record("choose_device", f"{setting}={values[index]}")
        self.changed = True
        self.retranslate()

    def _label(self, setting: str) -> str:
        value = self.chosen.get(setting, "")
        for choice in self.choices.get(setting, []):
            if choice.value == value:
                return self.t(choice.label) if not value else choice.label.rsplit("/", 1)[-1]
        # A file or device path: its last part, so the button's words fit.
        return (value.rsplit("/", 1)[-1] or value) if value else self.t(N_("System default"))

    def retranslate(self) -> None:
        """The buttons show each device chosen."""
        self.heading.setText(self.t(N_("Devices")))
        self.note.setText(
            self.t(
                N_("The new devices are used after a restart.")
                if self.changed
                else N_("Tap a device to choose the next one connected.")
            )
        )
        for setting, words in DEVICES:
            self.buttons[setting].set_text(self.t(words).format(choice=self._label(setting)))
        self.restart.set_text(self.t(N_("Restart")))
        self.back.set_text(self.t(N_("Back")))

    def apply_theme(self, theme: Theme) -> None:
        """Spacing between the buttons."""
        super().apply_theme(theme)
        self.grid.setSpacing(theme.gap_px)
