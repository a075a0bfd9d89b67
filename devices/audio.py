"""The room's speaker and microphone through PortAudio (sounddevice), and their fakes.

Sound is float32 samples in -1..1, mono. Recordings are saved compressed (Opus in OGG).
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import threading
import time
import wave
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from devices.state import DeviceError, Health
from protocol.states import DeviceState

log = logging.getLogger(__name__)

Samples = NDArray[np.float32]
RECORD_RATE = 16000
BLOCK_S = 0.02
SILENCE_DB = -60.0  # the level meter's floor: 0.0 on the meter
KEEP_PLAYED = 50


@dataclass(frozen=True)
class Sound:
    """Mono samples at a sample rate."""

    samples: Samples
    rate: int

    @property
    def seconds(self) -> float:
        """How long it plays."""
        return len(self.samples) / self.rate


def read_wav(path: Path) -> Sound:
    """A 16-bit PCM WAV file (what espeak-ng writes) as a sound."""
    with wave.open(str(path), "rb") as file:
        rate, channels, width = file.getframerate(), file.getnchannels(), file.getsampwidth()
        frames = file.readframes(file.getnframes())
    if width != 2:
        raise ValueError(f"{path}: only 16-bit WAV files are supported")
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.float32)
    return Sound(samples, rate)


def write_wav(path: Path, sound: Sound) -> None:
    """Write a sound as a 16-bit PCM WAV file."""
    pcm = (np.clip(sound.samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(sound.rate)
        file.writeframes(pcm.tobytes())


def scaled(samples: Samples, volume: int) -> Samples:
    """The samples at a volume in percent, on a curve that sounds even to the ear."""
    if volume <= 0:
        return np.zeros_like(samples)
    gain = 10 ** ((volume - 100) / 50)  # 100 % = 0 dB, 50 % = -20 dB, 10 % = -36 dB
    return (samples * gain).astype(np.float32)


def level(samples: Samples) -> float:
    """The meter's reading for a block, 0.0 (silence) to 1.0 (full scale)."""
    if len(samples) == 0:
        return 0.0
    rms = math.sqrt(float(np.mean(np.square(samples, dtype=np.float64))))
    if rms <= 0:
        return 0.0
    db = 20 * math.log10(rms)
    return max(0.0, min(1.0, (db - SILENCE_DB) / -SILENCE_DB))


