"""The header's buttons stay under the finger that taps them again: the text size, tapped
twice to reach the largest, and 'louder', tapped until it is loud enough, keep their
place although their words and every button's size change with each tap."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint

from tests import taps


def tap_here(shell: Any, point: QPoint) -> None:
    """A tap at a fixed point of the window, where the finger already is."""
    taps.tap_point(shell, point, shell, "the header")


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 800)], ids=str)
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_text_size_and_louder_stay_under_the_finger(
    make_shell, language: str, width: int, height: int
) -> None:  # type: ignore[no-untyped-def]
    shell = make_shell(width, height)
    taps.tap_widget(shell.current, "the welcome screen")
    if language == "en":
        taps.tap(shell, "English")
    volume = shell.visit.presentation.volume
    finger = taps.centre_in_window(shell.header.text_size)
    for size in (2, 3):
        tap_here(shell, finger)
        assert taps.wait_for(lambda size=size: shell.theme.text_size == size)
    assert shell.visit.presentation.volume == volume, "a tap meant for the text size"
    finger = taps.centre_in_window(shell.header.louder)
    for _ in range(3):
        tap_here(shell, finger)
    assert shell.visit.presentation.volume == min(100, volume + 30)
    assert shell.theme.text_size == 3
