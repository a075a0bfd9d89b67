"""Whether text draws on the kiosk's screen: laid out as Qt lays it out to paint it, with the
font's families and Qt's fallback, a character with no glyph anywhere shows as an empty box
(glyph index 0). A rare character in a name must never look like that."""

from __future__ import annotations

import unicodedata

from PySide6.QtGui import QFont, QTextLayout

from devices.fonts import FONT_FAMILIES


def kiosk_font(pixels: int = 32) -> QFont:
    """The kiosk's font (its families in order) at a pixel size."""
    font = QFont(list(FONT_FAMILIES))
    font.setPixelSize(pixels)
    return font


def _shown(character: str) -> bool:
    # Spaces, controls, joiners and combining marks have no box of their own; a private
    # or unassigned code point does (it shows as one wherever no font has it).
    category = unicodedata.category(character)
    return not character.isspace() and category not in ("Cc", "Cf") and category[0] not in "MZ"


def glyph_fonts(character: str, font: QFont) -> list[tuple[str, list[int]]]:
    """The fonts Qt draws one character with, and their glyph indexes (0: no glyph)."""
    layout = QTextLayout(character, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return [(run.rawFont().familyName(), list(run.glyphIndexes())) for run in layout.glyphRuns()]


def missing(text: str, font: QFont | None = None) -> list[str]:
    """The characters of `text` that would show as an empty box in this font (the
    kiosk's by default), each once, in the order they come."""
    font = font or kiosk_font()
    gone: list[str] = []
    for character in dict.fromkeys(text):
        if not _shown(character):
            continue
        runs = glyph_fonts(character, font)
        if not runs or any(0 in glyphs or not glyphs for _family, glyphs in runs):
            gone.append(character)
    return gone


def draws(text: str, font: QFont | None = None) -> bool:
    """True when every character of `text` has a glyph in this font or its fallback."""
    return not missing(text, font)
