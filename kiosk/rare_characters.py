"""Finding a character the keyboard lacks (生僻字 in names and addresses): by its reading,
among every character that has that reading, narrowed by its radical, its stroke count or
its tone; common characters first, rare ones after, every one of them reachable.

The readings come from pypinyin's dictionary (about 42,000 characters, 15,000 of them
beyond the basic block, Extension B and later included); the radicals, the stroke counts
and how common a character is come from Unihan, which Debian's `unicode-data` installs in
/usr/share/unicode. Without Unihan the finder still finds by reading, in code-point order
within each block. Both are public data, loaded on first use and kept in memory only:
nothing a visitor types is kept or written anywhere.
"""

from __future__ import annotations

import bz2
import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: Where Debian's `unicode-data` puts Unihan.
UNIHAN_DIR = Path("/usr/share/unicode")

# Tone marks as NFD leaves them: macron, acute, caron, grave.
_TONES = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}
NEUTRAL = 5
# The Pinyin a keyboard types: letters, with v for ü, and a tone digit at the end.
_TYPED = re.compile(r"([a-z]+)([0-5]?)")
# Sounds that a local accent blurs (南方口音), for readings the consumer is unsure of.
_CURLED = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_STARTS = (("n", "l"), ("l", "n"), ("h", "f"), ("f", "h"), ("r", "l"))
_ENDS = (("ang", "an"), ("eng", "en"), ("ing", "in"), ("ong", "on"))

# A radical's usual shape at a character's side, where it differs from the radical alone
# (水 is written 氵 in 江): the shape a consumer looks for.
SIDE_FORMS = {
    "9": "亻",
    "18": "刂",
    "61": "忄",
    "64": "扌",
    "85": "氵",
    "86": "灬",
    "94": "犭",
    "96": "𤣩",
    "113": "礻",
    "118": "⺮",
    "122": "罒",
    "130": "⺼",
    "140": "艹",
    "145": "衤",
    "157": "⻊",
    "162": "辶",
    "163": "⻏",
    "170": "⻖",
}


@dataclass(frozen=True)
class Reading:
    """A reading as typed: the syllable without tone (v for ü), and the tone if given."""

    syllable: str
    tone: int | None = None


@dataclass(frozen=True)
class Radical:
    """A radical as Unihan numbers it ("32", or "120'" for the simplified 纟) and its shapes:
    the radical alone, and its shape at a character's side where that differs."""

    key: str
    shape: str
    side: str = ""

    @property
    def number(self) -> int:
        """The Kangxi radical's number (1-214), which orders the radicals as dictionaries do."""
        return int(self.key.rstrip("'"))

    @property
    def shapes(self) -> str:
        """What a button shows: the side form first where there is one (氵 水)."""
        return f"{self.side} {self.shape}" if self.side else self.shape


@dataclass(frozen=True)
class Character:
    """One character found by a reading: itself, its readings of that syllable with their
    tone marks (王: wáng, wàng), and what narrows it (radical and strokes, where Unihan
    knows them)."""

    text: str
    readings: tuple[str, ...]
    tones: frozenset[int]
    radical: Radical | None
    strokes: int | None
    rank: tuple[int, ...]

    @property
    def reading(self) -> str:
        """Its first reading of the syllable, as shown under it."""
        return self.readings[0]


def parse_reading(typed: str) -> Reading | None:
    """The reading in what was typed (`lan`, `lan3`, `lǎn`, `LV4`, `lü`); None when it is no
    Pinyin at all."""
    text = typed.strip().lower().replace("u:", "v")
    tone: int | None = None
    letters: list[str] = []
    for mark in unicodedata.normalize("NFD", text):
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark == "\u0308":  # ü
            if letters and letters[-1] == "u":
                letters[-1] = "v"
        elif not unicodedata.combining(mark):
            letters.append(mark)
    found = _TYPED.fullmatch("".join(letters))
    if found is None:
        return None
    if found[2]:
        tone = int(found[2]) or NEUTRAL
    return Reading(found[1], tone)


