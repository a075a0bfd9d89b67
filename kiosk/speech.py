"""The room's voice for the guide: prompts from the cache, played on the speaker.

`RoomSpeech` is the `kiosk.guidance.Speech` the shell uses with real or demo devices. A
prompt heard before starts at once; a new one is synthesized on the cache's thread and
plays when ready, unless the screen has changed (or `stop()` came) in between. It keeps a
transcript of what it was asked to say, so tests and the screen can show the words.

Only the catalogs' fixed texts are kept on disk; a sentence made of a visitor's answers
(the mobile number read back, the review read aloud) lives in memory for the visit, and
forget() at the visit's end drops it, with what the demo speaker wrote of it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future

from devices.audio import Sound, Speaker
from devices.state import DeviceError, Health
from devices.voice import PromptCache
from kiosk.guidance import Transcript
from kiosk.i18n import LANGUAGE_NAMES, catalog_texts
from protocol.states import DeviceState

log = logging.getLogger(__name__)


class RoomSpeech:
    """Speaks through the room's voice and speaker; works on with neither (words only)."""

    def __init__(self, cache: PromptCache, speaker: Speaker) -> None:
        self.cache = cache
        self.speaker = speaker
        cache.lasting = _fixed_text
        # What an earlier version kept (a visitor's words among it) goes at start.
        cache.prune(_fixed_prompts)
        self.transcript = Transcript()
        self._turn = (
            0  # each say() or stop() starts a new turn; late prompts of old ones stay quiet
        )
        self._lock = threading.Lock()  # the turn; never held while the speaker works
        # One prompt starts at a time, so a late prompt's check-and-stop cannot cut a newer
        # one; say() and stop() on the UI thread never wait for it.
        self._starting = threading.Lock()
        self._fault: Health | None = None

    def say(self, text: str, language: str, volume: int) -> None:
        """Stop what is playing and speak the text (at once when cached)."""
        self.transcript.say(text, language, volume)
        with self._lock:
            self._turn += 1
            turn = self._turn
        self.speaker.stop()
        sound = self.cache.cached(text, language)
        if sound is not None:
            self._play(sound, volume, turn)
            return
        future = self.cache.get(text, language)
        future.add_done_callback(lambda done: self._arrived(done, volume, turn))

    def stop(self) -> None:
        """Stop speaking at once; a prompt still being synthesized will not play."""
        self.transcript.stop()
        with self._lock:
            self._turn += 1
        self.speaker.stop()

    def forget(self) -> None:
        """Keep nothing of what was said (the visit ended): words, sounds or files."""
        self.transcript.forget()
        self.stop()
        self.cache.forget()
        self.speaker.forget()

    def warm(self, prompts: Iterable[tuple[str, str]]) -> None:
        """Synthesize these (text, language) prompts in the background."""
        for future in self.cache.warm(prompts):
            future.add_done_callback(self._note_outcome)

    def health(self) -> dict[str, Health]:
        """The speaker's and the voice's health; a failure seen while speaking counts."""
        voice = self.cache.voice.health()
        if self._fault is not None and voice.working:
            voice = self._fault
        return {"speaker": self.speaker.health(), "voice": voice}

    def close(self) -> None:
        """Stop and release the speaker and the cache's thread."""
        self.stop()
        self.cache.close()
        self.speaker.close()

    def _arrived(self, future: Future[Sound], volume: int, turn: int) -> None:
        if future.cancelled():
            return
        self._note_outcome(future)
        if future.exception() is None:
            self._play(future.result(), volume, turn)

    def _play(self, sound: Sound, volume: int, turn: int) -> None:
        with self._starting:
            if not self._current(turn):
                return  # the screen changed while the prompt was being made
            try:
                # May take most of a second when the speaker has to open its stream.
                self.speaker.play(sound, volume)
            except DeviceError as error:
                log.warning("cannot play a prompt: %s", error)
                return
            if not self._current(turn):
                # A say() or stop() came while the sound was starting and its own stop()
                # may have landed before it: the old prompt must not play on.
                self.speaker.stop()

    def _current(self, turn: int) -> bool:
        with self._lock:
            return turn == self._turn

    def _note_outcome(self, future: Future[Sound]) -> None:
        # A failed synthesis counts against the voice until the next one succeeds.
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            self._fault = None
            return
        if isinstance(error, DeviceError):
            self._fault = error.health
        else:
            self._fault = Health(DeviceState.FAILING, f"voice failed: {error}")
        log.warning("cannot synthesize a prompt: %s", error)


def _fixed_text(text: str) -> bool:
    return text in catalog_texts()


def _fixed_prompts() -> Iterable[tuple[str, str]]:
    texts = catalog_texts()
    return [(text, language) for text in texts for language in LANGUAGE_NAMES]
