"""Which screen shows, and the way back from each: a journey's steps, the help screen, the
idle warning, the staff's screens and the goodbye each return to what lay under them.

The screens' navigator (`ui.host.Navigator`): show, back, home, begin, open, finish.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from kiosk.journeys import ShowProgress
from kiosk.visit import Presentation

if TYPE_CHECKING:
    from ui.host import Shown
    from ui.screens.base import Screen
    from ui.shell import KioskShell

log = logging.getLogger(__name__)

# The screens a kiosk rests on between visits (the goodbye leads to one of them).
RESTING = frozenset({"attract", "out_of_service", "goodbye"})
#: How long the goodbye shows before the welcome screen (a touch goes on at once).
GOODBYE_MS = 4000


class Navigation:
    """The shell's navigator: what shows, and what lies under the help screen, the idle
    warning and the attendant's keypad."""

    def __init__(self, shell: KioskShell) -> None:
        self.shell = shell
        self._before_help: str | None = None  # the screen "call for help" was pressed on
        self._before_warning: str | None = None  # the screen under the idle warning
        self._return_to: str | None = None  # the consumer's screen under the attendant's
        self._goodbye: QTimer | None = None  # how long the goodbye shows

    # -- the navigator -------------------------------------------------------------------

    def show(self, name: str, result: Shown = None) -> None:
        """Show a screen (with a step result to render) and speak its prompt."""
        screen = self.shell.screens[name]
        screen.show_result(result)
        self.shell.present(screen)

    def screen(self, name: str) -> Screen:
        """A screen by name (made on first use)."""
        return self.shell.screens[name]

    def return_to(self, name: str) -> None:
        """Show a screen again exactly as it was left (what was typed there, half-entered
        numbers, the place in the queue), and speak its prompt."""
        self.shell.present(self.shell.screens[name])

    def back(self) -> None:
        """One step back; from help, the idle warning, the staff's screens and the
        goodbye, back to what lay under them."""
        current = self.shell.current
        if current.name == "help_coming" and self._before_help is not None:
            self._back_from_help()
        elif current.name == "idle_warning":
            self.continue_visit()
        elif current.name == "goodbye":
            self.end_goodbye()
        elif not current.consumer:
            self.close_attendant()
        elif not self.shell.journeys.step_back():
            if self.shell.visit.begun:
                self.home()
            else:
                self.show(self.resting_screen())

    def home(self) -> None:
        """Leave every journey (their answers stay in the visit) and show the menu."""
        self.shell.journeys.clear()
        self.show("home" if self.shell.in_service else "out_of_service")

    def begin(self) -> None:
        """The consumer touched the welcome screen."""
        self.shell.visit.begin()
        self.shell.idle.touch()
        self.show("home")

    def open(self, service: str) -> None:
        """Start the journey behind a home-menu entry (or the help button)."""
        if service == "ask_for_help":
            self.call_for_help()
        else:
            self.shell.journeys.open(service)

    def finish(self) -> None:
        """The consumer is done: clear everything for the next person, then say goodbye
        (in the leaver's language, text size and volume) before the welcome screen."""
        from ui.screens.goodbye import GoodbyeScreen

        shell = self.shell
        leaving = dataclasses.replace(shell.visit.presentation)
        printed = shell.visit.printed
        shell.wipe_visit(show=False)
        if not shell.in_service:
            self.show(self.resting_screen())
            return
        # Only how to speak to them stays, for the goodbye; end_goodbye takes it back.
        shell.visit.presentation.language = leaving.language
        shell.visit.presentation.text_size = leaving.text_size
        shell.voice_volume = leaving.volume
        shell.restyle()
        goodbye = shell.screens["goodbye"]
        assert isinstance(goodbye, GoodbyeScreen)
        goodbye.farewell(printed)
        self.show("goodbye")
        if self._goodbye is None:
            self._goodbye = QTimer(shell)
            self._goodbye.setSingleShot(True)
            self._goodbye.timeout.connect(self.end_goodbye)
        self._goodbye.start(GOODBYE_MS)

    # -- the screens under others --------------------------------------------------------

    @property
    def helping(self) -> bool:
        """True while the help screen lies over a consumer's screen."""
        return self._before_help is not None

    def call_for_help(self) -> None:
        """The red button: ask for a member of staff. Every press alerts the staff again (at
        most once a minute); the screen under it stays as it is, to go back to."""
        shell = self.shell
        current = shell.current
        if current.name != "help_coming":
            # Whatever was entered here is kept, and the screen itself is kept as it stands:
            # back from help shows it again as it was (the waiting room keeps the place).
            shell.journeys.keep_draft(current.draft())
            self._before_help = current.name if current.consumer else None
        calls = shell.visit.help_calls
        shell.journeys.open("ask_for_help")
        if shell.visit.help_calls != calls and shell.visit.help_requested_at is not None:
            shell.staff.help_called(shell.visit.help_requested_at)

    def _back_from_help(self) -> None:
        """Back from the help screen to the screen the consumer called from, as it was."""
        shell = self.shell
        name, self._before_help = self._before_help, None
        run = shell.journeys.leave_help()
        assert name is not None
        if name in RESTING:
            name = self.resting_screen()
        shell.idle.touch()
        left = shell.screens[name].result
        if isinstance(left, ShowProgress) and run is not None and run.result not in (None, left):
            # The wait went on while help was on screen (the work finished, the call
            # began): show where it led, without starting anything again.
            result = run.result
            if isinstance(result, ShowProgress):
                self.show(result.screen, result)
            elif result is not None:
                shell.journeys.show_step(result)
            return
        self.return_to(name)

    def warn_idle(self) -> None:
        """'Are you still there?' over the screen on show."""
        self._before_warning = self.shell.current.name
        self.show("idle_warning")

    def continue_visit(self) -> None:
        """The consumer answered 'are you still there?'."""
        self.shell.idle.touch()
        if self.shell.current.name == "idle_warning":
            name, self._before_warning = self._before_warning or "home", None
            self.show(name, self.shell.screens[name].result)

    def open_attendant(self) -> None:
        """Five taps in the corner: show the PIN keypad over whatever was showing."""
        shell = self.shell
        if not shell.current.consumer:
            return
        name = shell.current.name
        if name == "idle_warning":
            name, self._before_warning = self._before_warning or "home", None
        self._return_to = name
        shell.screens["attendant_unlock"].clear()
        self.show("attendant_unlock")

    def close_attendant(self) -> None:
        """Back to the consumer's screen as it was."""
        shell = self.shell
        shell.screens["attendant_unlock"].clear()
        name = self._return_to or self.resting_screen()
        self._return_to = None
        if name in RESTING:
            name = self.resting_screen()
        shell.idle.touch()
        self.show(name, shell.screens[name].result)

    def end_goodbye(self) -> None:
        """After the goodbye (its time, or a touch): the welcome screen, with the room's
        language, text size and volume."""
        shell = self.shell
        if self._goodbye is not None:
            self._goodbye.stop()
        shell.voice_volume = None
        if shell.visit.begun:
            return  # a new visit began meanwhile: it keeps what it chose
        settings = shell.settings
        shell.visit.presentation = Presentation(
            settings.language, settings.text_size, settings.volume
        )
        shell.restyle()
        if shell.current.name == "goodbye":
            self.show(self.resting_screen())

    def resting_screen(self) -> str:
        """The screen between visits: setup, welcome, or out of service."""
        shell = self.shell
        if shell.staff.needs_setup:
            return "setup"
        return "attract" if shell.in_service else "out_of_service"

    def forget(self) -> None:
        """The visit ended: nothing lies under any screen any more."""
        if self._goodbye is not None:
            self._goodbye.stop()
        self._return_to = self._before_warning = self._before_help = None