def split_tone(toned: str) -> tuple[str, int]:
    """A dictionary reading (`lǎn`, `lǜ`, `ma`) as its toneless syllable and its tone."""
    reading = parse_reading(toned)
    if reading is None:
        return toned, NEUTRAL
    return reading.syllable, reading.tone or NEUTRAL


def narrow(
    found: Iterable[Character],
    radical: str | None = None,
    strokes: int | None = None,
    tone: int | None = None,
) -> list[Character]:
    """The characters that have this radical, this many strokes and this tone (None: any)."""
    return [
        character
        for character in found
        if (radical is None or (character.radical is not None and character.radical.key == radical))
        and (strokes is None or character.strokes == strokes)
        and (tone is None or tone in character.tones)
    ]


def radicals_among(found: Iterable[Character]) -> list[tuple[Radical, int]]:
    """The radicals of these characters with how many have each, in dictionary order."""
    counts = Counter(c.radical for c in found if c.radical is not None)
    return sorted(counts.items(), key=lambda pair: (pair[0].number, pair[0].key))


def strokes_among(found: Iterable[Character]) -> list[tuple[int, int]]:
    """The stroke counts of these characters with how many have each, fewest first."""
    return sorted(Counter(c.strokes for c in found if c.strokes is not None).items())


def tones_among(found: Iterable[Character]) -> list[tuple[str, int, int]]:
    """The tones among these characters: (the reading with its mark, tone, how many)."""
    counts: Counter[int] = Counter()
    marked: dict[int, str] = {}
    for character in found:
        for toned in character.readings:
            tone = split_tone(toned)[1]
            counts[tone] += 1
            marked.setdefault(tone, toned)
    return [(marked[tone], tone, counts[tone]) for tone in sorted(counts)]


def draws_anywhere(character: str) -> bool:
    """False for what no font and no other system can show: private-use code points (some
    dictionaries give these to characters Unicode lacked), and compatibility ideographs,
    which any text handling turns into another character (NFC)."""
    if unicodedata.category(character) in ("Co", "Cs"):
        return False
    return unicodedata.normalize("NFC", character) == character


