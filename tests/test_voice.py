"""The voice: espeak-ng through pyttsx3 into WAV, the prompt cache, and the room's speech
(cached prompts at once, a stop that wins over a prompt still being made)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from devices.audio import FileSpeaker, Sound, read_wav
from devices.voice import FakeVoice, PromptCache, Pyttsx3Voice
from kiosk.speech import RoomSpeech
from protocol.states import DeviceState


def test_espeak_ng_speaks_mandarin_and_english_into_wav_files(tmp_path: Path) -> None:
    voice = Pyttsx3Voice()
    assert voice.health().state is DeviceState.READY
    assert "cmn" in voice.voice_for("zh_CN")
    for language, text in (("zh_CN", "欢迎使用。"), ("en", "Welcome.")):
        out = tmp_path / f"{language}.wav"
        voice.synthesize(text, language, 150, out)
        sound = read_wav(out)
        assert 0.4 < sound.seconds < 5 and abs(sound.samples).max() > 0.05
    slow, fast = tmp_path / "slow.wav", tmp_path / "fast.wav"
    voice.synthesize("This is the kiosk speaking.", "en", 100, slow)
    voice.synthesize("This is the kiosk speaking.", "en", 250, fast)
    assert read_wav(slow).seconds > read_wav(fast).seconds * 1.5


def test_prompts_are_made_once_and_kept_by_text_voice_and_rate(tmp_path: Path) -> None:
    voice = FakeVoice()
    cache = PromptCache(voice, tmp_path, rate=150)
    first = cache.get("请点一下屏幕。", "zh_CN").result(5)
    again = cache.get("请点一下屏幕。", "zh_CN").result(5)
    assert again is first and len(voice.spoken) == 1
    assert cache.path("请点一下屏幕。", "zh_CN") != PromptCache(voice, tmp_path, 160).path(
        "请点一下屏幕。", "zh_CN"
    )
    assert cache.path("Touch", "en") != cache.path("Touch", "zh_CN")
    # Another start of the kiosk finds it on disk, with no synthesis.
    later = PromptCache(FakeVoice(missing=True), tmp_path, rate=150)
    later.voice.name = voice.name
    assert later.cached("请点一下屏幕。", "zh_CN") is not None
    cache.close()
    later.close()


def test_start_up_warms_the_cache_so_a_prompt_starts_at_once(tmp_path: Path) -> None:
    speaker = FileSpeaker(tmp_path / "played")
    speech = RoomSpeech(PromptCache(FakeVoice(), tmp_path / "cache", 150), speaker)
    speech.warm([("欢迎使用。", "zh_CN"), ("Welcome.", "en")])
    deadline = time.monotonic() + 5
    while speech.cache.cached("Welcome.", "en") is None and time.monotonic() < deadline:
        time.sleep(0.01)
    speech.say("Welcome.", "en", 70)
    assert len(speaker.played) == 1  # synchronously: it was cached
    assert speaker.playing
    speech.stop()
    assert not speaker.playing
    assert [u.text for u in speech.transcript.said] == ["Welcome."]
    speech.close()


class SlowVoice(FakeVoice):
    """A voice that waits for the test before it finishes a prompt."""

    def __init__(self) -> None:
        super().__init__()
        self.go = threading.Event()

    def synthesize(self, text: str, language: str, rate: int, out: Path) -> None:
        self.go.wait(5)
        super().synthesize(text, language, rate, out)


def test_a_prompt_still_being_made_when_the_screen_changes_is_never_played(tmp_path: Path) -> None:
    voice = SlowVoice()
    speaker = FileSpeaker(tmp_path / "played")
    speech = RoomSpeech(PromptCache(voice, tmp_path / "cache", 150), speaker)
    speech.say("第一屏", "zh_CN", 70)
    speech.say("第二屏", "zh_CN", 70)  # the consumer moved on
    speech.stop()  # ...and on again, to a screen with nothing to say
    voice.go.set()
    speech.cache.get("第二屏", "zh_CN").result(5)
    time.sleep(0.1)
    assert not speaker.played
    speech.say("第三屏", "zh_CN", 40)  # a new prompt plays when ready
    deadline = time.monotonic() + 5
    while not speaker.played and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(speaker.played) == 1
    assert abs(read_wav(speaker.played[0]).samples).max() < 0.3 * 10 ** ((40 - 100) / 50) + 0.01
    speech.close()


def test_with_no_speaker_and_no_voice_the_kiosk_carries_on_and_says_so(tmp_path: Path) -> None:
    speech = RoomSpeech(
        PromptCache(FakeVoice(missing=True), tmp_path, 150), FileSpeaker(tmp_path, missing=True)
    )
    speech.say("欢迎使用。", "zh_CN", 70)  # no error reaches the screen
    deadline = time.monotonic() + 5
    while speech.health()["voice"].working and time.monotonic() < deadline:
        time.sleep(0.01)
    health = speech.health()
    assert health["voice"].state is DeviceState.MISSING
    assert health["speaker"].state is DeviceState.MISSING
    assert speech.transcript.said[-1].text == "欢迎使用。"  # the words are still there to show
    speech.close()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_real_voice_fills_the_cache_for_each_language(tmp_path: Path, language: str) -> None:
    cache = PromptCache(Pyttsx3Voice(), tmp_path, 150)
    sound = cache.get({"zh_CN": "请稍等。", "en": "Please wait."}[language], language).result(10)
    assert sound.seconds > 0.3
    assert list(tmp_path.glob("*.wav")) and not list(tmp_path.glob("*.part"))
    cache.close()


class FlakyVoice(FakeVoice):
    """A voice that fails the prompts it is told to fail."""

    def __init__(self) -> None:
        super().__init__()
        self.failing: set[str] = set()

    def synthesize(self, text: str, language: str, rate: int, out: Path) -> None:
        if text in self.failing:
            raise RuntimeError("espeak-ng crashed")
        super().synthesize(text, language, rate, out)


def test_the_voice_counts_as_working_again_after_a_prompt_is_made(tmp_path: Path) -> None:
    voice = FlakyVoice()
    voice.failing.add("第一屏")
    speaker = FileSpeaker(tmp_path / "played")
    speech = RoomSpeech(PromptCache(voice, tmp_path / "cache", 150), speaker)
    speech.say("第一屏", "zh_CN", 70)
    deadline = time.monotonic() + 5
    while speech.health()["voice"].working and time.monotonic() < deadline:
        time.sleep(0.01)
    assert speech.health()["voice"].state is DeviceState.FAILING
    speech.say("第二屏", "zh_CN", 70)  # espeak-ng works again
    deadline = time.monotonic() + 5
    while not speaker.played and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(speaker.played) == 1
    assert speech.health()["voice"].state is DeviceState.READY
    speech.close()


class OpeningSpeaker(FileSpeaker):
    """A speaker whose play() takes as long as opening a PulseAudio stream, until let go."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.opening = threading.Event()
        self.opened = threading.Event()
        self.went_on = threading.Event()  # past the opening, let go or tired of waiting

    def play(self, sound: Sound, volume: int) -> None:
        self.opening.set()
        self.opened.wait(10)
        self.went_on.set()
        super().play(sound, volume)