class Speaker(ABC):
    """Plays one sound at a time.

    `play()` returns at once; a new `play()` or `stop()` cuts the sound playing. Both may be
    called from any thread. `started_at` is the monotonic time the current sound's first
    sample went to the device (None until then): the voice benchmark reads it.
    """

    started_at: float | None = None

    @abstractmethod
    def play(self, sound: Sound, volume: int) -> None:
        """Start playing a sound at a volume in percent."""

    @abstractmethod
    def stop(self) -> None:
        """Stop at once."""

    @property
    @abstractmethod
    def playing(self) -> bool:
        """True while a sound plays."""

    @abstractmethod
    def health(self) -> Health:
        """Whether sound can be played."""

    def close(self) -> None:  # noqa: B027 - optional
        """Release the device (optional)."""

    def forget(self) -> None:  # noqa: B027 - optional
        """Keep nothing of what was played (the visit ended); a speaker keeps nothing."""

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the sound has played (tests and the self-test; never on the UI)."""
        deadline = time.monotonic() + timeout
        while self.playing and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self.playing


class PortAudioSpeaker(Speaker):
    """A PortAudio output stream, kept open so that a sound starts within one block.

    The stream opens on the first `health()` or `play()`; open it early (the kiosk's first
    health check does), since a new PulseAudio stream takes most of a second to sound.
    """

    def __init__(self, device: str = "", rate: int = 22050) -> None:
        self.device = device or None
        self.rate = rate
        self._lock = threading.Lock()  # the buffer, shared with the stream's callback
        # Opening and closing the stream: play() and health() come from different threads,
        # and two streams open at once end with one dropped while it runs (a crash).
        self._stream_lock = threading.Lock()
        self._stream: Any = None
        self._exit_handler = False
        self._buffer: Samples = np.zeros(0, np.float32)
        self._position = 0
        self._health = Health(DeviceState.READY, "not opened yet")

    def play(self, sound: Sound, volume: int) -> None:
        """Queue the sound in place of whatever played; the stream's callback picks it up."""
        samples = scaled(resampled(sound, self.rate), volume)
        with self._lock:
            self._buffer, self._position = samples, 0
            self.started_at = None
        self._ensure_stream()

    def stop(self) -> None:
        """Silence at once (the stream stays open for the next sound)."""
        with self._lock:
            self._buffer, self._position = np.zeros(0, np.float32), 0

    @property
    def playing(self) -> bool:
        """True until the buffer has gone to the device."""
        with self._lock:
            return self._position < len(self._buffer)

    def health(self) -> Health:
        """Ready, busy while a sound plays, or missing when no output device opened."""
        try:
            self._ensure_stream()
        except DeviceError as error:
            return error.health
        if self.playing and self._health.state is DeviceState.READY:
            return Health(DeviceState.BUSY, f"speaking; {self._health.detail}")
        return self._health

    def close(self) -> None:
        """Close the stream."""
        with self._stream_lock:
            self._close_stream()

    def _close_stream(self) -> None:
        # Called with the stream lock held.
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.abort()
            stream.close()
        except Exception as error:  # a stream that died may not close cleanly
            log.warning("speaker: closing the old stream: %s", error)

    def _ensure_stream(self) -> None:
        with self._stream_lock:
            if self._stream is not None and self._stream.active:
                return
            self._close_stream()  # a stream that stopped is closed before its successor opens
            self._open_stream()

    def _open_stream(self) -> None:
        # Called with the stream lock held.
        try:
            import sounddevice

            stream = sounddevice.OutputStream(
                samplerate=self.rate,
                channels=1,
                dtype="float32",
                device=self.device,
                blocksize=int(self.rate * BLOCK_S),
                latency="low",
                callback=self._fill,
            )
            stream.start()
        except Exception as error:  # PortAudio's errors, or no PortAudio at all
            self._health = Health(DeviceState.MISSING, f"no speaker: {error}")
            log.warning("speaker: %s", error)
            raise DeviceError(self._health) from error
        self._stream = stream
        if not self._exit_handler:
            # Closed before sounddevice's own exit handler ends PortAudio under a running stream.
            atexit.register(self.close)
            self._exit_handler = True
        self._health = Health(DeviceState.READY, f"output {stream.device} at {self.rate} Hz")

    def _fill(self, out: Any, frames: int, _time: Any, status: Any) -> None:
        with self._lock:
            chunk = self._buffer[self._position : self._position + frames]
            if len(chunk) and self._position == 0:
                self.started_at = time.monotonic()
            self._position += len(chunk)
        out[: len(chunk), 0] = chunk
        out[len(chunk) :, 0] = 0.0


def resampled(sound: Sound, rate: int) -> Samples:
    """The sound's samples at another rate (linear interpolation, good enough for speech)."""
    if sound.rate == rate or len(sound.samples) == 0:
        return sound.samples
    count = round(len(sound.samples) * rate / sound.rate)
    positions = np.linspace(0, len(sound.samples) - 1, count)
    return np.interp(positions, np.arange(len(sound.samples)), sound.samples).astype(np.float32)


def sound_server() -> bool:
    """True when a PulseAudio or PipeWire server is there to play through: `PULSE_SERVER`
    names one (a socket that exists, or a network address), or the session's own socket
    exists in the runtime folder."""
    named = os.environ.get("PULSE_SERVER", "")
    if named:
        # "unix:/path", a bare path, or "tcp:host[:port]" / "host" (not checked here).
        path = named.removeprefix("unix:")
        return Path(path).exists() if path.startswith("/") else True
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if not runtime:
        return False
    return any((Path(runtime) / name).exists() for name in ("pulse/native", "pipewire-0"))


