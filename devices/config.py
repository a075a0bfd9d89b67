"""What the devices need to know from the kiosk's settings, as one plain value.

The kiosk maps its settings onto this (`kiosk.room.device_config`); the devices never read
the settings themselves, so they stay below the core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PRINTERS = ("cups", "escpos", "pdf")
PAPER_WIDTHS_MM = (58, 80)
# Faults a fake device can be told to show (setting `device_faults`, demo devices only).
FAULTS = (
    "no-camera",
    "black-camera",
    "no-microphone",
    "silent-microphone",
    "no-speaker",
    "no-voice",
    "paper-out",
    "printer-offline",
)


@dataclass(frozen=True)
class DeviceConfig:
    """The devices' part of the settings."""

    data_dir: Path
    demo: bool = False
    camera: str = "0"
    microphone: str = ""
    speaker: str = ""
    voice_rate: int = 150
    recording_limit_s: int = 180
    printer: str = "cups"
    printer_queue: str = ""
    escpos: str = ""
    paper_mm: int = 80
    faults: frozenset[str] = field(default_factory=frozenset)
    #: Demo mode plays aloud through a sound server where one runs.
    demo_aloud: bool = True

    @property
    def cache_dir(self) -> Path:
        """Where synthesized prompts are kept (not personal data)."""
        return self.data_dir / "cache" / "voice"

    @property
    def printed_dir(self) -> Path:
        """Where the PDF printer (the fake) puts what it prints."""
        return self.data_dir / "printed"
