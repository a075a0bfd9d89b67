"""Which driver each device gets: an explicit registry from the `devices` setting.

`real` opens the room's hardware; `demo` a fake of each, running the real code over the
demo media in assets/media and told to fail by `DeviceConfig.faults`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devices.audio import (
    FileMicrophone,
    FileSpeaker,
    Microphone,
    PortAudioMicrophone,
    PortAudioSpeaker,
    Speaker,
    sound_server,
)
from devices.camera import Camera, FakeCamera, OpenCVCamera
from devices.config import DeviceConfig
from devices.printer import CupsPrinter, EscPosPrinter, PdfPrinter, ReceiptPrinter
from devices.state import Health
from devices.voice import FakeVoice, PromptCache, Pyttsx3Voice, Voice

log = logging.getLogger(__name__)


def media_dir() -> Path:
    """The demo devices' media: a face video, a QR video, a spoken sentence."""
    # Found like the other assets; devices may not import the core, so the rule is repeated.
    import os
    import sys

    override = os.environ.get("KIOSK_ASSETS_DIR")
    if override:
        return Path(override) / "media"
    beside = Path(__file__).resolve().parent.parent / "assets" / "media"
    if beside.is_dir():
        return beside
    return Path(sys.prefix) / "share" / "mediation-kiosk" / "assets" / "media"


@dataclass
class RoomDevices:
    """The room's devices, as the registry made them."""

    camera: Camera
    microphone: Microphone
    speaker: Speaker
    voice: Voice
    printer: ReceiptPrinter
    prompts: PromptCache

    def health(self) -> dict[str, Health]:
        """Every device's health (slow checks such as lpstat included: call off the UI)."""
        return {
            "camera": self.camera.health(),
            "microphone": self.microphone.health(),
            "speaker": self.speaker.health(),
            "voice": self.voice.health(),
            "printer": self.printer.health(),
        }

    def close(self) -> None:
        """Release every device."""
        self.camera.stop()
        self.microphone.stop()
        self.speaker.stop()
        self.speaker.close()
        self.prompts.close()


PRINTERS: dict[str, Callable[[DeviceConfig], ReceiptPrinter]] = {
    "cups": lambda config: CupsPrinter(config.printer_queue, config.paper_mm),
    "escpos": lambda config: EscPosPrinter(config.escpos, config.paper_mm),
    "pdf": lambda config: PdfPrinter(config.printed_dir, config.paper_mm),
}


def real_devices(config: DeviceConfig) -> RoomDevices:
    """The room's hardware."""
    voice = Pyttsx3Voice()
    return RoomDevices(
        camera=OpenCVCamera(config.camera),
        microphone=PortAudioMicrophone(config.microphone),
        speaker=PortAudioSpeaker(config.speaker),
        voice=voice,
        printer=PRINTERS[config.printer](config),
        prompts=PromptCache(voice, config.cache_dir, config.voice_rate),
    )


def demo_devices(config: DeviceConfig) -> RoomDevices:
    """A fake of every device, over files."""
    faults = config.faults
    media = media_dir()
    voice = FakeVoice(missing="no-voice" in faults)
    return RoomDevices(
        camera=FakeCamera(
            media / "demo-face.mp4", missing="no-camera" in faults, black="black-camera" in faults
        ),
        microphone=FileMicrophone(
            media / "demo-voice.ogg",
            missing="no-microphone" in faults,
            silent="silent-microphone" in faults,
        ),
        # Heard as well as written, where a sound server runs: someone is trying the demo.
        speaker=FileSpeaker(
            config.data_dir / "demo-speaker",
            missing="no-speaker" in faults,
            aloud=PortAudioSpeaker(config.speaker)
            if config.demo_aloud and sound_server()
            else None,
        ),
        voice=voice,
        printer=PdfPrinter(
            config.printed_dir,
            config.paper_mm,
            paper_out="paper-out" in faults,
            offline="printer-offline" in faults,
        ),
        prompts=PromptCache(voice, config.cache_dir, config.voice_rate),
    )


REGISTRY: dict[str, Callable[[DeviceConfig], RoomDevices]] = {
    "real": real_devices,
    "demo": demo_devices,
}


def open_devices(config: DeviceConfig) -> RoomDevices:
    """The devices the settings ask for."""
    devices = REGISTRY["demo" if config.demo else "real"](config)
    log.info("devices: %s", "demo" if config.demo else "real")
    return devices
