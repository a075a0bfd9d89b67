"""Voice guidance: every screen names a prompt; the guide speaks it, repeats it, stops it.

The guide talks to a `Speech` sink. Until the room's voice is wired in, the kiosk uses
`Transcript`, which keeps what would be spoken so the screens and tests can show it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol

# A kiosk runs for years: the transcript keeps the newest utterances only.
KEEP_SAID = 200


class Speech(Protocol):
    """Something that can speak a text aloud and be stopped; called on the UI thread."""

    def say(self, text: str, language: str, volume: int) -> None:
        """Start speaking the text, stopping whatever was being spoken."""

    def stop(self) -> None:
        """Stop speaking at once."""

    def forget(self) -> None:
        """Keep nothing of what was said (the visit ended; what was read back is gone)."""


@dataclass(frozen=True)
class Utterance:
    """One prompt as it was given to the speech sink."""

    text: str
    language: str
    volume: int


class Transcript:
    """A speech sink that keeps what was said, newest last (the newest `KEEP_SAID`)."""

    def __init__(self) -> None:
        self.said: deque[Utterance] = deque(maxlen=KEEP_SAID)
        self.stopped = 0

    def say(self, text: str, language: str, volume: int) -> None:
        """Keep the utterance."""
        self.said.append(Utterance(text, language, volume))

    def stop(self) -> None:
        """Count the stop."""
        self.stopped += 1

    def forget(self) -> None:
        """Drop everything kept."""
        self.said.clear()


class Guide:
    """Speaks each screen's prompt in the visit's language and volume."""

    def __init__(self, speech: Speech) -> None:
        self.speech = speech
        self.current: str | None = None

    def prompt(self, text: str, language: str, volume: int) -> None:
        """Speak a screen's (translated) prompt and remember it for 'repeat'."""
        self.speech.stop()
        self.current = text
        self.speech.say(text, language, volume)

    def repeat(self, language: str, volume: int) -> None:
        """Speak the current prompt again."""
        if self.current is not None:
            self.prompt(self.current, language, volume)

    def stop(self) -> None:
        """Stop speaking and forget the prompt (the screen changed or the visit ended)."""
        self.speech.stop()
        self.current = None

    def end_visit(self) -> None:
        """The visit ended: stop, and keep nothing of what was said to this visitor."""
        self.stop()
        self.speech.forget()
