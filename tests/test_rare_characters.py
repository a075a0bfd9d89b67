"""The character finder's core (no Qt): a character the keyboard lacks is found by its
reading among every character read so, common ones first, and narrowed by its radical, its
strokes or its tone; every one of them reachable."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.rare_characters import (
    CharacterFinder,
    Reading,
    finder,
    narrow,
    parse_reading,
    radicals_among,
    split_tone,
    strokes_among,
    tones_among,
)

UNIHAN = Path("/usr/share/unicode/Unihan_IRGSources.txt.bz2")
needs_unihan = pytest.mark.skipif(
    not UNIHAN.is_file(), reason="Debian's unicode-data (Unihan) is not installed"
)


def texts(found: list) -> str:  # type: ignore[type-arg]
    return "".join(character.text for character in found)


def test_a_reading_is_read_as_a_keyboard_types_it() -> None:
    assert parse_reading("lan") == Reading("lan")
    assert parse_reading(" LAN3 ") == Reading("lan", 3)
    assert parse_reading("lǎn") == Reading("lan", 3)
    assert parse_reading("lv4") == Reading("lv", 4)
    assert parse_reading("lü") == Reading("lv")
    assert parse_reading("ma0") == Reading("ma", 5)
    assert parse_reading("") is None
    assert parse_reading("lan 3") is None
    assert parse_reading("王") is None
    assert split_tone("lǜ") == ("lv", 4)
    assert split_tone("ma") == ("ma", 5)


def test_the_rare_character_in_the_name_is_found_by_its_reading() -> None:
    """𡒄 (lǎn, Extension B) is not in the keyboard's dictionary, but every character
    read 'lan' is offered, common ones first, and 𡒄 among them."""
    found = finder().find("lan")
    assert "𡒄" in texts(found)
    # The everyday characters come first; those beyond the basic block after them.
    first = texts(found[:10])
    assert "蓝" in first and "兰" in first
    places = [ord(c.text) > 0xFFFF for c in found]
    assert places.index(True) > 20
    lan = next(c for c in found if c.text == "𡒄")
    assert lan.readings == ("lǎn",)
    assert lan.tones == {3}
    # A tone typed narrows to the characters read with it.
    third = finder().find("lan3")
    assert "𡒄" in texts(third)
    assert all(3 in c.tones for c in third)
    assert "蓝" not in texts(third)
    assert "𡒄" not in texts(finder().find("lan2"))


@needs_unihan
def test_a_part_and_the_strokes_narrow_the_characters() -> None:
    found = finder().find("lan")
    lan = next(c for c in found if c.text == "𡒄")
    assert lan.radical is not None and lan.radical.shape == "土"
    assert lan.strokes == 16
    radicals = dict((radical.shape, count) for radical, count in radicals_among(found))
    assert radicals["土"] >= 2
    assert "𡒄" in texts(narrow(found, radical=lan.radical.key))
    assert all(c.radical == lan.radical for c in narrow(found, radical=lan.radical.key))
    few = narrow(found, radical=lan.radical.key, strokes=16)
    assert texts(few) == "𡒄" or ("𡒄" in texts(few) and len(few) <= 3)
    counts = dict(strokes_among(found))
    assert counts[16] >= 1
    assert sum(counts.values()) == len([c for c in found if c.strokes is not None])
    # The radical's usual shape at a character's side goes with it: 氵 for 水.
    water = next(r for r, _ in radicals_among(finder().find("jiang")) if r.number == 85)
    assert water.shapes == "氵 水"
    tones = {tone: (marked, count) for marked, tone, count in tones_among(found)}
    assert tones[3][0] == "lǎn"
    assert set(tones) <= {1, 2, 3, 4, 5}


def test_every_character_with_a_reading_is_reachable_by_it() -> None:
    """Each of the 15,000 or so characters beyond the basic block that pypinyin reads is
    found by each of its readings (none is left out or lost under another)."""
    from pypinyin.pinyin_dict import pinyin_dict

    every = finder()
    beyond = [
        point
        for point in pinyin_dict
        if not 0x4E00 <= point <= 0x9FFF and point >= 0x3400 and not 0xE000 <= point <= 0xF8FF
    ]
    assert len(beyond) > 14_000
    lost = []
    for point in beyond:
        text = chr(point)
        if 0xF900 <= point <= 0xFAFF or 0x2F800 <= point <= 0x2FA1F:
            continue  # compatibility ideographs: text handling makes them other characters
        for toned in pinyin_dict[point].split(","):
            syllable, tone = split_tone(toned)
            if text not in texts(every.find(f"{syllable}{tone}")):
                lost.append((text, toned))
    assert not lost, lost[:20]


def test_nothing_unshowable_is_offered() -> None:
    """Private-use code points (no font has them, and the complaint's text drops them)
    and compatibility ideographs are never offered."""
    for character in finder().characters():
        point = ord(character.text)
        assert not 0xE000 <= point <= 0xF8FF
        assert not 0xF900 <= point <= 0xFAFF


def test_readings_that_sound_alike_are_offered_when_unsure() -> None:
    every = finder()
    assert "lang" in every.alike("lan")
    assert "nan" in every.alike("lan")
    assert "zhang" in every.alike("zang")
    assert "zang" in every.alike("zhang")
    assert all(every.knows(reading) for reading in every.alike("sen"))
    assert every.find("xyz") == []
    assert every.find("lam") == []


def test_without_unihan_the_finder_still_finds_by_reading(tmp_path: Path) -> None:
    """A kiosk without Unihan finds by reading alone, everyday block first."""
    bare = CharacterFinder.load(tmp_path)
    found = bare.find("lan")
    assert "𡒄" in texts(found)
    assert not bare.has_parts
    assert all(c.radical is None and c.strokes is None for c in found)
    assert max(i for i, c in enumerate(found) if ord(c.text) <= 0x9FFF) < min(
        i for i, c in enumerate(found) if ord(c.text) > 0xFFFF
    )


def test_the_finder_loads_in_about_a_second_and_once() -> None:
    """Loaded on first use, off the first screen's way; then every look-up is quick."""
    # The work done, counted on this thread: what the rest of a busy machine does while
    # it loads does not count (on the wall clock, it once took 6.6 s alongside other tests).
    started = time.thread_time()
    CharacterFinder.load()
    assert time.thread_time() - started < 5
    assert finder() is finder()
    started = time.thread_time()
    for reading in ("lan", "yi", "wang", "zhang", "shi"):
        finder().find(reading)
    assert time.thread_time() - started < 0.2


def test_the_core_keeps_nothing_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading and looking up write no file (nothing of a visitor is cached)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    CharacterFinder.load().find("lan")
    assert list(tmp_path.iterdir()) == []


def test_a_rare_character_is_kept_in_what_was_typed() -> None:
    """Typed text is tidied before it is kept; a character beyond the basic block stays,
    also one newer than this Python's Unicode data (Extension H)."""
    from kiosk.complaint import tidy

    assert tidy(" 王𡒄 ") == "王𡒄"
    assert tidy("王\U00031350") == "王\U00031350"
    assert tidy("王\u200b\x07") == "王"
