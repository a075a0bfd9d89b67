"""What the kiosk says of a visitor's answers goes with the visit: the mobile number read
back and the review read aloud are never kept on disk, not as a file of the voice cache
(whose name alone gave the number back), not as what the demo speaker wrote; fixed prompts
stay cached, and the cache holds nothing else."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from devices.audio import Sound, read_wav
from devices.voice import FakeVoice, PromptCache
from kiosk.i18n import LANGUAGE_NAMES, catalog_texts
from kiosk.speech import RoomSpeech
from tests.taps import seen_words, tap, type_keys, wait_for
from tests.test_consumer_polish import WORDS, type_digits, walk_to

#: Two visitors' answers, each unlike any word of the kiosk's own.
VISITORS = (
    {"name": "zhouqiaoyun", "mobile": "13987654321", "address": "qingshuilane"},
    {"name": "ouyangxiuwen", "mobile": "15811223344", "address": "wutongstreet"},
)


@pytest.fixture
def room_shell(make_shell: Any, settings: Any) -> Iterator[Any]:
    """A kiosk with the room's demo devices: the voice, and a speaker that writes files."""
    from ui.room import RoomLink

    shell = make_shell()
    room = RoomLink.open(dataclasses.replace(settings, recording_limit_seconds=30))
    room.setParent(shell)
    shell.attach_room(room)
    room.start()
    try:
        yield shell
    finally:
        room.close()


def every_file(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


def heard(shell: Any, words: str) -> bool:
    """The speaker has played a sentence with these words (however the digits are spaced)."""
    speech = shell.room.speech
    said = [u.text for u in speech.transcript.said]
    plain = "".join(c for c in said[-1] if c.isalnum()) if said else ""
    return words in plain and bool(speech.speaker.played) and not speech.speaker.playing


def a_visit(shell: Any, qtbot: Any, answers: dict[str, str]) -> list[str]:
    """File up to the review by taps, hear the number read back and the review read
    aloud, then go back to the menu and touch 'Finish'; returns the sentences heard that
    carried the answers."""
    w = walk_to(shell, qtbot, "name", "en")
    type_keys(shell, answers["name"])
    tap(shell, w["next"])
    assert wait_for(lambda: shell.journeys.current_step() == "mobile")
    type_digits(shell, answers["mobile"])
    tap(shell, "Read it to me")
    assert wait_for(lambda: heard(shell, answers["mobile"]), 10), seen_words(shell)
    tap(shell, w["next"])
    assert wait_for(lambda: shell.journeys.current_step() == "address")
    type_keys(shell, answers["address"])
    tap(shell, w["next"])
    assert wait_for(lambda: shell.journeys.current_step() == "privacy")
    tap(shell, w["agree"])
    tap(shell, w["video_yes"])
    assert wait_for(lambda: shell.journeys.current_step() == "review")
    tap(shell, "Read it to me")
    assert wait_for(lambda: heard(shell, answers["address"]), 10), seen_words(shell)
    personal = [
        u.text
        for u in shell.room.speech.transcript.said
        if any(answer in "".join(c for c in u.text if c.isalnum()) for answer in answers.values())
    ]
    # Back, step by step, to the menu, and 'Finish' there: the visitor leaves.
    for _step in range(20):
        if "Finish" in seen_words(shell).split(" | "):
            break
        tap(shell, "Back")
    tap(shell, "Finish")
    assert wait_for(lambda: shell.current.name in ("goodbye", "attract"))
    return personal


def test_two_visits_leave_no_file_of_their_answers(
    room_shell: Any, qtbot: Any, settings: Any
) -> None:
    shell = room_shell
    cache: PromptCache = shell.room.devices.prompts
    data = settings.data_dir
    before = every_file(data)
    personal: list[str] = []
    for answers in VISITORS:
        personal += a_visit(shell, qtbot, answers)
        assert wait_for(lambda: shell.current.name == "attract", 10)
    assert personal, "the read-back and the review were heard"

    visits = settings.visits_dir
    after = {path for path in every_file(data) if visits not in path.parents}
    fixed = {cache.path(text, language) for text in catalog_texts() for language in LANGUAGE_NAMES}
    speaker = data / "demo-speaker"
    # Nothing new but fixed prompts in the cache (their words are the kiosk's own), and
    # what the demo speaker wrote after the visit (the goodbye, the welcome; below: none
    # of it a visitor's sentence).
    new = {path for path in after - before if path not in fixed and speaker not in path.parents}
    assert new == set()
    # No file holds an answer in its name or as text.
    for path in every_file(data):
        body = path.read_bytes()
        for answers in VISITORS:
            for answer in answers.values():
                assert answer not in str(path), path
                assert answer.encode() not in body, path
    # Nor as speech: no sound on disk is one of the sentences that carried them.
    voice = FakeVoice()
    sounds = []
    for text in personal:
        out = data.parent / "spoken-now.wav"
        voice.synthesize(text, "en", cache.rate, out)
        sounds.append(read_wav(out))
        out.unlink()
    for path in every_file(data):
        if path.suffix == ".wav":
            kept = read_wav(path)
            assert not any(same_speech(kept, sound) for sound in sounds), path


def same_speech(kept: Sound, sound: Sound) -> bool:
    """The same sentence, at whatever volume the speaker played it."""
    if kept.rate != sound.rate or len(kept.samples) != len(sound.samples):
        return False
    a, b = kept.samples.astype(np.float64), sound.samples.astype(np.float64)
    scale = float(np.dot(a, b) / max(np.dot(b, b), 1e-12))
    return scale > 0 and bool(np.allclose(a, scale * b, atol=0.01))


def test_the_cache_keeps_only_the_catalogs_prompts(tmp_path: Path) -> None:
    """Whatever an earlier version (or another voice rate) left goes when the room opens:
    the cache is as large as the catalogs, never larger."""
    folder = tmp_path / "voice"
    old = PromptCache(FakeVoice(), folder, 150)  # as the cache was: every text on disk
    old.get("You entered 1 3 9 8 7 6 5 4 3 2 1.", "en").result(5)
    old.get(WORDS["en"]["next"], "en").result(5)
    old.close()
    leftover = old.path("You entered 1 3 9 8 7 6 5 4 3 2 1.", "en")
    kept = old.path(WORDS["en"]["next"], "en")
    assert leftover.is_file() and kept.is_file()
    (folder / "rate-160-prompt.wav").write_bytes(kept.read_bytes())

    from devices.audio import FileSpeaker

    speech = RoomSpeech(PromptCache(FakeVoice(), folder, 150), FileSpeaker(tmp_path / "played"))
    assert wait_for(lambda: not leftover.exists(), 10)
    assert kept.is_file() and not (folder / "rate-160-prompt.wav").exists()
    # A sentence of the visit's is heard, in memory only, and gone with the visit.
    speech.say("You entered 1 5 8 1 1 2 2 3 3 4 4.", "en", 70)
    assert wait_for(lambda: bool(speech.speaker.played), 10)
    assert {p.name for p in folder.iterdir()} == {kept.name}
    assert speech.cache.cached("You entered 1 5 8 1 1 2 2 3 3 4 4.", "en") is not None
    voice = speech.cache.voice
    assert isinstance(voice, FakeVoice) and voice.spoken
    speech.forget()
    assert speech.cache.cached("You entered 1 5 8 1 1 2 2 3 3 4 4.", "en") is None
    assert wait_for(lambda: not voice.spoken, 5)  # nor does the demo voice keep the words
    assert not list((tmp_path / "played").glob("*.wav"))
    speech.close()