class CharacterFinder:
    """Every character with a reading, ranked common first; made once, then queried."""

    def __init__(
        self,
        readings: dict[int, str],
        radicals: dict[int, Radical] | None = None,
        strokes: dict[int, int] | None = None,
        ranks: dict[int, tuple[int, ...]] | None = None,
        heard: dict[int, dict[str, int]] | None = None,
    ) -> None:
        radicals, strokes, ranks, heard = radicals or {}, strokes or {}, ranks or {}, heard or {}
        found: dict[str, list[Character]] = {}
        for point, listed in readings.items():
            text = chr(point)
            if not draws_anywhere(text):
                continue
            # Each syllable once a character, with its readings of it in the dictionary's
            # order (the first is the one most people say).
            places: dict[str, tuple[int, list[str]]] = {}
            for place, toned in enumerate(r.strip() for r in listed.split(",")):
                syllable = split_tone(toned)[0] if toned else ""
                if syllable:
                    _first, marked = places.setdefault(syllable, (place, []))
                    if toned not in marked:
                        marked.append(toned)
            base = ranks.get(point, _block_rank(point))
            said = heard.get(point, {})
            for syllable, (place, marked) in places.items():
                counted = max(said.get(toned, 0) for toned in marked)
                rank = (
                    # A reading other than a character's first comes a level later,
                    # unless people are counted saying it.
                    base[0] + (1 if place and not counted else 0),
                    -counted,
                    *base[1:],
                    strokes.get(point, 99),
                    point,
                )
                tones = frozenset(split_tone(toned)[1] for toned in marked)
                found.setdefault(syllable, []).append(
                    Character(
                        text,
                        tuple(marked),
                        tones,
                        radicals.get(point),
                        strokes.get(point),
                        rank,
                    )
                )
        for characters in found.values():
            characters.sort(key=lambda character: character.rank)
        self._by_syllable = found
        self.has_parts = bool(radicals)

    @classmethod
    def load(cls, unihan: Path = UNIHAN_DIR) -> CharacterFinder:
        """Read pypinyin's dictionary and Unihan (about a second); without Unihan the
        characters are found by reading alone."""
        from pypinyin.pinyin_dict import pinyin_dict

        try:
            radicals, strokes = _radicals_and_strokes(unihan)
            ranks = _ranks(unihan)
            heard = _heard(unihan)
        except FileNotFoundError as missing:
            log.warning("no Unihan (%s): characters are found by reading alone", missing)
            radicals, strokes, ranks, heard = {}, {}, {}, {}
        return cls(pinyin_dict, radicals, strokes, ranks, heard)

    def find(self, typed: str) -> list[Character]:
        """Every character read so (a tone typed narrows to it), common first."""
        reading = parse_reading(typed)
        if reading is None:
            return []
        found = self._by_syllable.get(reading.syllable, [])
        return narrow(found, tone=reading.tone) if reading.tone else list(found)

    def knows(self, syllable: str) -> bool:
        """True when some character is read so."""
        return syllable in self._by_syllable

    def alike(self, typed: str) -> list[str]:
        """Readings that sound like this one in a local accent (lan: lang, nan), which some
        character has: the consumer may try them."""
        reading = parse_reading(typed)
        if reading is None:
            return []
        syllable = reading.syllable
        kept: list[str] = []
        for guess in _sound_alike(syllable):
            if guess != syllable and guess not in kept and self.knows(guess):
                kept.append(guess)
        return kept

    def __len__(self) -> int:
        """How many characters the finder holds."""
        return len({c.text for listed in self._by_syllable.values() for c in listed})

    def characters(self) -> list[Character]:
        """Every character once (by its first reading), for the kiosk's font checks."""
        seen: dict[str, Character] = {}
        for listed in self._by_syllable.values():
            for character in listed:
                if character.text not in seen or character.rank < seen[character.text].rank:
                    seen[character.text] = character
        return sorted(seen.values(), key=lambda c: c.text)


_loaded: list[CharacterFinder] = []
_loading = threading.Lock()


def loaded() -> CharacterFinder | None:
    """The finder if it is loaded already, else None (it is not loaded for asking)."""
    return _loaded[0] if _loaded else None


def finder() -> CharacterFinder:
    """The one finder of this process, loaded on first use (safe from any thread)."""
    with _loading:
        if not _loaded:
            _loaded.append(CharacterFinder.load())
        return _loaded[0]


# -- Unihan --------------------------------------------------------------------------------


def _unihan(folder: Path, name: str, fields: Sequence[str]) -> dict[str, dict[int, str]]:
    """Some fields of one Unihan file (plain or bz2, as Debian ships it)."""
    path = folder / f"{name}.txt"
    packed = folder / f"{name}.txt.bz2"
    if path.is_file():
        text = path.read_text(encoding="utf-8")
    elif packed.is_file():
        with bz2.open(packed, "rt", encoding="utf-8") as stream:
            text = stream.read()
    else:
        raise FileNotFoundError(str(packed))
    found: dict[str, dict[int, str]] = {field: {} for field in fields}
    pattern = re.compile(rf"^U\+([0-9A-F]+)\t({'|'.join(fields)})\t(.+)$", re.MULTILINE)
    for match in pattern.finditer(text):
        found[match[2]][int(match[1], 16)] = match[3]
    return found


