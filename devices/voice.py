"""The kiosk's voice: text to WAV with pyttsx3 over espeak-ng, and a cache of spoken prompts.

Fixed prompts are synthesized once and kept as WAV files named by (text, voice, rate), so a
prompt that was heard before (or warmed at start-up) starts playing at once. Speech that
carries a visitor's answer (a mobile number read back, the review read aloud) never goes
to disk under a name of its own: it is made in a throw-away folder, kept in memory for the
visit, and forgotten when the visit ends. The kiosk plays the WAV itself, so that it can
stop it at once.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import tempfile
import threading
import wave
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from devices.audio import Sound, read_wav, write_wav
from devices.state import DeviceError, Health
from protocol.states import DeviceState

log = logging.getLogger(__name__)

# espeak-ng's language codes for the kiosk's languages.
ESPEAK_LANGUAGES = {"zh_CN": ("cmn",), "en": ("en", "en-gb", "en-us")}
MEMORY_PROMPTS = 64
# A visit's own sentences (read-backs, the review), kept in memory until the visit ends.
MEMORY_SPOKEN = 16


class Voice(ABC):
    """Turns text into speech in a WAV file.

    `synthesize()` blocks for as long as synthesis takes: call it off the UI thread (the
    prompt cache does). It need not be thread-safe: the cache calls it from one thread.
    """

    name: str = "voice"

    @abstractmethod
    def synthesize(self, text: str, language: str, rate: int, out: Path) -> None:
        """Write the text spoken in the language at `rate` words a minute as a WAV file."""

    @abstractmethod
    def health(self) -> Health:
        """Whether the voice can speak both languages."""

    def forget(self) -> None:  # noqa: B027 - optional
        """Keep nothing of the texts spoken (the visit ended); a real voice keeps none."""


class Pyttsx3Voice(Voice):
    """espeak-ng through pyttsx3's binding of it: the Mandarin voice `cmn` and English.

    pyttsx3's engine is not used to speak: in 2.99 its `runAndWait()` can return before the
    file is written and a changed rate is sometimes ignored. The kiosk drives pyttsx3's
    espeak-ng binding (`pyttsx3.drivers._espeak`) itself, synchronously: set the voice and
    the rate, synthesize, collect the samples, write the WAV.
    """

    name = "espeak-ng"
    RATE_HZ = 22050
    # espeak-ng is one library per process, with one callback: one synthesis at a time.
    _lock = threading.Lock()
    _initialised = False

    def __init__(self) -> None:
        self._espeak: Any = None
        self._voices: dict[str, str] = {}
        self._samples: list[bytes] = []

    def _ready(self) -> Any:
        if self._espeak is None:
            with self._lock:
                self._load()
        return self._espeak

    def _load(self) -> None:
        if self._espeak is None:
            try:
                from pyttsx3.drivers import _espeak

                # espeak-ng may be initialised once a process only.
                if not Pyttsx3Voice._initialised:
                    if _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 1000) == -1:
                        raise OSError("espeak-ng did not initialise")
                    Pyttsx3Voice._initialised = True
            except Exception as error:  # no espeak-ng library, or no pyttsx3
                raise DeviceError(Health(DeviceState.MISSING, f"no voice: {error}")) from error
            for voice in _espeak.ListVoices(None):
                code = voice.languages[1:].decode("utf-8", errors="ignore").lower()
                self._voices.setdefault(code, voice.identifier.decode("utf-8"))
            self._espeak = _espeak

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if wav and count > 0:
            self._samples.append(ctypes.string_at(wav, count * 2))
        return 0

    def voice_for(self, language: str) -> str:
        """espeak-ng's voice for one of the kiosk's languages."""
        self._ready()
        for code in ESPEAK_LANGUAGES.get(language, (language,)):
            if code in self._voices:
                return self._voices[code]
        raise DeviceError(Health(DeviceState.FAILING, f"espeak-ng has no voice for {language}"))

    def synthesize(self, text: str, language: str, rate: int, out: Path) -> None:
        """Speak into a WAV file; returns when the file is whole."""
        espeak = self._ready()
        with self._lock:
            if espeak.SetVoiceByName(self.voice_for(language).encode()) != espeak.EE_OK:
                raise DeviceError(Health(DeviceState.FAILING, f"no espeak-ng voice {language}"))
            espeak.SetParameter(espeak.RATE, rate, 0)
            espeak.SetSynthCallback(self._collect)
            self._samples = []
            espeak.Synth(text.encode("utf-8"), flags=espeak.CHARS_UTF8 | espeak.ENDPAUSE)
            espeak.Synchronize()
            pcm, self._samples = b"".join(self._samples), []
        if not pcm:
            raise DeviceError(Health(DeviceState.FAILING, "espeak-ng spoke nothing"))
        with wave.open(str(out), "wb") as file:
            file.setnchannels(1)
            file.setsampwidth(2)
            file.setframerate(self.RATE_HZ)
            file.writeframes(pcm)

    def health(self) -> Health:
        """Ready when both the Mandarin and the English voice are there."""
        try:
            voices = [self.voice_for(language) for language in ESPEAK_LANGUAGES]
        except DeviceError as error:
            return error.health
        return Health(DeviceState.READY, "espeak-ng voices " + ", ".join(voices))


class FakeVoice(Voice):
    """The demo voice: writes a WAV of soft tones as long as the text would take to say.
    Can be told that there is no voice."""

    name = "demo"

    def __init__(self, missing: bool = False) -> None:
        self.missing = missing
        # What it was asked to say, newest last; a demo runs for days, so only the newest.
        self.spoken: deque[tuple[str, str, int]] = deque(maxlen=200)

    def forget(self) -> None:
        """Drop the texts it was asked to say: a visitor's answers are among them."""
        self.spoken.clear()

    def synthesize(self, text: str, language: str, rate: int, out: Path) -> None:
        """Write the tones."""
        if self.missing:
            raise DeviceError(self.health())
        self.spoken.append((text, language, rate))
        rate_hz = 16000
        seconds = max(0.3, min(10.0, len(text) * (0.25 if language == "zh_CN" else 0.07)))
        t = np.arange(int(rate_hz * seconds), dtype=np.float32) / rate_hz
        pitch = 180 + (sum(map(ord, text)) % 120)
        wave = 0.3 * np.sin(2 * np.pi * pitch * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
        write_wav(out, Sound(wave.astype(np.float32), rate_hz))

    def health(self) -> Health:
        """Ready, or missing when told so."""
        if self.missing:
            return Health(DeviceState.MISSING, "no voice (demo fault)")
        return Health(DeviceState.READY, "demo voice")


class PromptCache:
    """Spoken prompts as WAV files, synthesized once on one worker thread.

    `get()` and `cached()` may be called from any thread; synthesis happens on the cache's
    own thread, one prompt at a time.
    """

    def __init__(
        self,
        voice: Voice,
        folder: Path,
        rate: int,
        lasting: Callable[[str], bool] | None = None,
    ) -> None:
        self.voice = voice
        self.folder = folder
        self.rate = rate
        # Which texts are fixed prompts that may be kept on disk (None: every text). The
        # kiosk passes its catalogs' texts, so no visitor's answer is ever written here.
        self.lasting = lasting
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice")
        self._pending: dict[Path, Future[Sound]] = {}
        self._memory: dict[Path, Sound] = {}
        self._spoken: dict[Path, Sound] = {}  # the visit's own sentences: memory only
        self._lock = threading.Lock()

    def path(self, text: str, language: str) -> Path:
        """The file of one prompt, named by (text, voice, rate)."""
        key = f"{self.voice.name}\n{language}\n{self.rate}\n{text}".encode()
        return self.folder / f"{hashlib.sha256(key).hexdigest()[:32]}.wav"

    def cached(self, text: str, language: str) -> Sound | None:
        """The prompt's sound if it is synthesized already (from memory or disk), else None."""
        path = self.path(text, language)
        with self._lock:
            sound = self._memory.get(path) or self._spoken.get(path)
        if sound is None and self._lasts(text) and path.is_file():
            try:
                sound = read_wav(path)
            except (OSError, EOFError, ValueError):
                path.unlink(missing_ok=True)  # a broken file: make it again
                return None
            self._remember(path, sound)
        return sound

    def get(self, text: str, language: str) -> Future[Sound]:
        """The prompt's sound: at once if cached, else when the worker has synthesized it."""
        sound = self.cached(text, language)
        if sound is not None:
            done: Future[Sound] = Future()
            done.set_result(sound)
            return done
        path = self.path(text, language)
        with self._lock:
            future = self._pending.get(path)
            if future is None:
                future = self._worker.submit(self._make, text, language, path)
                self._pending[path] = future
        return future

    def warm(self, prompts: Iterable[tuple[str, str]]) -> list[Future[Sound]]:
        """Synthesize prompts in the background so that they start at once later."""
        return [self.get(text, language) for text, language in prompts if text]

    def forget(self) -> None:
        """Drop the visit's own sentences (the visit ended); fixed prompts stay."""
        with self._lock:
            self._spoken.clear()
        with contextlib.suppress(RuntimeError):  # closed already: nothing more is spoken
            self._worker.submit(self.voice.forget)  # on the voice's own thread

    def prune(self, keep: Callable[[], Iterable[tuple[str, str]]]) -> Future[int]:
        """Remove, on the worker, every file that is not one of the `keep` prompts in this
        voice and rate: what an earlier version or another rate left, a visitor's words
        among it. The folder stays as small as the catalogs; returns how many went."""
        return self._worker.submit(self._prune, keep)

    def close(self) -> None:
        """Stop the worker (pending prompts are dropped)."""
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _lasts(self, text: str) -> bool:
        return self.lasting is None or self.lasting(text)

    def _prune(self, keep: Callable[[], Iterable[tuple[str, str]]]) -> int:
        if not self.folder.is_dir():
            return 0
        wanted = {self.path(text, language).name for text, language in keep()}
        removed = 0
        for file in self.folder.iterdir():
            if file.is_file() and file.name not in wanted:
                file.unlink(missing_ok=True)
                removed += 1
        if removed:
            log.info("voice cache: removed %d file(s) that were not fixed prompts", removed)
        return removed

    def _make(self, text: str, language: str, path: Path) -> Sound:
        try:
            sound = self.cached(text, language)
            if sound is not None:
                return sound
            if not self._lasts(text):
                # A name of its own would give the words back: a throw-away folder.
                with tempfile.TemporaryDirectory(prefix="kiosk-voice-") as folder:
                    spoken = Path(folder) / "spoken.wav"
                    self.voice.synthesize(text, language, self.rate, spoken)
                    sound = read_wav(spoken)
                with self._lock:
                    if len(self._spoken) >= MEMORY_SPOKEN:
                        self._spoken.pop(next(iter(self._spoken)))
                    self._spoken[path] = sound
                return sound
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{threading.get_ident()}.part")
            try:
                self.voice.synthesize(text, language, self.rate, partial)
                sound = read_wav(partial)
                partial.replace(path)
            finally:
                partial.unlink(missing_ok=True)
            self._remember(path, sound)
            return sound
        finally:
            with self._lock:
                self._pending.pop(path, None)

    def _remember(self, path: Path, sound: Sound) -> None:
        with self._lock:
            if len(self._memory) >= MEMORY_PROMPTS:
                self._memory.pop(next(iter(self._memory)))
            self._memory[path] = sound
