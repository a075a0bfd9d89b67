"""The kiosk's fonts, in the order Qt tries them: one list for the screen and the receipt,
so that a name drawn on one draws on the other.

Noto for everyday text; then Hanazono (Extension A, and B to F whole) and BabelStone Han
(Extensions G and H, and what is left), so that a rare character in a name (生僻字) draws,
never as an empty box. The Makefile and the kiosk's installer install all of them.
"""

from __future__ import annotations

FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "DejaVu Sans",
    "HanaMinA",
    "HanaMinB",
    "BabelStone Han",
)