class FileSpeaker(Speaker):
    """The demo speaker: writes each sound it plays, at the volume asked, as a WAV file,
    and is busy for as long as the sound lasts. Can be told that no speaker is there.

    With `aloud` (a real speaker: demo mode where a sound server runs), each sound is also
    played through it, so a person trying the demo hears the kiosk; when that speaker
    has no output device after all, the files alone go on.
    """

    def __init__(self, folder: Path, missing: bool = False, aloud: Speaker | None = None) -> None:
        self.folder = folder
        self.missing = missing
        self.aloud = aloud
        self.played: deque[Path] = deque(maxlen=KEEP_PLAYED)  # newest last
        self._count = 0
        self._until = 0.0

    def play(self, sound: Sound, volume: int) -> None:
        """Write the sound as it would reach the loudspeaker (and play it, with `aloud`)."""
        if self.missing:
            raise DeviceError(self.health())
        self.folder.mkdir(parents=True, exist_ok=True)
        # A demo kiosk runs for days: the newest KEEP_PLAYED sounds are kept.
        path = self.folder / f"played-{self._count % KEEP_PLAYED + 1:02d}.wav"
        write_wav(path, Sound(scaled(sound.samples, volume), sound.rate))
        self._count += 1
        self.played.append(path)
        self.started_at = time.monotonic()
        self._until = self.started_at + sound.seconds
        aloud = self.aloud
        if aloud is not None:
            try:
                aloud.play(sound, volume)
            except DeviceError as error:
                log.warning("demo speaker: writing files only, nothing plays aloud: %s", error)
                self.aloud = None

    def forget(self) -> None:
        """Remove the files of what was played: a visitor's words read back are among them."""
        self.stop()
        for path in self.folder.glob("played-*.wav"):
            path.unlink(missing_ok=True)
        self.played.clear()

    def stop(self) -> None:
        """Stop 'playing' (and the sound playing aloud)."""
        self._until = 0.0
        if self.aloud is not None:
            self.aloud.stop()

    @property
    def playing(self) -> bool:
        """True for the length of the sound last played."""
        return time.monotonic() < self._until

    def health(self) -> Health:
        """Ready, busy while a sound plays, or missing when told so."""
        if self.missing:
            return Health(DeviceState.MISSING, "no speaker (demo fault)")
        where = f"writing to {self.folder}"
        if self.aloud is not None:
            # Opens the output early, as the kiosk's first health check does for the real one.
            aloud = self.aloud.health()
            if aloud.working:
                where += " and playing aloud"
            else:
                log.warning("demo speaker: writing files only: %s", aloud.detail)
                self.aloud = None
        if self.playing:
            return Health(DeviceState.BUSY, f"demo speaker speaking, {where}")
        return Health(DeviceState.READY, f"demo speaker {where}")

    def close(self) -> None:
        """Release the output it plays aloud through."""
        if self.aloud is not None:
            self.aloud.close()


# -- the microphone ----------------------------------------------------------------------


class Take:
    """The samples of one recording as they arrive, up to a limit, with the live level."""

    def __init__(self, limit_s: float, rate: int = RECORD_RATE) -> None:
        self.rate = rate
        self.limit = int(limit_s * rate)
        self.level = 0.0
        self.peak = 0.0
        self._blocks: list[Samples] = []
        self._count = 0
        self._lock = threading.Lock()

    @property
    def full(self) -> bool:
        """True when the limit is reached: nothing more is kept."""
        return self._count >= self.limit

    @property
    def seconds(self) -> float:
        """How long the recording is so far."""
        return self._count / self.rate

    def wait_started(self, timeout: float = 3.0) -> bool:
        """Block until the first sound arrives (a new input stream can take a second or more
        to deliver; the self-test and tests wait, the UI never does)."""
        deadline = time.monotonic() + timeout
        while self._count == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        return self._count > 0

    def add(self, block: Samples) -> None:
        """Keep a block (cut at the limit) and update the level meter."""
        with self._lock:
            room = self.limit - self._count
            if room <= 0:
                return
            block = block[:room].astype(np.float32, copy=True)
            self._blocks.append(block)
            self._count += len(block)
        self.level = level(block)
        self.peak = max(self.peak, self.level)

    def sound(self) -> Sound:
        """Everything recorded."""
        with self._lock:
            samples = np.concatenate(self._blocks) if self._blocks else np.zeros(0, np.float32)
        return Sound(samples.astype(np.float32), self.rate)


def save_recording(sound: Sound, path: Path) -> Path:
    """Save a recording compressed: Opus in an OGG file."""
    import soundfile

    soundfile.write(str(path), sound.samples, sound.rate, format="OGG", subtype="OPUS")
    return path


def load_recording(path: Path) -> Sound:
    """Read back a saved recording (or any file libsndfile reads), mono."""
    import soundfile

    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return Sound(data.mean(axis=1).astype(np.float32), int(rate))


