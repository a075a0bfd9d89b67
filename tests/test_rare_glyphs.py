"""Rare characters (生僻字) draw: a sample of 200 characters beyond the basic CJK block, from
pypinyin's readings, each has a glyph (no missing-glyph box) in the kiosk's own fonts, on
screen, in the receipt's PDF and on an ESC/POS printer."""

from __future__ import annotations

import random
import re
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from devices.fonts import FONT_FAMILIES
from devices.printer import EscPosPrinter
from devices.receipt import Receipt
from devices.receipt_layout import render_line, render_pdf
from kiosk.room import receipt_words
from ui import glyphs

# CJK blocks beyond the basic one, and how many of the sample each gives at least.
BLOCKS = {
    "A": (0x3400, 0x4DBF),
    "B": (0x20000, 0x2A6DF),
    "C": (0x2A700, 0x2B73F),
    "D": (0x2B740, 0x2B81F),
    "E": (0x2B820, 0x2CEAF),
    "F": (0x2CEB0, 0x2EBEF),
    "G": (0x30000, 0x3134F),
    "H": (0x31350, 0x323AF),
}
SAMPLE = 200
NAME = "王𡒄"


def sample() -> list[str]:
    """200 characters pypinyin reads, beyond the basic block: a few from every extension,
    the rest drawn at random (always the same draw) in proportion."""
    from pypinyin.pinyin_dict import pinyin_dict

    pick = random.Random(14)
    chosen: list[str] = []
    by_block = {
        name: sorted(chr(p) for p in pinyin_dict if low <= p <= high)
        for name, (low, high) in BLOCKS.items()
    }
    for listed in by_block.values():
        chosen += pick.sample(listed, min(6, len(listed)))
    rest = [c for listed in by_block.values() for c in listed if c not in chosen]
    chosen += pick.sample(rest, SAMPLE - len(chosen))
    assert len(set(chosen)) == SAMPLE
    return chosen


def wrong_glyphs(text: str, font: Any) -> list[str]:
    """What of `text` draws as an empty box, or with a font that is not the kiosk's."""
    wrong = []
    for character in text:
        for family, indexes in glyphs.glyph_fonts(character, font):
            if 0 in indexes or not indexes:
                wrong.append(f"{character} U+{ord(character):X}: no glyph")
            elif family not in FONT_FAMILIES:
                wrong.append(f"{character} U+{ord(character):X}: drawn by {family}")
    return wrong


def test_the_sample_draws_on_the_kiosks_screen(make_shell) -> None:  # type: ignore[no-untyped-def]
    """In the font the kiosk's text boxes, labels and the finder's cells really have."""
    from PySide6.QtWidgets import QLabel, QLineEdit

    shell = make_shell()
    box = shell.screens["text_entry"].findChild(QLineEdit)
    label = shell.screens["review"].findChild(QLabel)
    characters = "".join(sample())
    for widget in (box, label):
        widget.ensurePolished()
        assert wrong_glyphs(characters, widget.font()) == []
    assert glyphs.missing(characters + NAME, box.font()) == []
    # The helper does see a box: a private-use code point has a glyph in no font.
    assert glyphs.missing("王\ue815", box.font()) == ["\ue815"]


def pdf_text_glyphs(pdf: Path) -> tuple[list[str], list[bytes]]:
    """The fonts a PDF embeds, and every glyph code its text shows (Qt writes CID fonts:
    code 0 is the missing glyph)."""
    data = pdf.read_bytes()
    fonts = [name.decode() for name in re.findall(rb"/BaseFont\s*/(\S+)", data)]
    shown: list[bytes] = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        for codes in re.findall(rb"<([0-9A-Fa-f]+)>\s*Tj", text):
            shown += [codes[i : i + 4] for i in range(0, len(codes), 4)]
    return fonts, shown


def test_the_sample_draws_on_the_printed_receipt(qapp: Any, tmp_path: Path) -> None:
    """A receipt whose room and name hold rare characters, as CUPS would get it."""
    characters = sample()
    receipt = Receipt(
        "R0001K1-261128-001-7",
        "".join(characters),
        datetime(2026, 11, 28, 10, 32),
        "𡒄*",
        "https://hub.example/status/R0001K1-261128-001-7",
    )
    pdf = tmp_path / "receipt.pdf"
    render_pdf(receipt, receipt_words, 80, pdf)
    fonts, shown = pdf_text_glyphs(pdf)
    ours = {family.replace(" ", "").lower() for family in FONT_FAMILIES}
    for font in fonts:
        name = font.split("+")[-1].split("-")[0].lower()
        assert name in ours, f"the receipt draws with {font}, not one of the kiosk's fonts"
    assert shown, "no text in the PDF"
    assert b"0000" not in shown, "a missing-glyph box is printed"
    assert len(shown) > SAMPLE  # every character was drawn, with one glyph or more


def test_an_escpos_printer_gets_a_rare_name_as_an_image(qapp: Any, tmp_path: Path) -> None:
    """GBK has no code for 𡒄: that line goes as a picture in the receipt's fonts, never as
    '?'; the lines GBK holds stay text."""
    target = tmp_path / "escpos.bin"
    receipt = Receipt(
        "R0001K1-261128-001-7",
        "幸福社区",
        datetime(2026, 11, 28, 10, 32),
        "𡒄*",
        "https://hub.example/status/R0001K1-261128-001-7",
    )
    EscPosPrinter(f"file:{target}", 80).print_receipt(receipt, receipt_words)
    data = target.read_bytes()
    texts = re.findall(rb"\x1c\x26(.*?)\x1c\x2e", data, re.DOTALL)
    assert "幸福社区".encode("gbk") in b"".join(texts)
    assert all(b"?" not in text for text in texts), texts
    assert data.count(b"\x1dv0") >= 2  # the QR code and the name's line
    # The line as drawn for the printer: ink where the characters are.
    for characters in ("𡒄*", "".join(sample()[:12])):
        line = render_line(characters, 80, 6.0, bold=True)
        assert line.width() % 8 == 0 and line.width() > 500 and line.height() > 20
        inked = sum(
            1
            for y in range(line.height())
            for x in range(0, line.width(), 2)
            if line.pixelColor(x, y).lightness() < 128
        )
        assert inked > 100


@pytest.mark.parametrize("family", ["HanaMinB", "BabelStone Han"])
def test_the_rare_fonts_are_installed(qapp: Any, family: str) -> None:
    """The Makefile and the installer bring them (fonts-hanazono, fonts-babelstone-han)."""
    from PySide6.QtGui import QFontDatabase

    assert family in QFontDatabase.families()