def test_stop_does_not_wait_for_the_speaker_and_still_wins(tmp_path: Path) -> None:
    speaker = OpeningSpeaker(tmp_path / "played")
    speech = RoomSpeech(PromptCache(FakeVoice(), tmp_path / "cache", 150), speaker)
    speech.say("第一屏的提示", "zh_CN", 70)  # made on the cache's thread, then played there
    assert speaker.opening.wait(5)
    speech.stop()  # on the UI thread, while the speaker is still opening
    # Back while the speaker still opens: had stop() waited for it, the speaker would have
    # gone on first (it goes on only when let go below, or after 10 s), however busy the
    # machine is.
    assert not speaker.went_on.is_set()
    speaker.opened.set()
    deadline = time.monotonic() + 5
    while not speaker.played and time.monotonic() < deadline:
        time.sleep(0.01)
    deadline = time.monotonic() + 0.5  # the prompt lasts 1.5 s
    while speaker.playing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(speaker.played) == 1 and not speaker.playing  # cut as soon as it started
    speech.close()


def test_what_was_said_and_played_is_kept_only_for_the_newest(tmp_path: Path) -> None:
    from devices.audio import KEEP_PLAYED
    from kiosk.guidance import KEEP_SAID

    speaker = FileSpeaker(tmp_path)
    speech = RoomSpeech(PromptCache(FakeVoice(), tmp_path / "cache", 150), speaker)
    for number in range(KEEP_SAID + 10):
        speech.transcript.say(f"prompt {number}", "en", 70)
    assert len(speech.transcript.said) == KEEP_SAID
    assert speech.transcript.said[-1].text == f"prompt {KEEP_SAID + 9}"
    tone = Sound(np.zeros(160, np.float32), 16000)
    for _ in range(KEEP_PLAYED + 3):
        speaker.play(tone, 70)
    assert len(speaker.played) == KEEP_PLAYED
    assert len(set(speaker.played)) == KEEP_PLAYED  # each a file of its own
    assert len(list(tmp_path.glob("played-*.wav"))) == KEEP_PLAYED
    speech.close()