class Microphone(ABC):
    """Records the consumer's voice into a `Take` off the UI thread.

    `record()` returns at once with the take that fills as sound arrives (read its `level`
    for the meter from the UI thread); `stop()` ends it. One recording at a time.

    `on_full` is called on a device thread, never the UI thread: it must only set a flag or
    hand over to the UI thread (a queued signal), and must not call the microphone (not
    even `stop()`) or any other device from there.
    """

    @abstractmethod
    def record(self, limit_s: float, on_full: Callable[[], None] | None = None) -> Take:
        """Start recording, up to `limit_s` seconds; `on_full` is called once, on a device
        thread, when the limit is reached."""

    @abstractmethod
    def stop(self) -> Sound:
        """Stop recording; returns what was recorded."""

    @abstractmethod
    def health(self) -> Health:
        """Whether a microphone is there."""


class PortAudioMicrophone(Microphone):
    """A PortAudio input stream, open only while recording."""

    def __init__(self, device: str = "", rate: int = RECORD_RATE) -> None:
        self.device = device or None
        self.rate = rate
        self._stream: Any = None
        self._take: Take | None = None

    def record(self, limit_s: float, on_full: Callable[[], None] | None = None) -> Take:
        """Open the input and start filling a take."""
        import sounddevice

        self.stop()
        take = Take(limit_s, self.rate)

        def arrived(block: Any, _frames: int, _time: Any, _status: Any) -> None:
            was_full = take.full
            take.add(block[:, 0])
            if take.full and not was_full and on_full is not None:
                # Not in PortAudio's audio thread: a slow or blocking on_full would stall it.
                threading.Thread(target=on_full, name="microphone-full", daemon=True).start()

        try:
            stream = sounddevice.InputStream(
                samplerate=self.rate,
                channels=1,
                dtype="float32",
                device=self.device,
                blocksize=int(self.rate * BLOCK_S),
                callback=arrived,
            )
            stream.start()
        except Exception as error:
            raise DeviceError(Health(DeviceState.MISSING, f"no microphone: {error}")) from error
        self._stream, self._take = stream, take
        return take

    def stop(self) -> Sound:
        """Close the input."""
        stream, take = self._stream, self._take
        self._stream = self._take = None
        if stream is not None:
            stream.stop()
            stream.close()
        return take.sound() if take is not None else Sound(np.zeros(0, np.float32), self.rate)

    def health(self) -> Health:
        """Ready when PortAudio has an input device."""
        if self._stream is not None:
            return Health(DeviceState.BUSY, "recording")
        try:
            import sounddevice

            info = sounddevice.query_devices(self.device, kind="input")
        except Exception as error:
            return Health(DeviceState.MISSING, f"no microphone: {error}")
        return Health(DeviceState.READY, f"input {info['name']}")


class FileMicrophone(Microphone):
    """The demo microphone: 'hears' a sound file, block by block in real time, through the
    same take and level meter. Can be told to be absent or to hear only silence."""

    def __init__(self, source: Path, missing: bool = False, silent: bool = False) -> None:
        self.source = source
        self.missing = missing
        self.silent = silent
        self._running = threading.Event()
        self._thread: threading.Thread | None = None
        self._take: Take | None = None

    def record(self, limit_s: float, on_full: Callable[[], None] | None = None) -> Take:
        """Start 'hearing' the file, looping it."""
        if self.missing:
            raise DeviceError(self.health())
        self.stop()
        sound = load_recording(self.source)
        samples = resampled(sound, RECORD_RATE)
        if self.silent:
            samples = np.zeros_like(samples)
        take = Take(limit_s)
        self._take = take
        self._running.set()

        def hear() -> None:
            block = int(RECORD_RATE * BLOCK_S)
            position = 0
            next_at = time.monotonic()
            while self._running.is_set() and not take.full:
                chunk = np.take(samples, range(position, position + block), mode="wrap")
                position = (position + block) % max(1, len(samples))
                take.add(chunk)
                next_at += BLOCK_S
                time.sleep(max(0.0, next_at - time.monotonic()))
            if take.full and on_full is not None:
                on_full()

        self._thread = threading.Thread(target=hear, name="demo-microphone", daemon=True)
        self._thread.start()
        return take

    def stop(self) -> Sound:
        """Stop 'hearing'."""
        self._running.clear()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        take, self._take = self._take, None
        return take.sound() if take is not None else Sound(np.zeros(0, np.float32), RECORD_RATE)

    def health(self) -> Health:
        """Ready, or missing when told so."""
        if self.missing:
            return Health(DeviceState.MISSING, "no microphone (demo fault)")
        if self._take is not None:
            return Health(DeviceState.BUSY, "recording")
        return Health(DeviceState.READY, f"demo microphone hearing {self.source.name}")
