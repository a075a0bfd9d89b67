"""The look that ACCESSIBILITY.md asks for: three text sizes, 7:1 contrast, 88 px targets.

Sizes are given for a 1920x1080 screen and scaled to the actual one; one style sheet
built from them is applied to the whole shell, so a text-size switch restyles everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.fonts import FONT_FAMILIES

REFERENCE_SIZE = (1920, 1080)
BODY_PX = {1: 32, 2: 40, 3: 48}
MIN_TARGET_PX = 88
MIN_GAP_PX = 16
#: The top-left corner the attendant knocks on five times (nothing else is drawn there).
CORNER_PX = 120

# Colours: dark ink on warm white, and white on deep blue or deep red, each >= 7:1.
PAPER = "#FFFDF7"
INK = "#1A1A1A"
PRIMARY = "#0B3C78"
PRIMARY_PRESSED = "#072A55"
ON_PRIMARY = "#FFFFFF"
HELP = "#9B1C1C"
HELP_PRESSED = "#6E1313"
HEADER = "#E9EEF5"
WARNING_PAPER = "#FFF1C2"
CARD = "#FFFFFF"


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(one: str, other: str) -> float:
    """WCAG contrast ratio between two #RRGGBB colours (1 to 21)."""
    a, b = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def scale_for(width: int, height: int) -> float:
    """How much smaller (or larger) this screen is than the 1920x1080 reference."""
    return min(width / REFERENCE_SIZE[0], height / REFERENCE_SIZE[1])


@dataclass(frozen=True)
class Theme:
    """Pixel sizes for one text size on one screen size, and the style sheet they make."""

    text_size: int = 1
    scale: float = 1.0

    @property
    def body_px(self) -> int:
        """Body text size in pixels."""
        return round(BODY_PX[self.text_size] * self.scale)

    @property
    def heading_px(self) -> int:
        """Heading (the question on a screen) size in pixels."""
        return round(self.body_px * 1.4)

    @property
    def title_px(self) -> int:
        """The welcome screen's title size in pixels."""
        return round(self.body_px * 1.9)

    @property
    def target_px(self) -> int:
        """The smallest side of anything a finger taps."""
        return max(MIN_TARGET_PX, round(self.body_px * 2.6))

    @property
    def gap_px(self) -> int:
        """Space between targets and around blocks."""
        return max(MIN_GAP_PX, round(24 * self.scale))

    @property
    def icon_px(self) -> int:
        """Icons inside buttons."""
        return round(self.body_px * 1.5)

    def stylesheet(self) -> str:
        """The one style sheet for the shell at this text size."""
        body, heading, title = self.body_px, self.heading_px, self.title_px
        radius = max(8, round(16 * self.scale))
        pad = max(8, round(self.body_px * 0.45))
        families = ", ".join(f'"{f}"' for f in FONT_FAMILIES)
        return f"""
        QWidget {{ font-family: {families}; font-size: {body}px; color: {INK}; }}
        #Shell, #Screen {{ background: {PAPER}; }}
        #Header, #BottomBar {{ background: {HEADER}; }}
        #Warning {{ background: {WARNING_PAPER}; }}
        QLabel {{ background: transparent; }}
        QLabel[role="heading"] {{ font-size: {heading}px; font-weight: bold; }}
        QLabel[role="title"] {{ font-size: {title}px; font-weight: bold; }}
        QLabel[role="count"] {{ font-size: {title}px; font-weight: bold; }}
        QPushButton {{
            padding: 0px {pad}px; border-radius: {radius}px;
            background: {PRIMARY}; color: {ON_PRIMARY}; border: 3px solid {PRIMARY};
            font-weight: bold;
        }}
        QPushButton:pressed {{ background: {PRIMARY_PRESSED}; }}
        QPushButton[role="quiet"] {{ background: {CARD}; color: {PRIMARY}; }}
        QPushButton[role="quiet"]:pressed {{ background: {HEADER}; }}
        QPushButton[role="key"] {{
            background: {CARD}; color: {PRIMARY}; font-size: {heading}px;
        }}
        QPushButton[role="key"]:pressed {{ background: {HEADER}; }}
        QPushButton[role="help"] {{ background: {HELP}; border-color: {HELP}; }}
        QPushButton[role="help"]:pressed {{ background: {HELP_PRESSED}; }}
        QPushButton[role="card"] {{
            background: {CARD}; color: {INK}; border: 4px solid {PRIMARY};
            padding: {pad}px;
        }}
        QPushButton[role="card"]:pressed {{ background: {HEADER}; }}
        QPushButton[role="card"][chosen="true"] {{
            background: {HEADER}; border: {max(6, round(8 * self.scale))}px solid {PRIMARY};
        }}
        QLineEdit, QPlainTextEdit {{
            background: {CARD}; color: {INK}; border: 3px solid {PRIMARY};
            border-radius: {radius}px; padding: 0px {pad}px;
        }}
        QPushButton[role="card"] QLabel {{ color: {INK}; }}
        QPushButton[role="card"] QLabel[role="heading"] {{ color: {PRIMARY}; }}
        QPushButton[role="card"] QLabel[role="choice"] {{ color: {PRIMARY}; font-weight: bold; }}
        QPushButton QLabel {{ color: {ON_PRIMARY}; }}
        QPushButton[role="quiet"] QLabel {{ color: {PRIMARY}; }}
        """
