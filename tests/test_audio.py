"""Speaker and microphone on the real PortAudio path, through the PulseAudio null sink and
the virtual microphone that hears it (tools/services/pulseaudio.sh, started by make test)."""

from __future__ import annotations

import os
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from devices.audio import (
    FileMicrophone,
    FileSpeaker,
    PortAudioMicrophone,
    PortAudioSpeaker,
    Sound,
    load_recording,
    save_recording,
    scaled,
)
from devices.registry import media_dir
from devices.state import DeviceError
from protocol.states import DeviceState

needs_pulse = pytest.mark.skipif(
    not os.environ.get("PULSE_SERVER"),
    reason="needs the PulseAudio server that make test starts (tools/services/pulseaudio.sh)",
)


def tone(seconds: float, rate: int = 16000, loud: float = 0.5) -> Sound:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    return Sound((loud * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)


@pytest.fixture
def speaker():
    speaker = PortAudioSpeaker()
    # The kiosk opens its output at start-up (the first health check): a new PulseAudio
    # stream takes most of a second to start sounding, an open one within a block or two.
    speaker.health()
    time.sleep(0.3)
    yield speaker
    speaker.close()


@needs_pulse
def test_what_the_speaker_plays_the_microphone_hears_and_keeps_as_opus(
    speaker: PortAudioSpeaker, tmp_path: Path
) -> None:
    microphone = PortAudioMicrophone()
    assert microphone.health().state is DeviceState.READY
    assert speaker.health().state is DeviceState.READY
    take = microphone.record(limit_s=5)
    assert microphone.health().state is DeviceState.BUSY
    assert take.wait_started()
    time.sleep(0.2)
    quiet = take.peak
    speaker.play(tone(1.0), volume=100)
    assert speaker.health().state is DeviceState.BUSY  # busy counts as working
    assert speaker.health().working
    assert speaker.wait(5)
    assert speaker.health().state is DeviceState.READY
    assert speaker.started_at is not None
    time.sleep(0.2)
    sound = microphone.stop()
    assert quiet < 0.1  # silence...
    assert take.peak > 0.5  # ...then the tone
    assert 1.0 < sound.seconds < 3.0 and sound.rate == 16000
    saved = save_recording(sound, tmp_path / "voice.ogg")
    assert saved.read_bytes()[:4] == b"OggS"
    assert saved.stat().st_size < len(sound.samples) * 2 / 4  # well under 16-bit PCM
    back = load_recording(saved)
    assert abs(back.seconds - sound.seconds) < 0.1


@needs_pulse
def test_stop_cuts_the_sound_at_once(speaker: PortAudioSpeaker) -> None:
    microphone = PortAudioMicrophone()
    take = microphone.record(limit_s=5)
    assert take.wait_started()
    speaker.play(tone(3.0), volume=100)
    time.sleep(0.5)
    assert speaker.playing
    speaker.stop()
    assert not speaker.playing
    time.sleep(0.3)  # what was already in the device's buffer drains
    loud_before = take.peak
    take.level = 0.0
    time.sleep(0.3)
    microphone.stop()
    assert loud_before > 0.5
    assert take.level < 0.1  # silence after the stop


def test_the_volume_the_consumer_sets_scales_the_sound() -> None:
    sound = tone(0.1)
    loudness = [float(np.abs(scaled(sound.samples, v)).max()) for v in (0, 10, 50, 70, 100)]
    assert loudness[0] == 0.0
    assert loudness == sorted(loudness)
    assert loudness[-1] == pytest.approx(0.5, abs=0.01)


def test_a_recording_stops_at_its_limit_with_a_live_level() -> None:
    microphone = FileMicrophone(media_dir() / "demo-voice.ogg")
    full = []
    take = microphone.record(limit_s=0.5, on_full=lambda: full.append(True))
    deadline = time.monotonic() + 5
    while not full and time.monotonic() < deadline:
        time.sleep(0.02)
    sound = microphone.stop()
    assert full and take.full
    assert sound.seconds == pytest.approx(0.5)
    assert take.peak > 0.3


def test_the_demo_devices_can_be_told_there_is_no_speaker_or_microphone(tmp_path: Path) -> None:
    speaker = FileSpeaker(tmp_path, missing=True)
    assert speaker.health().state is DeviceState.MISSING
    with pytest.raises(DeviceError):
        speaker.play(tone(0.1), 50)
    microphone = FileMicrophone(media_dir() / "demo-voice.ogg", silent=True)
    take = microphone.record(limit_s=1)
    time.sleep(0.2)
    microphone.stop()
    assert take.peak == 0.0
    with pytest.raises(DeviceError):
        FileMicrophone(media_dir() / "demo-voice.ogg", missing=True).record(1)


class CountedStream:
    """A stand-in for sounddevice's OutputStream that counts opens and is slow to start,
    as a new PulseAudio stream is."""

    opened: ClassVar[list[CountedStream]] = []
    lock = threading.Lock()

    def __init__(self, **_settings: Any) -> None:
        with self.lock:
            self.opened.append(self)
        self.active = False
        self.closed = False
        self.device = "counted"

    def start(self) -> None:
        time.sleep(0.05)
        self.active = True

    def abort(self) -> None:
        self.active = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def counted_streams(monkeypatch: pytest.MonkeyPatch) -> list[CountedStream]:
    module = types.ModuleType("sounddevice")
    module.OutputStream = CountedStream  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", module)
    monkeypatch.setattr(CountedStream, "opened", [])
    return CountedStream.opened


def test_play_and_health_from_several_threads_open_one_stream(
    counted_streams: list[CountedStream],
) -> None:
    speaker = PortAudioSpeaker()
    barrier = threading.Barrier(8)
    states = []

    def check() -> None:
        barrier.wait()
        states.append(speaker.health().state)

    def play() -> None:
        barrier.wait()
        speaker.play(tone(0.5), 70)

    threads = [threading.Thread(target=job) for job in (check, play) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(counted_streams) == 1
    assert all(state.value in ("ready", "busy") for state in states)
    speaker.close()
    assert counted_streams[0].closed


def test_a_stream_that_died_is_closed_before_a_new_one_opens(
    counted_streams: list[CountedStream],
) -> None:
    speaker = PortAudioSpeaker()
    speaker.health()
    counted_streams[0].active = False  # PulseAudio went away under it
    speaker.play(tone(0.1), 70)
    assert len(counted_streams) == 2
    assert counted_streams[0].closed and not counted_streams[1].closed
    speaker.close()


@needs_pulse
def test_a_full_recording_is_reported_off_the_audio_thread() -> None:
    microphone = PortAudioMicrophone()
    threads: list[str] = []
    full = threading.Event()

    def on_full() -> None:
        threads.append(threading.current_thread().name)
        full.set()

    take = microphone.record(limit_s=0.3, on_full=on_full)
    assert full.wait(5)
    microphone.stop()
    assert take.full and threads == ["microphone-full"]
