"""The stack of screens in the kiosk's window, each screen made (its module imported) the
first time it is asked for: the kiosk starts with the welcome screen alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QStackedWidget

from ui.screens import SCREEN_CLASSES
from ui.screens.base import Screen


class ScreenStack(QStackedWidget):
    """A stack that asks only for the room the screen on top needs."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The size the current screen wants."""
        current = self.currentWidget()
        return current.sizeHint() if current is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The size the current screen needs; hidden screens do not count."""
        current = self.currentWidget()
        return current.minimumSizeHint() if current is not None else super().minimumSizeHint()


class Screens(Mapping[str, Screen]):
    """Every screen by name, each made (its module imported) the first time it is asked
    for: the kiosk starts with the welcome screen alone. Iterating gives those made."""

    def __init__(self, make: Callable[[str], Screen]) -> None:
        self._make = make
        self._made: dict[str, Screen] = {}

    def __getitem__(self, name: str) -> Screen:
        screen = self._made.get(name)
        if screen is None:
            if name not in SCREEN_CLASSES:
                raise KeyError(name)
            screen = self._made[name] = self._make(name)
        return screen

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._made))

    def __len__(self) -> int:
        return len(self._made)

    def __contains__(self, name: object) -> bool:
        """True for a screen made already (asking for one makes it)."""
        return name in self._made
