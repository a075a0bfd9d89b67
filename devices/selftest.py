"""The device self-test: every device tried for real, each check timed.

camera (a frame arrives, not black), voice (a WAV synthesized in both languages), speaker
(that WAV played), microphone (what it hears while the speaker plays is above silence),
printer (a test page), storage (free space, every SQLite database passes quick_check), and
any further checks the caller adds (the hub, once the kiosk is enrolled).
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from devices.audio import Sound, read_wav
from devices.camera import brightness
from devices.config import DeviceConfig
from devices.receipt import Words, self_test_receipt, untranslated
from devices.registry import RoomDevices
from devices.state import FAIL, PASS, CheckResult, DeviceError, ExtraCheck

BLACK_BELOW = 8.0  # mean brightness (0-255) under which a frame counts as black
HEARD_ABOVE = 0.15  # the meter's peak above which the microphone heard something (-51 dBFS)
MIN_FREE_BYTES = 500 * 1024 * 1024
DATABASE_SUFFIXES = (".sqlite3", ".sqlite", ".db")
SPOKEN = {"zh_CN": "这是自检。", "en": "This is the self-test."}


class SelfTest:
    """Runs every check against one set of devices."""

    def __init__(
        self,
        devices: RoomDevices,
        config: DeviceConfig,
        words: Words = untranslated,
        extra: Sequence[ExtraCheck] = (),
        room: str = "",
        volume: int = 70,
    ) -> None:
        self.devices = devices
        self.config = config
        self.words = words
        self.extra = extra
        self.room = room
        self.volume = volume
        self._spoken: Sound | None = None
        self._heard = 0.0
        self._results: list[CheckResult] = []

    def run(self) -> list[CheckResult]:
        """Run every check in turn; never raises."""
        self._results = []
        self._check("camera", self._camera)
        self._check("voice", self._voice)
        self._check("speaker", self._speaker)
        self._check("microphone", self._microphone)
        self._check("printer", self._printer)
        self._check("storage", self._storage)
        for name, required, run in self.extra:
            self._check(name, run, required)
        return self._results

    def _check(self, name: str, run: Callable[[], tuple[str, str]], required: bool = True) -> None:
        started = time.monotonic()
        try:
            state, detail = run()
        except DeviceError as error:
            state, detail = FAIL, f"{error.health.state.value}: {error.health.detail}"
        except Exception as error:  # a self-test reports every failure, whatever it is
            state, detail = FAIL, f"{type(error).__name__}: {error}"
        seconds = round(time.monotonic() - started, 3)
        self._results.append(CheckResult(name, state, detail, seconds, required))

    def _camera(self) -> tuple[str, str]:
        camera = self.devices.camera
        camera.start()
        try:
            picture = camera.wait_for_frame()
            if picture is None:
                health = camera.health()
                return FAIL, f"no frame within 5 s ({health.state.value}: {health.detail})"
            light = brightness(picture.image)
            height, width = picture.image.shape[:2]
            if light < BLACK_BELOW:
                return FAIL, f"the picture is black (brightness {light:.0f}/255): covered?"
            return PASS, f"frame {width}x{height}, brightness {light:.0f}/255"
        finally:
            camera.stop()

    def _voice(self) -> tuple[str, str]:
        lengths = []
        with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as folder:
            for language, text in SPOKEN.items():
                wav = Path(folder) / f"{language}.wav"
                self.devices.voice.synthesize(text, language, self.config.voice_rate, wav)
                sound = read_wav(wav)
                if not len(sound.samples) or float(np.abs(sound.samples).max()) == 0.0:
                    return FAIL, f"the {language} voice wrote silence"
                lengths.append(f"{language} {sound.seconds:.1f} s")
                if self._spoken is None:
                    self._spoken = sound
        return PASS, "synthesized " + ", ".join(lengths)

    def _speaker(self) -> tuple[str, str]:
        speaker, microphone = self.devices.speaker, self.devices.microphone
        # A tone when the voice failed, so the speaker and microphone are still tried.
        sound = self._spoken or _tone()
        take = None
        with contextlib.suppress(DeviceError):  # the microphone's own check reports it
            take = microphone.record(sound.seconds + 5)
            take.wait_started()
        try:
            speaker.play(sound, self.volume)
            played = speaker.wait(sound.seconds + 5)
        finally:
            if take is not None:
                time.sleep(0.2)  # the tail of the sound, through the room
                microphone.stop()
                self._heard = take.peak
        if not played or speaker.started_at is None:
            return FAIL, "the sound did not play to the end"
        return PASS, f"played {sound.seconds:.1f} s"

    def _microphone(self) -> tuple[str, str]:
        health = self.devices.microphone.health()
        if not health.working:
            return FAIL, f"{health.state.value}: {health.detail}"
        db = -60 + 60 * self._heard
        if self._heard < HEARD_ABOVE:
            return FAIL, f"heard only silence while the speaker played (peak {db:.0f} dBFS)"
        return PASS, f"heard the speaker (peak {db:.0f} dBFS)"

    def _printer(self) -> tuple[str, str]:
        job = self.devices.printer.print_receipt(self_test_receipt(self.room), self.words)
        return PASS, f"test page printed ({job})"

    def _storage(self) -> tuple[str, str]:
        folder = self.config.data_dir
        free = shutil.disk_usage(folder).free
        if free < MIN_FREE_BYTES:
            return FAIL, f"only {free // 2**20} MB free in {folder}"
        checked = []
        for path in sorted(folder.rglob("*")):
            if path.suffix in DATABASE_SUFFIXES and path.is_file():
                verdict = _quick_check(path)
                if verdict != "ok":
                    return FAIL, f"database {path.name} is damaged: {verdict}"
                checked.append(path.name)
        databases = ", ".join(checked) if checked else "none yet"
        return PASS, f"{free // 2**20} MB free; databases ok: {databases}"


def _quick_check(path: Path) -> str:
    try:
        # Read-only, so the check never creates or changes a database.
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = connection.execute("PRAGMA quick_check").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return str(error)
    return "; ".join(str(row[0]) for row in rows)


def _tone(seconds: float = 1.0, rate: int = 16000) -> Sound:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    return Sound((0.4 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)


def passed(results: Sequence[CheckResult]) -> bool:
    """True when every required check passed (or was skipped)."""
    return all(result.ok for result in results)