def _radical_shapes(folder: Path) -> dict[str, Radical]:
    """Each radical number's shape, from CJKRadicals.txt (the ideograph where there is one)."""
    shapes: dict[str, Radical] = {}
    path = folder / "CJKRadicals.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = [part.strip() for part in line.split("#", 1)[0].split(";")]
        if len(parts) != 3:
            continue
        key, radical, ideograph = parts
        shape = chr(int(ideograph or radical, 16))
        shapes[key] = Radical(key, shape, SIDE_FORMS.get(key, ""))
    return shapes


def _radicals_and_strokes(folder: Path) -> tuple[dict[int, Radical], dict[int, int]]:
    shapes = _radical_shapes(folder)
    fields = _unihan(folder, "Unihan_IRGSources", ("kRSUnicode", "kTotalStrokes"))
    radicals: dict[int, Radical] = {}
    for point, value in fields["kRSUnicode"].items():
        # "120'.3": radical 120 in its simplified form, 3 strokes more; the first one counts.
        key = value.split()[0].split(".")[0]
        radical = shapes.get(key) or shapes.get(key.rstrip("'"))
        if radical is not None:
            radicals[point] = radical
    # The first count is the one for the mainland's (simplified) shape.
    strokes = {point: int(value.split()[0]) for point, value in fields["kTotalStrokes"].items()}
    return radicals, strokes


def _ranks(folder: Path) -> dict[int, tuple[int, ...]]:
    """How common each character is: its level in the 2013 list of characters in general
    use (通用规范汉字表: 3,500 common, 3,000 more, then 1,605 for names and places), else
    GB 2312, else its block; then Unihan's frequency grade."""
    mappings = _unihan(folder, "Unihan_OtherMappings", ("kTGH", "kGB0"))
    frequency = _unihan(folder, "Unihan_DictionaryLikeData", ("kFrequency",))["kFrequency"]
    ranks: dict[int, tuple[int, ...]] = {}
    for point in set(mappings["kTGH"]) | set(mappings["kGB0"]) | set(frequency):
        listed = mappings["kTGH"].get(point, "")
        place = int(listed.split(":")[1]) if ":" in listed else 0
        if place:
            tier = 0 if place <= 3500 else 1 if place <= 6500 else 2
        elif point in mappings["kGB0"]:
            tier = 3
        else:
            tier = _block_rank(point)[0]
        ranks[point] = (tier, int(frequency.get(point, "9")))
    return ranks


def _heard(folder: Path) -> dict[int, dict[str, int]]:
    """How often each reading of a character is met (现代汉语频率词典), where counted."""
    counted = _unihan(folder, "Unihan_Readings", ("kHanyuPinlu",))["kHanyuPinlu"]
    heard: dict[int, dict[str, int]] = {}
    for point, value in counted.items():
        heard[point] = {match[1]: int(match[2]) for match in re.finditer(r"(\S+?)\((\d+)\)", value)}
    return heard


def _sound_alike(syllable: str) -> list[str]:
    """Syllables an accent may have made of this one: zh/z, n/l, an/ang and the like."""
    guesses = []
    for curled, flat in _CURLED:
        if syllable.startswith(curled):
            guesses.append(flat + syllable[len(curled) :])
        elif syllable.startswith(flat):
            guesses.append(curled + syllable[len(flat) :])
    if not syllable.startswith(tuple(curled for curled, _flat in _CURLED)):
        for start, instead in _STARTS:
            if syllable.startswith(start):
                guesses.append(instead + syllable[len(start) :])
    for back, front in _ENDS:
        if syllable.endswith(back):
            guesses.append(syllable[: -len(back)] + front)
        elif syllable.endswith(front):
            guesses.append(syllable + "g")
    return guesses


def _block_rank(point: int) -> tuple[int, int]:
    """Where nothing says how common a character is: the basic block, then Extension A
    and the rest of the first plane, then the later extensions."""
    if 0x4E00 <= point <= 0x9FFF:
        return (4, 9)
    if point <= 0xFFFF:
        return (5, 9)
    return (6, 9)
